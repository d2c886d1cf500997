/**
 * What the public API returns about jobs and runs: the records with `Date`s, derived fields
 * (status, type, schedule in words) and nothing internal (claims, leases). `JSON.stringify` turns
 * the dates into ISO 8601 strings, which is what the HTTP API sends.
 */
import type { SerializedError } from "../errors.js";
import type { TriggerSpecBase } from "../triggers/trigger.js";
import type {
  AttemptRecord,
  JobRecord,
  JobStatus,
  JobType,
  RunOrigin,
  RunReason,
  RunRecord,
  RunStatus,
} from "./job.js";
import type { JobPolicy } from "./policies.js";
import { jobStatusOf } from "../stores/store.js";

export interface JobInfo {
  id: string;
  taskName: string;
  args: unknown[];
  description: string | null;
  /** The trigger as data (`{ kind, version: 1, ... }`). */
  trigger: TriggerSpecBase;
  /** The trigger in plain English: "every 5 minutes", "at 09:00, Monday through Friday". */
  schedule: string;
  /** The timezone of a cron or calendar trigger, else null. */
  timezone: string | null;
  type: JobType;
  status: JobStatus;
  /** Paused by a user (also while `status` says `missing-task`, which takes precedence). */
  paused: boolean;
  /** Whether this process has the job's task registered. */
  taskRegistered: boolean;
  policy: JobPolicy;
  nextRunAt: Date | null;
  /** Live runs: pending, waiting, dispatched, running or retrying. */
  activeRuns: number;
  runCount: number;
  failureCount: number;
  skippedCount: number;
  missedCount: number;
  lastRunId: string | null;
  lastRunStartedAt: Date | null;
  lastRunEndedAt: Date | null;
  lastDurationMs: number | null;
  lastOutcome: RunStatus | null;
  lastError: SerializedError | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export interface AttemptInfo {
  attempt: number;
  startedAt: Date;
  endedAt: Date | null;
  durationMs: number | null;
  outcome: AttemptRecord["outcome"];
  error: SerializedError | null;
  worker: string | null;
}

export interface RunInfo {
  id: string;
  jobId: string;
  taskName: string;
  origin: RunOrigin;
  scheduledAt: Date;
  dueAt: Date;
  firedAt: Date;
  status: RunStatus;
  reason: RunReason | null;
  args: unknown[];
  startedAt: Date | null;
  endedAt: Date | null;
  durationMs: number | null;
  attempts: AttemptInfo[];
  maxAttempts: number;
  nextAttemptAt: Date | null;
  error: SerializedError | null;
  worker: string | null;
  /** Several missed occurrences recorded as one (a long downtime): how many, up to when. */
  coalesced: { count: number; lastScheduledAt: Date } | null;
}

const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

export function toJobInfo(
  job: JobRecord,
  extra: { schedule: string; timezone: string | null; recurring: boolean; taskRegistered: boolean },
): JobInfo {
  return {
    id: job.id,
    taskName: job.taskName,
    args: job.args,
    description: job.description,
    trigger: job.trigger,
    schedule: extra.schedule,
    timezone: extra.timezone,
    type: extra.recurring ? "periodic" : "one-off",
    status: extra.taskRegistered ? jobStatusOf(job) : "missing-task",
    paused: job.paused,
    taskRegistered: extra.taskRegistered,
    policy: job.policy,
    nextRunAt: job.paused ? null : date(job.nextRunAt),
    activeRuns: job.activeRuns,
    runCount: job.runCount,
    failureCount: job.failureCount,
    skippedCount: job.skippedCount,
    missedCount: job.missedCount,
    lastRunId: job.lastRunId,
    lastRunStartedAt: date(job.lastRunStartedAt),
    lastRunEndedAt: date(job.lastRunEndedAt),
    lastDurationMs: job.lastDurationMs,
    lastOutcome: job.lastOutcome,
    lastError: job.lastError,
    createdAt: new Date(job.createdAt),
    updatedAt: new Date(job.updatedAt),
    version: job.version,
  };
}

export function toRunInfo(run: RunRecord): RunInfo {
  return {
    id: run.id,
    jobId: run.jobId,
    taskName: run.taskName,
    origin: run.origin,
    scheduledAt: new Date(run.scheduledAt),
    dueAt: new Date(run.dueAt),
    firedAt: new Date(run.firedAt),
    status: run.status,
    reason: run.reason,
    args: run.args,
    startedAt: date(run.startedAt),
    endedAt: date(run.endedAt),
    durationMs: run.durationMs,
    attempts: run.attempts.map((a) => ({
      attempt: a.attempt,
      startedAt: new Date(a.startedAt),
      endedAt: date(a.endedAt),
      durationMs: a.durationMs,
      outcome: a.outcome,
      error: a.error,
      worker: a.worker,
    })),
    maxAttempts: run.retry.attempts,
    nextAttemptAt: date(run.nextAttemptAt),
    error: run.error,
    worker: run.worker,
    coalesced: run.coalesced
      ? { count: run.coalesced.count, lastScheduledAt: new Date(run.coalesced.lastScheduledAt) }
      : null,
  };
}
