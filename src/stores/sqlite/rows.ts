/**
 * Rows of the SQLite tables and their mapping to cronq's records. The mapping is the only place
 * that knows column names; everything else speaks JobRecord and RunRecord.
 */
import type { SerializedError } from "../../core/errors.js";
import type { AttemptRecord, JobRecord, Lease, RunRecord } from "../../core/jobs/job.js";
import { sharedJson } from "../../core/jobs/frozen.js";

export interface JobRow {
  id: string;
  task_name: string;
  args: string;
  description: string | null;
  trigger: string;
  policy: string;
  paused: number;
  next_run_at: number | null;
  active_runs: number;
  run_count: number;
  failure_count: number;
  skipped_count: number;
  missed_count: number;
  final_runs: number;
  last_run_id: string | null;
  last_run_started_at: number | null;
  last_run_ended_at: number | null;
  last_duration_ms: number | null;
  last_outcome: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  version: number;
  claim_owner: string | null;
  claim_expires_at: number | null;
  claim_token: number | null;
}

export interface RunRow {
  id: string;
  job_id: string;
  task_name: string;
  origin: string;
  scheduled_at: number;
  due_at: number;
  fired_at: number;
  status: string;
  reason: string | null;
  args: string;
  started_at: number | null;
  ended_at: number | null;
  duration_ms: number | null;
  attempts: string;
  retry: string;
  timeout_ms: number | null;
  group_name: string;
  next_attempt_at: number | null;
  error: string | null;
  worker: string | null;
  lease: string | null;
  coalesced: string | null;
  final_seq: number | null;
}

/** The columns a JobRecord is read from, in the order {@link jobRowOf} reads them. */
export const JOB_COLUMNS =
  "id, task_name, args, description, trigger, policy, paused, next_run_at, active_runs, run_count, " +
  "failure_count, skipped_count, missed_count, final_runs, last_run_id, last_run_started_at, " +
  "last_run_ended_at, last_duration_ms, last_outcome, last_error, created_at, updated_at, version, " +
  "claim_owner, claim_expires_at, claim_token";

/** The columns of a run, in the order {@link runRowOf} reads them. */
export const RUN_COLUMNS =
  "id, job_id, task_name, origin, scheduled_at, due_at, fired_at, status, reason, args, started_at, " +
  "ended_at, duration_ms, attempts, retry, timeout_ms, group_name, next_attempt_at, error, worker, " +
  "lease, coalesced, final_seq";

// Reads return rows as arrays (better-sqlite3's raw mode): for rows this wide, building the
// object here costs about half of what the driver's own row objects do. A test checks these
// against the driver's objects, column by column.

/** A job row from the values of `SELECT ${JOB_COLUMNS}`. */
export function jobRowOf(v: unknown[]): JobRow {
  return {
    id: v[0] as string,
    task_name: v[1] as string,
    args: v[2] as string,
    description: v[3] as string | null,
    trigger: v[4] as string,
    policy: v[5] as string,
    paused: v[6] as number,
    next_run_at: v[7] as number | null,
    active_runs: v[8] as number,
    run_count: v[9] as number,
    failure_count: v[10] as number,
    skipped_count: v[11] as number,
    missed_count: v[12] as number,
    final_runs: v[13] as number,
    last_run_id: v[14] as string | null,
    last_run_started_at: v[15] as number | null,
    last_run_ended_at: v[16] as number | null,
    last_duration_ms: v[17] as number | null,
    last_outcome: v[18] as string | null,
    last_error: v[19] as string | null,
    created_at: v[20] as number,
    updated_at: v[21] as number,
    version: v[22] as number,
    claim_owner: v[23] as string | null,
    claim_expires_at: v[24] as number | null,
    claim_token: v[25] as number | null,
  };
}

/** A run row from the values of `SELECT ${RUN_COLUMNS}`. */
export function runRowOf(v: unknown[]): RunRow {
  return {
    id: v[0] as string,
    job_id: v[1] as string,
    task_name: v[2] as string,
    origin: v[3] as string,
    scheduled_at: v[4] as number,
    due_at: v[5] as number,
    fired_at: v[6] as number,
    status: v[7] as string,
    reason: v[8] as string | null,
    args: v[9] as string,
    started_at: v[10] as number | null,
    ended_at: v[11] as number | null,
    duration_ms: v[12] as number | null,
    attempts: v[13] as string,
    retry: v[14] as string,
    timeout_ms: v[15] as number | null,
    group_name: v[16] as string,
    next_attempt_at: v[17] as number | null,
    error: v[18] as string | null,
    worker: v[19] as string | null,
    lease: v[20] as string | null,
    coalesced: v[21] as string | null,
    final_seq: v[22] as number | null,
  };
}

