/** Builders of job and run records for store tests: valid defaults, override what the test is about. */
import type { JobRecord, RunRecord } from "../core/jobs/job.js";
import { occurrenceId } from "../core/jobs/job.js";
import { DEFAULT_JOB_POLICY } from "../core/jobs/policies.js";
import { newRunRecord } from "../core/stores/store.js";

export function jobRecord(id: string, overrides: Partial<JobRecord> = {}): JobRecord {
  return {
    id,
    taskName: "task",
    args: [],
    description: null,
    trigger: { kind: "interval", version: 1 },
    policy: DEFAULT_JOB_POLICY,
    paused: false,
    nextRunAt: 1_000,
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
    createdAt: 0,
    updatedAt: 0,
    version: 1,
    claim: null,
    ...overrides,
  };
}

export function runRecord(jobId: string, scheduledAt: number, overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    ...newRunRecord({
      id: occurrenceId(jobId, scheduledAt),
      jobId,
      taskName: "task",
      origin: "schedule",
      scheduledAt,
      dueAt: scheduledAt,
      firedAt: scheduledAt,
      status: "pending",
      args: [],
      policy: DEFAULT_JOB_POLICY,
    }),
    ...overrides,
  };
}
