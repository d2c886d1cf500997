/**
 * From the library's infos (with `Date`s) to the API's response types (with ISO strings). The
 * return types come from the response schemas, so the compiler holds each function to its schema.
 */
import type { SerializedError } from "../core/errors.js";
import type { AttemptInfo, JobInfo, RunInfo } from "../core/jobs/info.js";
import type { TaskDefinition } from "../core/tasks.js";
import type { Job } from "./schemas/jobs.js";
import type { Attempt, Run } from "./schemas/runs.js";
import type { Task } from "./schemas/tasks.js";

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

export function toJob(job: JobInfo): Job {
  return {
    id: job.id,
    taskName: job.taskName,
    args: job.args,
    description: job.description,
    trigger: job.trigger as Job["trigger"],
    schedule: job.schedule,
    timezone: job.timezone,
    type: job.type,
    status: job.status,
    paused: job.paused,
    taskRegistered: job.taskRegistered,
    policy: job.policy,
    nextRunAt: iso(job.nextRunAt),
    activeRuns: job.activeRuns,
    runCount: job.runCount,
    failureCount: job.failureCount,
    skippedCount: job.skippedCount,
    missedCount: job.missedCount,
    lastRunId: job.lastRunId,
    lastRunStartedAt: iso(job.lastRunStartedAt),
    lastRunEndedAt: iso(job.lastRunEndedAt),
    lastDurationMs: job.lastDurationMs,
    lastOutcome: job.lastOutcome,
    lastError: toError(job.lastError, false),
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
    version: job.version,
  };
}

/**
 * A run. Stacks (the task's own, from its failure) are only in a single run's detail: lists stay
 * small, and the stack is there for whoever opens the run.
 */
export function toRun(run: RunInfo, options: { stacks: boolean }): Run {
  return {
    id: run.id,
    jobId: run.jobId,
    taskName: run.taskName,
    origin: run.origin,
    scheduledAt: run.scheduledAt.toISOString(),
    dueAt: run.dueAt.toISOString(),
    firedAt: run.firedAt.toISOString(),
    status: run.status,
    reason: run.reason,
    args: run.args,
    startedAt: iso(run.startedAt),
    endedAt: iso(run.endedAt),
    durationMs: run.durationMs,
    attempts: run.attempts.map((a) => toAttempt(a, options.stacks)),
    maxAttempts: run.maxAttempts,
    nextAttemptAt: iso(run.nextAttemptAt),
    error: toError(run.error, options.stacks),
    worker: run.worker,
    coalesced: run.coalesced
      ? { count: run.coalesced.count, lastScheduledAt: run.coalesced.lastScheduledAt.toISOString() }
      : null,
  };
}

function toAttempt(attempt: AttemptInfo, stacks: boolean): Attempt {
  return {
    attempt: attempt.attempt,
    startedAt: attempt.startedAt.toISOString(),
    endedAt: iso(attempt.endedAt),
    durationMs: attempt.durationMs,
    outcome: attempt.outcome,
    error: toError(attempt.error, stacks),
    worker: attempt.worker,
  };
}

function toError(error: SerializedError | null, stack: boolean): Job["lastError"] {
  if (error === null) return null;
  return {
    name: error.name,
    message: error.message,
    ...(error.code === undefined ? {} : { code: error.code }),
    ...(stack && error.stack !== undefined ? { stack: error.stack } : {}),
  };
}

export function toTask(task: TaskDefinition): Task {
  return { name: task.name, description: task.description, argsSchema: task.jsonSchema };
}
