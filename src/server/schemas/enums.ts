/**
 * The string unions of the domain as runtime lists, for zod enums. Each list is checked against the
 * core's type at compile time, so that a status added to the core breaks the build here instead of
 * being refused by the API.
 */
import {
  JOB_STATUSES as CORE_JOB_STATUSES,
  RUN_STATUSES as CORE_RUN_STATUSES,
  type AttemptRecord,
  type JobStatus,
  type JobType,
  type RunOrigin,
  type RunReason,
  type RunStatus,
} from "../../core/jobs/job.js";
import {
  BACKOFF_KINDS,
  CATCH_UP_POLICIES,
  OVERLAP_POLICIES,
  type BackoffKind,
  type CatchUpPolicy,
  type OverlapPolicy,
} from "../../core/jobs/policies.js";
import type { TriggerKind } from "../../core/triggers/trigger.js";

/** Compiles only when `List` names every member of `Union` (and nothing else). */
type Exhaustive<Union, List extends readonly Union[]> = [Exclude<Union, List[number]>] extends [never]
  ? List
  : never;

function exhaustive<Union>() {
  return <const List extends readonly [Union, ...Union[]]>(list: Exhaustive<Union, List>): List => list;
}

export const JOB_STATUSES = exhaustive<JobStatus>()(CORE_JOB_STATUSES);

export const JOB_TYPES = exhaustive<JobType>()(["periodic", "one-off"]);

export const RUN_STATUSES = exhaustive<RunStatus>()(CORE_RUN_STATUSES);

export const LIVE_RUN_STATUS_LIST = ["pending", "waiting", "dispatched", "running", "retrying"] as const;

export const RUN_REASONS = exhaustive<RunReason>()([
  "overlap",
  "queue-full",
  "misfire",
  "catch-up",
  "catch-up-limit",
  "error",
  "timeout",
  "non-retryable",
  "task-missing",
  "interrupted",
  "replaced",
  "shutdown",
  "job-removed",
  "job-paused",
  "user",
]);

export const RUN_ORIGINS = exhaustive<RunOrigin>()(["schedule", "manual", "catch-up"]);

export const ATTEMPT_OUTCOMES = exhaustive<NonNullable<AttemptRecord["outcome"]>>()([
  "succeeded",
  "failed",
  "timed-out",
  "interrupted",
  "cancelled",
]);

export const TRIGGER_KINDS = exhaustive<TriggerKind>()([
  "interval",
  "cron",
  "date",
  "calendar",
  "union",
  "intersection",
]);

// The policy lists are the core's own; only their tuple type is added here.
export const OVERLAP_POLICY_LIST = OVERLAP_POLICIES as readonly [OverlapPolicy, ...OverlapPolicy[]];
export const CATCH_UP_POLICY_LIST = CATCH_UP_POLICIES as readonly [CatchUpPolicy, ...CatchUpPolicy[]];
export const BACKOFF_KIND_LIST = BACKOFF_KINDS as readonly [BackoffKind, ...BackoffKind[]];
