/**
 * A run's life after it was recorded: dispatch, attempts, leases, cancellation. Each function runs
 * inside one write transaction of the caller, so that a run and its job's counters always change
 * together. The state transitions mirror the memory store's; what differs is lease expiry, which
 * only a shared store does ({@link claimRunsForDispatch}).
 */
import { LeaseLostError, serializeError } from "../../core/errors.js";
import {
  LIVE_RUN_STATUSES,
  type AttemptRecord,
  type RunReason,
  type RunRecord,
} from "../../core/jobs/job.js";
import type {
  CancelRunArgs,
  CancelRunResult,
  ClaimArgs,
  FinishAttemptArgs,
  FinishAttemptResult,
  StartAttemptArgs,
} from "../../core/stores/store.js";
import {
  claimLimit,
  liveRunParams,
  newLease,
  promoteWaiting,
  trimFinals,
  writeRun,
  type StoreContext,
  type WriteContext,
} from "./context.js";
import { runFromRow, runToRow } from "./rows.js";

export function getRun(ctx: StoreContext, id: string): RunRecord | null {
  const row = ctx.s.getRun.get(id);
  return row ? runFromRow(row) : null;
}

export function insertRun(
  ctx: WriteContext,
  run: RunRecord,
  args: { now: number; owner: string; leaseMs: number },
): RunRecord | null | false {
  if (!ctx.s.getJob.get(run.jobId)) return null;
  if (ctx.s.runExists.get(run.id)) return false;
  const stored: RunRecord = {
    ...run,
    status: "pending",
    lease: newLease(ctx, args.owner, args.now, args.leaseMs),
  };
  ctx.s.insertRun.run(runToRow(stored, null));
  ctx.s.jobRunAdded.run(run.jobId);
  return stored;
}

/**
 * Due retries first, then runs whose dispatcher or executor stopped renewing its lease. A run that
 * was executing gets its open attempt closed as `interrupted`; with no attempt left it is finished
 * as failed instead of being returned, and if that frees a waiting run (overlap `queue`), the
 * waiting run is returned in its place, leased to the caller like the others.
 */
export function claimRunsForDispatch(ctx: WriteContext, args: ClaimArgs, shared: boolean): RunRecord[] {
  const limit = claimLimit(args.limit);
  const out: RunRecord[] = [];
  for (const row of ctx.s.dueRetries.all(args.now, limit)) {
    const run: RunRecord = {
      ...runFromRow(row),
      status: "pending",
      nextAttemptAt: null,
      lease: newLease(ctx, args.owner, args.now, args.leaseMs),
    };
    writeRun(ctx, run, null);
    out.push(run);
  }
  if (!shared) return out;
  // Runs finished as interrupted do not fill the batch, so look again until it is full or no
  // expired lease is left; every pass changes what it read, so this ends.
  while (out.length < args.limit) {
    const rows = ctx.s.expiredLeases.all({
      now: args.now,
      owner: args.owner,
      limit: args.limit - out.length,
    });
    if (rows.length === 0) break;
    for (const row of rows) out.push(...takeOver(ctx, runFromRow(row), args));
  }
  return out;
}

/** Takes over a run whose lease expired: the run itself, or what its interruption freed. */
function takeOver(ctx: WriteContext, run: RunRecord, args: ClaimArgs): RunRecord[] {
  if (run.status === "pending") {
    const taken: RunRecord = { ...run, lease: newLease(ctx, args.owner, args.now, args.leaseMs) };
    writeRun(ctx, taken, null);
    return [taken];
  }
  const error = serializeError(
    new LeaseLostError(
      `Run ${run.id} was interrupted: ${run.lease?.owner ?? "its executor"} stopped renewing its lease, ` +
        `which expired at ${new Date(run.lease?.expiresAt ?? args.now).toISOString()}.`,
    ),
    { stack: false },
  );
  const attempts = closeOpenAttempt(run.attempts, args.now, "interrupted", error);
  if (run.attempts.length < run.retry.attempts) {
    const taken: RunRecord = {
      ...run,
      status: "pending",
      attempts,
      nextAttemptAt: null,
      lease: newLease(ctx, args.owner, args.now, args.leaseMs),
    };
    writeRun(ctx, taken, null);
    return [taken];
  }
  const failed = finishRun(ctx, { ...run, attempts }, "failed", "interrupted", error, args.now);
  const promoted = promoteWaiting(ctx, run.jobId, failed.activeRuns, args);
  return promoted ? [promoted] : [];
}

