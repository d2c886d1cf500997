/**
 * The value types of cronq's domain.
 *
 * - A **job** is a task plus a trigger plus policies, under a unique id.
 * - An **occurrence** is one instant at which a job's trigger fires; its identity is
 *   `${jobId}@${scheduledAt ISO}` ({@link occurrenceId}), used as the run-ledger key, the queue job
 *   id and the idempotency key handed to the task.
 * - A **run** is what became of an occurrence: executed (succeeded, failed, timed out), or recorded
 *   as skipped, missed or cancelled with a reason. One run record per occurrence, never two.
 * - An **attempt** is one execution of a run's task; retries add attempts to the same run.
 *
 * Records (`JobRecord`, `RunRecord`) are what stores persist: plain JSON-friendly data with times in
 * epoch milliseconds. Infos (`JobInfo`, `RunInfo`) are what the public API returns, with `Date`s.
 */
import type { SerializedError } from "../errors.js";
import type { TriggerSpecBase } from "../triggers/trigger.js";
import type { JobPolicy, RetryPolicy } from "./policies.js";

/** Where a job is in its life, as the seed's web page showed it. */
export type JobStatus =
  /** Waiting for its next occurrence. */
  | "scheduled"
  /** At least one of its runs is executing now (on any worker). */
  | "running"
  /** Paused by a user: no occurrences until resumed. */
  | "paused"
  /** Its trigger will never fire again and its last run succeeded (a finished one-off job). */
  | "completed"
  /** Its trigger will never fire again and its last run failed. */
  | "failed"
  /** Its task is not registered in this process; the job is kept and reported, not dropped. */
  | "missing-task";

/** Whether a job repeats. */
export type JobType = "periodic" | "one-off";

/** The state of a run. The first five are live; the rest are final outcomes. */
export type RunStatus =
  /** Recorded by the scheduler, not yet handed to an executor (the dispatch is leased). */
  | "pending"
  /** Overlap policy `queue`: waits for the job's earlier run to finish. */
  | "waiting"
  /** Handed to a queue (Redis), not started by a worker yet. */
  | "dispatched"
  /** An attempt is executing. */
  | "running"
  /** An attempt failed and the next one waits for its backoff (`nextAttemptAt`). */
  | "retrying"
  /** The task returned normally. */
  | "succeeded"
  /** The task threw on its last allowed attempt, threw a NonRetryableError, or could not run. */
  | "failed"
  /** The last attempt exceeded the timeout. */
  | "timed-out"
  /** Not executed because of the overlap policy (the job was still running). */
  | "skipped"
  /** Not executed because it was too late (misfire grace, catch-up policy). */
  | "missed"
  /** Stopped before it finished: replaced, job removed, scheduler shut down. */
  | "cancelled";

/** Every job status, for checking input at run time (the API's enums check that it is complete). */
export const JOB_STATUSES = [
  "scheduled",
  "running",
  "paused",
  "completed",
  "failed",
  "missing-task",
] as const satisfies readonly JobStatus[];

/** Every run status, live ones first, for checking input at run time (as JOB_STATUSES). */
export const RUN_STATUSES = [
  "pending",
  "waiting",
  "dispatched",
  "running",
  "retrying",
  "succeeded",
  "failed",
  "timed-out",
  "skipped",
  "missed",
  "cancelled",
] as const satisfies readonly RunStatus[];

export const LIVE_RUN_STATUSES: ReadonlySet<RunStatus> = new Set([
  "pending",
  "waiting",
  "dispatched",
  "running",
  "retrying",
]);

export function isFinalRunStatus(status: RunStatus): boolean {
  return !LIVE_RUN_STATUSES.has(status);
}