/** `@id, @job_id, ...`: the named parameters of an insert of every column in `columns`. */
export function placeholders(columns: string): string {
  return columns
    .split(",")
    .map((c) => `@${c.trim()}`)
    .join(", ");
}

export function jobFromRow(row: JobRow): JobRecord {
  return {
    id: row.id,
    taskName: row.task_name,
    args: JSON.parse(row.args) as unknown[],
    description: row.description,
    trigger: sharedJson<JobRecord["trigger"]>(row.trigger),
    policy: sharedJson<JobRecord["policy"]>(row.policy),
    paused: row.paused !== 0,
    nextRunAt: row.next_run_at,
    activeRuns: row.active_runs,
    runCount: row.run_count,
    failureCount: row.failure_count,
    skippedCount: row.skipped_count,
    missedCount: row.missed_count,
    lastRunId: row.last_run_id,
    lastRunStartedAt: row.last_run_started_at,
    lastRunEndedAt: row.last_run_ended_at,
    lastDurationMs: row.last_duration_ms,
    lastOutcome: row.last_outcome as JobRecord["lastOutcome"],
    lastError: parseNullable<SerializedError>(row.last_error),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
    claim:
      row.claim_token === null
        ? null
        : { owner: row.claim_owner!, expiresAt: row.claim_expires_at!, token: row.claim_token },
  };
}

/** Every column of a job row, ready to bind to an insert (the claim is never inserted). */
export function jobToRow(job: JobRecord): JobRow {
  return {
    id: job.id,
    task_name: job.taskName,
    args: JSON.stringify(job.args),
    description: job.description,
    trigger: JSON.stringify(job.trigger),
    policy: JSON.stringify(job.policy),
    paused: job.paused ? 1 : 0,
    next_run_at: job.nextRunAt,
    active_runs: job.activeRuns,
    run_count: job.runCount,
    failure_count: job.failureCount,
    skipped_count: job.skippedCount,
    missed_count: job.missedCount,
    final_runs: 0,
    last_run_id: job.lastRunId,
    last_run_started_at: job.lastRunStartedAt,
    last_run_ended_at: job.lastRunEndedAt,
    last_duration_ms: job.lastDurationMs,
    last_outcome: job.lastOutcome,
    last_error: stringifyNullable(job.lastError),
    created_at: job.createdAt,
    updated_at: job.updatedAt,
    version: job.version,
    claim_owner: null,
    claim_expires_at: null,
    claim_token: null,
  };
}

export function runFromRow(row: RunRow): RunRecord {
  return {
    id: row.id,
    jobId: row.job_id,
    taskName: row.task_name,
    origin: row.origin as RunRecord["origin"],
    scheduledAt: row.scheduled_at,
    dueAt: row.due_at,
    firedAt: row.fired_at,
    status: row.status as RunRecord["status"],
    reason: row.reason as RunRecord["reason"],
    args: JSON.parse(row.args) as unknown[],
    startedAt: row.started_at,
    endedAt: row.ended_at,
    durationMs: row.duration_ms,
    attempts: JSON.parse(row.attempts) as AttemptRecord[],
    retry: sharedJson<RunRecord["retry"]>(row.retry),
    timeoutMs: row.timeout_ms,
    group: row.group_name,
    nextAttemptAt: row.next_attempt_at,
    error: parseNullable<SerializedError>(row.error),
    worker: row.worker,
    lease: parseNullable<Lease>(row.lease),
    coalesced: parseNullable<NonNullable<RunRecord["coalesced"]>>(row.coalesced),
  };
}

/** Every column of a run row; `finalSeq` is set when the run is final. */
export function runToRow(run: RunRecord, finalSeq: number | null): RunRow {
  return {
    id: run.id,
    job_id: run.jobId,
    task_name: run.taskName,
    origin: run.origin,
    scheduled_at: run.scheduledAt,
    due_at: run.dueAt,
    fired_at: run.firedAt,
    status: run.status,
    reason: run.reason,
    args: JSON.stringify(run.args),
    started_at: run.startedAt,
    ended_at: run.endedAt,
    duration_ms: run.durationMs,
    attempts: JSON.stringify(run.attempts),
    retry: JSON.stringify(run.retry),
    timeout_ms: run.timeoutMs,
    group_name: run.group,
    next_attempt_at: run.nextAttemptAt,
    error: stringifyNullable(run.error),
    worker: run.worker,
    lease: stringifyNullable(run.lease),
    coalesced: stringifyNullable(run.coalesced),
    final_seq: finalSeq,
  };
}

function parseNullable<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

function stringifyNullable(value: object | null): string | null {
  return value === null ? null : JSON.stringify(value);
}