export function markDispatched(
  ctx: WriteContext,
  runIds: readonly string[],
  args: { owner: string },
): string[] {
  const lost: string[] = [];
  for (const id of runIds) {
    const run = getRun(ctx, id);
    if (!run || run.status !== "pending" || run.lease?.owner !== args.owner) {
      lost.push(id);
      continue;
    }
    writeRun(ctx, { ...run, status: "dispatched", lease: null }, null);
  }
  return lost;
}

export function startAttempt(ctx: WriteContext, runId: string, args: StartAttemptArgs): RunRecord | null {
  const lean = startFromRecord(ctx, runId, args);
  if (lean) return lean;
  const run = getRun(ctx, runId);
  if (!run) return null;
  if (run.status === "pending") {
    if (run.lease?.token !== args.token) {
      throw new LeaseLostError(`The lease on run ${runId} is held by ${run.lease?.owner ?? "nobody"} now.`);
    }
  } else if (run.status !== "dispatched" && run.status !== "retrying") {
    return null;
  }
  const started = asStarted(ctx, run, args);
  writeRun(ctx, started, null);
  if (run.attempts.length === 0) ctx.s.jobRunStarted.run(args.now, runId, run.jobId);
  return started;
}

/** `run` with a new attempt open from `args.now`, held by `args.owner` under a new lease. */
function asStarted(ctx: WriteContext, run: RunRecord, args: StartAttemptArgs): RunRecord {
  const attempt: AttemptRecord = {
    attempt: run.attempts.length + 1,
    startedAt: args.now,
    endedAt: null,
    durationMs: null,
    outcome: null,
    error: null,
    worker: args.owner,
  };
  return {
    ...run,
    status: "running",
    nextAttemptAt: null,
    startedAt: run.attempts.length === 0 ? args.now : run.startedAt,
    worker: args.owner,
    lease: newLease(ctx, args.owner, args.now, args.leaseMs),
    attempts: [...run.attempts, attempt],
  };
}

/**
 * A pending run's first start from the record the caller holds (see `StartAttemptArgs.record`):
 * the update applies only while the row is still that run, pending, unstarted and under the
 * caller's token, and the answer is built from the record instead of read back (reading the run
 * was about an eighth of firing a job on SQLite). Null when it did not apply: the caller then reads
 * the run and answers as usual (a lost lease, a cancelled run...).
 */
function startFromRecord(ctx: WriteContext, runId: string, args: StartAttemptArgs): RunRecord | null {
  const record = args.record;
  if (
    !record ||
    record.id !== runId ||
    record.status !== "pending" ||
    record.attempts.length > 0 ||
    args.token === null ||
    record.lease?.token !== args.token
  )
    return null;
  const started = asStarted(ctx, record, args);
  if (ctx.s.startPendingRun.run({ ...liveRunParams(started), token: args.token }).changes === 0) return null;
  ctx.s.jobRunStarted.run(args.now, runId, record.jobId);
  return started;
}