/** Why a run ended the way it did, for every outcome but success. Stable strings, shown to users. */
export type RunReason =
  /** skipped: the job was still running (overlap `skip`, or `allow` at its limit). */
  | "overlap"
  /** skipped: overlap `queue` already held `maxQueued` waiting runs. */
  | "queue-full"
  /** missed: the scheduler fired it later than `misfireGrace` and catch-up is `none`. */
  | "misfire"
  /** missed: a later occurrence was run instead (catch-up `latest`). */
  | "catch-up"
  /** missed: beyond `catchUpLimit` occurrences under catch-up `all`. */
  | "catch-up-limit"
  /** failed: the task threw (see `error`). */
  | "error"
  /** failed / timed-out: the attempt exceeded `timeout`. */
  | "timeout"
  /** failed: the task threw a NonRetryableError. */
  | "non-retryable"
  /** failed: no task with the job's task name is registered where it ran. */
  | "task-missing"
  /** failed: the process running it died (its lease expired) and no attempt was left. */
  | "interrupted"
  /** cancelled: a newer occurrence replaced it (overlap `replace`). */
  | "replaced"
  /** cancelled: the scheduler or worker stopped before it finished. */
  | "shutdown"
  /** cancelled: the job was removed. */
  | "job-removed"
  /** cancelled: the job was paused before the run started. */
  | "job-paused"
  /** cancelled: a user cancelled it. */
  | "user";

/** Why a run exists: the trigger fired, a user asked for it, or the catch-up policy ran it late. */
export type RunOrigin = "schedule" | "manual" | "catch-up";

/** One execution of a run's task. */
export interface AttemptRecord {
  /** 1-based attempt number. */
  attempt: number;
  startedAt: number;
  endedAt: number | null;
  durationMs: number | null;
  /** Null while running. */
  outcome: "succeeded" | "failed" | "timed-out" | "interrupted" | "cancelled" | null;
  error: SerializedError | null;
  /** The scheduler or worker that executed it. */
  worker: string | null;
}

/** Who holds the right to act on a record, until when, with which fencing token. */
export interface Lease {
  owner: string;
  expiresAt: number;
  /** Increases with every new lease on the record; a write with an older token is refused. */
  token: number;
}

export interface JobRecord {
  id: string;
  taskName: string;
  /** Positional arguments for the task; JSON-serialisable. */
  args: unknown[];
  description: string | null;
  trigger: TriggerSpecBase;
  policy: JobPolicy;
  paused: boolean;
  /**
   * The nominal time of the next occurrence (before jitter), or null when the job is paused or its
   * trigger will never fire again.
   */
  nextRunAt: number | null;
  /** Runs of this job that are live (pending, waiting, dispatched, running, retrying). */
  activeRuns: number;
  /** Occurrences that executed (whatever their outcome), manual runs included. */
  runCount: number;
  /** Runs that ended failed or timed out. */
  failureCount: number;
  /** Occurrences recorded as skipped. */
  skippedCount: number;
  /** Occurrences recorded as missed. */
  missedCount: number;
  lastRunId: string | null;
  lastRunStartedAt: number | null;
  lastRunEndedAt: number | null;
  lastDurationMs: number | null;
  lastOutcome: RunStatus | null;
  lastError: SerializedError | null;
  createdAt: number;
  updatedAt: number;
  /** Increases on every change made through the management API (not on fires). */
  version: number;
  /** The scheduler replica firing this job right now, if any. */
  claim: Lease | null;
}

