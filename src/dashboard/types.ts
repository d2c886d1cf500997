/**
 * The API's request and response types, taken from its zod schemas (`src/server/schemas/`) so that
 * the dashboard and the API cannot drift apart: a renamed field breaks `tsc -p src/dashboard`.
 *
 * Only types are imported (esbuild erases them): none of the server's code, nor zod, reaches the
 * bundle. The runtime lists below are the dashboard's own, each checked against the API's union at
 * compile time, so that a status added to the API fails the dashboard's typecheck instead of
 * missing from a filter.
 */
import type { JobStatus, RunStatus } from "../core/jobs/job.js";
import type { CatchUpPolicy, OverlapPolicy, BackoffKind } from "../core/jobs/policies.js";

export type { ErrorDetail, ErrorEnvelope } from "../server/schemas/common.js";
export type {
  BulkJobActionRequest,
  BulkJobActionResult,
  CreateJobRequest,
  Job,
  JobDetail,
  JobPage,
  Policy,
  ReplaceJobRequest,
} from "../server/schemas/jobs.js";
export type { Attempt, Run, RunPage } from "../server/schemas/runs.js";
export type {
  Cluster,
  Overview,
  Replica,
  RunningRun,
  SchedulerStatus,
  UpcomingRun,
  Worker,
} from "../server/schemas/scheduler.js";
export type { Session, WhoAmI } from "../server/schemas/session.js";
export type { Task, TaskList } from "../server/schemas/tasks.js";
export type { TriggerInput, TriggerPreview } from "../server/schemas/triggers.js";
export type { JobStatus, RunStatus, CatchUpPolicy, OverlapPolicy, BackoffKind };

/** Compiles only when `List` names every member of `Union`. */
type Exhaustive<Union, List extends readonly Union[]> = [Exclude<Union, List[number]>] extends [never]
  ? List
  : never;
function exhaustive<Union>() {
  return <const List extends readonly [Union, ...Union[]]>(list: Exhaustive<Union, List>): List => list;
}

export const JOB_STATUSES = exhaustive<JobStatus>()([
  "scheduled",
  "running",
  "paused",
  "completed",
  "failed",
  "missing-task",
]);

export const RUN_STATUSES = exhaustive<RunStatus>()([
  "succeeded",
  "failed",
  "timed-out",
  "skipped",
  "missed",
  "cancelled",
  "running",
  "retrying",
  "pending",
  "waiting",
  "dispatched",
]);

/** Runs that have not ended yet: they may still be cancelled. */
export const LIVE_RUN_STATUSES: ReadonlySet<RunStatus> = new Set([
  "pending",
  "waiting",
  "dispatched",
  "running",
  "retrying",
]);

export const OVERLAP_POLICIES = exhaustive<OverlapPolicy>()(["skip", "queue", "allow", "replace"]);
export const CATCH_UP_POLICIES = exhaustive<CatchUpPolicy>()(["none", "latest", "all"]);
export const BACKOFF_KINDS = exhaustive<BackoffKind>()(["exponential", "fixed"]);

/**
 * Every event name the stream sends, `hello` and `reset` included (an EventSource needs each by
 * name). Not typed from `schemas/events.ts`, which reaches Node-only code; `test/dashboard/` checks
 * this list against the server's instead.
 */
export const EVENT_NAMES = [
  "hello",
  "reset",
  "scheduler:started",
  "scheduler:stopped",
  "scheduler:paused",
  "scheduler:resumed",
  "job:added",
  "job:updated",
  "job:removed",
  "job:paused",
  "job:resumed",
  "job:task-missing",
  "run:fired",
  "run:waiting",
  "run:started",
  "run:succeeded",
  "run:failed",
  "run:retrying",
  "run:skipped",
  "run:missed",
  "run:cancelled",
] as const;

export type EventName = (typeof EVENT_NAMES)[number];