export function finishAttempt(
  ctx: WriteContext,
  runId: string,
  args: FinishAttemptArgs,
): FinishAttemptResult | null {
  const run = getRun(ctx, runId);
  if (!run) return null;
  if (run.status !== "running" || run.lease?.owner !== args.owner || run.lease.token !== args.token) {
    throw new LeaseLostError(`Run ${runId} is no longer leased to ${args.owner}.`);
  }
  const attempts = closeOpenAttempt(run.attempts, args.now, args.outcome, args.error);
  if (args.retryAt !== null) {
    const retrying: RunRecord = {
      ...run,
      status: "retrying",
      attempts,
      error: args.error,
      reason: args.reason,
      nextAttemptAt: args.retryAt,
      lease: null,
    };
    writeRun(ctx, retrying, null);
    return { run: retrying, promoted: null };
  }
  const reason = args.outcome === "succeeded" ? null : args.reason;
  const finished = finishRun(ctx, { ...run, attempts }, args.outcome, reason, args.error, args.now);
  const promoted = promoteWaiting(ctx, run.jobId, finished.activeRuns, args);
  return { run: finished.run, promoted };
}

export function renewRunLeases(
  ctx: WriteContext,
  runIds: readonly string[],
  args: { now: number; owner: string; leaseMs: number },
): string[] {
  const lost: string[] = [];
  for (const id of runIds) {
    const run = getRun(ctx, id);
    if (!run || run.lease?.owner !== args.owner || (run.status !== "running" && run.status !== "pending")) {
      lost.push(id);
      continue;
    }
    // Same token: renewing extends the lease, it does not fence out the holder's own writes.
    ctx.s.setRunLease.run(JSON.stringify({ ...run.lease, expiresAt: args.now + args.leaseMs }), id);
  }
  return lost;
}

export function cancelRun(ctx: WriteContext, runId: string, args: CancelRunArgs): CancelRunResult | null {
  const run = getRun(ctx, runId);
  if (!run || run.status === "running" || !LIVE_RUN_STATUSES.has(run.status)) return null;
  const cancelled: RunRecord = {
    ...run,
    status: "cancelled",
    reason: args.reason,
    endedAt: args.now,
    nextAttemptAt: null,
    lease: null,
  };
  writeRun(ctx, cancelled, ctx.seq.next());
  const job = ctx.s.jobRunCancelled.get(run.jobId);
  if (!job) return { run: cancelled, promoted: null };
  trimFinals(ctx, run.jobId, job.final_runs);
  return { run: cancelled, promoted: promoteWaiting(ctx, run.jobId, job.active_runs, args) };
}

function closeOpenAttempt(
  attempts: readonly AttemptRecord[],
  now: number,
  outcome: NonNullable<AttemptRecord["outcome"]>,
  error: AttemptRecord["error"],
): AttemptRecord[] {
  const open = attempts[attempts.length - 1];
  if (!open || open.endedAt !== null) return [...attempts];
  const durationMs = Math.max(0, now - open.startedAt);
  return [...attempts.slice(0, -1), { ...open, endedAt: now, durationMs, outcome, error }];
}

/** A running run becomes final: the run, then its job's counters and last-run fields, then retention. */
function finishRun(
  ctx: WriteContext,
  run: RunRecord,
  outcome: "succeeded" | "failed" | "timed-out" | "cancelled",
  reason: RunReason | null,
  error: RunRecord["error"],
  now: number,
): { run: RunRecord; activeRuns: number } {
  const open = run.attempts[run.attempts.length - 1];
  const durationMs = open ? Math.max(0, now - open.startedAt) : null;
  const finished: RunRecord = {
    ...run,
    status: outcome,
    reason,
    endedAt: now,
    durationMs,
    error,
    nextAttemptAt: null,
    lease: null,
  };
  writeRun(ctx, finished, ctx.seq.next());
  const job = ctx.s.jobRunFinished.get({
    id: run.jobId,
    failed: outcome === "failed" || outcome === "timed-out" ? 1 : 0,
    last_run_id: run.id,
    last_run_started_at: finished.startedAt,
    last_run_ended_at: now,
    last_duration_ms: durationMs,
    last_outcome: outcome,
    last_error: outcome === "succeeded" || error === null ? null : JSON.stringify(error),
  });
  // The foreign key guarantees the job exists while its run does.
  trimFinals(ctx, run.jobId, job!.final_runs);
  return { run: finished, activeRuns: job!.active_runs };
}
