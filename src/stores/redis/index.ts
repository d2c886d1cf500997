/**
 * `cronq/redis`: distributed cronq. The Redis store (jobs, runs and leases shared by scheduler
 * replicas, workers and API processes), the queue executor and worker (BullMQ), the event bridge
 * and the cluster view.
 */
export { RedisStore } from "./store.js";
export type { LeaseClock, RedisConnection, RedisStoreOptions, ResolvedRedisStoreOptions } from "./options.js";
export { DEFAULT_REDIS_URL, describeConnection } from "./options.js";
export type { RedisConnectionEvents } from "./connection.js";
export { SCRIPT_ERRORS } from "./errors.js";
export { RedisEventBridge, BRIDGED_EVENTS } from "./event-bridge.js";
export type { EventBridgeOptions } from "./event-bridge.js";
export { Heartbeat, redisCluster, replicaHeartbeat } from "./cluster.js";
export type { HeartbeatKind, HeartbeatOptions, HeartbeatRun, RedisClusterOptions } from "./cluster.js";
export {
  CronqWorker,
  QueueExecutor,
  RetryAttemptError,
  cronqBackoff,
  queueJobId,
  runIdOfQueueJob,
} from "../../queue/index.js";
export type {
  CronqWorkerOptions,
  QueueExecutorOptions,
  QueueJobData,
  WorkerState,
} from "../../queue/index.js";
