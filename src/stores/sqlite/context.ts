/**
 * What every store operation works with inside its transaction: the connection, the prepared
 * statements, the retention policy and the sequence. Helpers used by several operations live here.
 */
import type Database from "better-sqlite3";
import { InvalidArgumentError } from "../../core/errors.js";
import type { Lease, RunRecord } from "../../core/jobs/job.js";
import type { RetentionPolicy } from "../../core/stores/store.js";
import { runFromRow } from "./rows.js";
import type { LiveRunUpdateParams, StatementCache, Statements } from "./statements.js";

export interface StoreContext {
  readonly db: Database.Database;
  readonly s: Statements;
  readonly queries: StatementCache;
  readonly retention: RetentionPolicy;
}

/**
 * The database's monotonic counter, read once and written back once per write transaction.
 *
 * Safe because every write runs in a `BEGIN IMMEDIATE` transaction: no other connection can
 * write between our read and our write-back, so the values handed out are greater than any handed
 * out before, by any process. Fencing tokens and final-run order share it; both only need to grow.
 */
export class Sequence {
  readonly #s: Statements;
  #value: number | null = null;
  #dirty = false;

  constructor(s: Statements) {
    this.#s = s;
  }

  next(): number {
    this.#value = (this.#value ?? this.#s.readSequence.get()!.value) + 1;
    this.#dirty = true;
    return this.#value;
  }

  /** Writes the last value handed out; called by the transaction wrapper before COMMIT. */
  flush(): void {
    if (this.#dirty) this.#s.writeSequence.run(this.#value!);
    this.#dirty = false;
  }
}

/** What a write operation gets: the context plus the transaction's sequence. */
export interface WriteContext extends StoreContext {
  readonly seq: Sequence;
}

export function newLease(ctx: WriteContext, owner: string, now: number, leaseMs: number): Lease {
  return { owner, expiresAt: now + leaseMs, token: ctx.seq.next() };
}

/**
 * Retention as runs finish: once a job holds more than `maxRunsPerJob` final runs, deletes the
 * ones that became final first. `finalRuns` is the job's count after the latest change. Returns
 * how many it deleted.
 */
export function trimFinals(ctx: StoreContext, jobId: string, finalRuns: number): number {
  const excess = finalRuns - ctx.retention.maxRunsPerJob;
  if (excess <= 0) return 0;
  const deleted = ctx.s.trimFinals.run(jobId, excess).changes;
  ctx.s.jobFinalsRemoved.run(deleted, jobId);
  return deleted;
}

/**
 * Overlap `queue`: when the job's only live runs left are waiting ones, turns the oldest into a
 * `pending` run leased to `owner`, who must dispatch it. `activeRuns` is the job's count after
 * the change that may free it; 0 means nothing waits, and saves the queries for most jobs.
 */
export function promoteWaiting(
  ctx: WriteContext,
  jobId: string,
  activeRuns: number,
  lease: { owner: string; now: number; leaseMs: number },
): RunRecord | null {
  if (activeRuns === 0) return null;
  const row = ctx.s.oldestWaiting.get(jobId);
  if (!row || ctx.s.liveNotWaiting.get(jobId)!.n > 0) return null;
  const promoted: RunRecord = {
    ...runFromRow(row),
    status: "pending",
    lease: newLease(ctx, lease.owner, lease.now, lease.leaseMs),
  };
  writeRun(ctx, promoted, null);
  return promoted;
}

/** The columns of a live run that change as it goes (see `updateLiveRun`). */
export function liveRunParams(run: RunRecord): LiveRunUpdateParams {
  return {
    id: run.id,
    status: run.status,
    reason: run.reason,
    started_at: run.startedAt,
    attempts: JSON.stringify(run.attempts),
    next_attempt_at: run.nextAttemptAt,
    error: run.error === null ? null : JSON.stringify(run.error),
    worker: run.worker,
    lease: run.lease === null ? null : JSON.stringify(run.lease),
  };
}

/** Writes the mutable fields of a run that exists; `finalSeq` is null while it stays live. */
export function writeRun(ctx: StoreContext, run: RunRecord, finalSeq: number | null): void {
  if (finalSeq === null) {
    ctx.s.updateLiveRun.run(liveRunParams(run));
    return;
  }
  ctx.s.updateRun.run({
    ...liveRunParams(run),
    ended_at: run.endedAt,
    duration_ms: run.durationMs,
    final_seq: finalSeq,
  });
}

/**
 * A claim's `limit` as SQL may bind it: SQLite reads a negative LIMIT as "no limit", which would
 * turn a bad argument into claiming every due job.
 */
export function claimLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 0) {
    throw new InvalidArgumentError("limit", "a non-negative integer", limit);
  }
  return limit;
}
