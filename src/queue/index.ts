/** The queue side of distributed cronq: the BullMQ executor of scheduler replicas and the worker. */
export { QueueExecutor } from "./executor.js";
export type { QueueExecutorOptions } from "./executor.js";
export { CronqWorker } from "./worker.js";
export type { CronqWorkerOptions, WorkerState } from "./worker.js";
export { CRONQ_BACKOFF, Dispatcher, queuePrefix } from "./dispatch.js";
export type { QueueJobData } from "./dispatch.js";
export { RetryAttemptError, cronqBackoff } from "./processor.js";
export { queueJobId, runIdOfQueueJob } from "./job-id.js";
export { controlChannel, groupsKey, parseControl, publishControl } from "./control.js";
export type { ControlMessage } from "./control.js";
