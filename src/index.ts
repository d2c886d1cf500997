/**
 * cronq: the in-process scheduler. Optional parts live in subpath exports (`cronq/sqlite`,
 * `cronq/redis`, `cronq/server`, `cronq/testing`) so that importing this module loads no database
 * driver and no web server.
 */
export { Scheduler } from "./core/scheduler/scheduler.js";
export type {
  JobChanges,
  JobOptions,
  JobQueryOptions,
  RunQueryOptions,
  SchedulerState,
  StopOptions,
} from "./core/scheduler/scheduler.js";
export type { HistoryOptions, ResolvedSchedulerOptions, SchedulerOptions } from "./core/scheduler/options.js";
export { defineTask, TaskRegistry } from "./core/tasks.js";
export type {
  ArgsSchema,
  DefineTaskOptions,
  TaskArgs,
  TaskContext,
  TaskDefinition,
  TaskFunction,
  TaskList,
  TaskLogger,
} from "./core/tasks.js";
export type { AttemptInfo, JobInfo, RunInfo } from "./core/jobs/info.js";
export type {
  AttemptRecord,
  JobRecord,
  JobStatus,
  JobType,
  Lease,
  RunOrigin,
  RunReason,
  RunRecord,
  RunStatus,
} from "./core/jobs/job.js";
export { occurrenceId, parseOccurrenceId } from "./core/jobs/job.js";
export { DEFAULT_JOB_POLICY } from "./core/jobs/policies.js";
export type {
  BackoffKind,
  CatchUpPolicy,
  JobPolicy,
  JobPolicyOptions,
  OverlapPolicy,
  RetryOptions,
  RetryPolicy,
} from "./core/jobs/policies.js";
export {
  AbortedError,
  CronqError,
  DuplicateJobError,
  DuplicateTaskError,
  InvalidArgumentError,
  InvalidOptionError,
  InvalidTriggerError,
  JobNotFoundError,
  LeaseLostError,
  NonRetryableError,
  RunNotFoundError,
  SchedulerStateError,
  StoreUnavailableError,
  TaskNotFoundError,
  TimeoutError,
  serializeError,
} from "./core/errors.js";
export type { CronqErrorCode, SerializedError } from "./core/errors.js";
export type { CronqEventName, CronqEvents } from "./core/events.js";
export { TypedEmitter } from "./core/events.js";
export type { Clock, Timer } from "./core/clock/clock.js";
export { SystemClock, systemClock } from "./core/clock/system-clock.js";
export { MemoryStore } from "./core/stores/memory.js";
export type {
  ClaimArgs,
  FinishAttemptArgs,
  FinishAttemptResult,
  FireCommit,
  FireCommitResult,
  JobPatch,
  JobQuery,
  Page,
  RetentionPolicy,
  RunQuery,
  StartAttemptArgs,
  Store,
  StoreOpenOptions,
} from "./core/stores/store.js";
export type { Executor, ExecutorHost } from "./core/executors/executor.js";
export { LocalExecutor } from "./core/executors/local.js";
export type { LocalExecutorOptions } from "./core/executors/local.js";
export { runAttempt } from "./core/executors/attempt.js";
export type { AttemptEnvironment, AttemptRequest } from "./core/executors/attempt.js";
export { formatDuration, parseDuration } from "./core/duration.js";
export type { Duration } from "./core/duration.js";
export type {
  CalendarOptions,
  DateInput,
  DstPolicy,
  Trigger,
  TriggerContext,
  TriggerKind,
  TriggerOptions,
  TriggerSpecBase,
} from "./core/triggers/trigger.js";
export { defineConfig } from "./config.js";
export type { ConfigJob, ConfigStore, CronqConfig } from "./config.js";