export interface RunRecord {
  /** `${jobId}@${scheduledAt ISO}`: the occurrence identity. */
  id: string;
  jobId: string;
  taskName: string;
  origin: RunOrigin;
  /** The nominal occurrence time (for a manual run, when it was asked for). */
  scheduledAt: number;
  /** When it was due: `scheduledAt` plus the job's jitter. */
  dueAt: number;
  /** When the scheduler recorded it (the fire time; `firedAt - dueAt` is the lateness). */
  firedAt: number;
  status: RunStatus;
  reason: RunReason | null;
  /** Arguments as they were when it fired. */
  args: unknown[];
  startedAt: number | null;
  endedAt: number | null;
  durationMs: number | null;
  attempts: AttemptRecord[];
  /** The job's retry policy when it fired (`retry.attempts` is the most attempts). */
  retry: RetryPolicy;
  /** The job's per-attempt timeout when it fired; null for none. */
  timeoutMs: number | null;
  /** The queue group that executes it (distributed mode). */
  group: string;
  /** When `retrying`: when the next attempt may start. */
  nextAttemptAt: number | null;
  error: SerializedError | null;
  /** The scheduler or worker of the latest attempt. */
  worker: string | null;
  /**
   * Who may act on this run now: the scheduler dispatching it (`pending`) or the process executing it
   * (`running`). Null when nobody needs to (waiting, dispatched to a queue, retrying, final).
   */
  lease: Lease | null;
  /**
   * When several missed occurrences are recorded as one record (a long downtime), how many it stands
   * for and the last one's time; null for a single occurrence.
   */
  coalesced: { count: number; lastScheduledAt: number } | null;
}

/** A new job's record: what it runs, when it first fires, and no run yet. */
export function newJobRecord(
  fields: Pick<
    JobRecord,
    "id" | "taskName" | "args" | "description" | "trigger" | "policy" | "paused" | "nextRunAt"
  >,
  now: number,
): JobRecord {
  return {
    id: fields.id,
    taskName: fields.taskName,
    args: fields.args,
    description: fields.description,
    trigger: fields.trigger,
    policy: fields.policy,
    paused: fields.paused,
    nextRunAt: fields.nextRunAt,
    activeRuns: 0,
    runCount: 0,
    failureCount: 0,
    skippedCount: 0,
    missedCount: 0,
    lastRunId: null,
    lastRunStartedAt: null,
    lastRunEndedAt: null,
    lastDurationMs: null,
    lastOutcome: null,
    lastError: null,
    createdAt: now,
    updatedAt: now,
    version: 1,
    claim: null,
  };
}

/** `job1@2026-11-27T09:00:00.000Z`: the identity of a job's occurrence. */
export function occurrenceId(jobId: string, scheduledAtMs: number): string {
  return `${jobId}@${isoString(scheduledAtMs)}`;
}

/**
 * Whether `id` is `occurrenceId(jobId, scheduledAtMs)`, found without building that id: comparing
 * with a freshly built one flattens both strings (ids are concatenations), which at 100,000 runs a
 * second was a tenth of the CPU of recording them.
 */
export function isOccurrenceId(id: string, jobId: string, scheduledAtMs: number): boolean {
  const iso = isoString(scheduledAtMs);
  const at = jobId.length;
  return (
    id.length === at + 1 + iso.length &&
    id.endsWith(iso) &&
    id.charCodeAt(at) === 64 && // "@"
    id.startsWith(jobId)
  );
}

// Thousands of jobs often fire at the same instant: formatting it once saves most of the work.
let lastIsoMs = Number.NaN;
let lastIso = "";
function isoString(ms: number): string {
  if (ms !== lastIsoMs) {
    lastIso = new Date(ms).toISOString();
    lastIsoMs = ms;
  }
  return lastIso;
}

/** Splits an occurrence id at its last `@`; null when it is not one. */
export function parseOccurrenceId(runId: string): { jobId: string; scheduledAt: number } | null {
  const at = runId.lastIndexOf("@");
  if (at <= 0) return null;
  const scheduledAt = Date.parse(runId.slice(at + 1));
  return Number.isNaN(scheduledAt) ? null : { jobId: runId.slice(0, at), scheduledAt };
}

/**
 * A live run of a commit whose job was paused after it was claimed (a pause racing the firing):
 * recorded `cancelled` with reason `job-paused`, as pauseJob cancels what has not started. In place:
 * the store owns the records it is given.
 */
export function cancelForPause(run: RunRecord, now: number): void {
  run.status = "cancelled";
  run.reason = "job-paused";
  run.endedAt = now;
}
