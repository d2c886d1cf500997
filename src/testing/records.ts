/** Builders of job and run records for store tests: valid defaults, override what the test is about. */
import type { JobRecord, RunRecord } from "../core/jobs/job.js";
import { newJobRecord, occurrenceId } from "../core/jobs/job.js";
import { DEFAULT_JOB_POLICY } from "../core/jobs/policies.js";
import { newRunRecord } from "../core/stores/store.js";

export function jobRecord(id: string, overrides: Partial<JobRecord> = {}): JobRecord {
  return {
    ...newJobRecord(
      {
        id,
        taskName: "task",
        args: [],
        description: null,
        trigger: { kind: "interval", version: 1 },
        policy: DEFAULT_JOB_POLICY,
        paused: false,
        nextRunAt: 1_000,
      },
      0,
    ),
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
