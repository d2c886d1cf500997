/**
 * The cluster view: which scheduler replicas and workers are alive, what each one runs, and how
 * many runs wait for a slot. The API shows it at `GET /cluster` and in `GET /overview`, and the
 * metrics take the queue depth from it.
 *
 * Embedded (`cronq start`), this process is the one replica and the one worker:
 * {@link embeddedCluster}. The Redis deployment implements the same interface from the heartbeats
 * its replicas and workers write.
 */
import { hostname } from "node:os";
import type { Scheduler } from "../core/scheduler/scheduler.js";
import { runningState } from "./overview.js";

export interface RunningRunState {
  runId: string;
  jobId: string;
  taskName: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** When the current attempt started. */
  startedAt: Date;
  worker: string | null;
}

export interface ReplicaState {
  id: string;
  /** The replica's scheduler state (`running`, `paused`...). */
  state: string;
  /** Whether this replica is the process serving the API. */
  self: boolean;
  host: string | null;
  pid: number | null;
  startedAt: Date | null;
  lastHeartbeatAt: Date;
}

export interface WorkerState {
  id: string;
  host: string | null;
  pid: number | null;
  /** Queue groups it consumes; null for all. */
  groups: string[] | null;
  /** Most tasks at once; null when unbounded. */
  concurrency: number | null;
  lastHeartbeatAt: Date;
  running: RunningRunState[];
}

export interface ClusterSnapshot {
  replicas: ReplicaState[];
  workers: WorkerState[];
  queue: {
    /** Runs recorded and waiting for an executor slot or a worker. */
    depth: number;
    byGroup: Record<string, number> | null;
  };
}

/** What the API needs to know about the processes around the store. */
export interface ClusterView {
  /** The cluster as it is now. May reject with StoreUnavailableError. */
  snapshot(): Promise<ClusterSnapshot>;
}

/** How many running runs the embedded view lists: a worker cannot run more at once than this in practice. */
const MAX_RUNNING_LISTED = 1000;

/** The cluster of an embedded scheduler: this process is the one replica and the one worker. */
export function embeddedCluster(scheduler: Scheduler): ClusterView {
  const clock = scheduler.options.clock;
  const host = hostname();
  // Embedded, the replica lives as long as the process.
  const startedAt = new Date(clock.now() - Math.round(process.uptime() * 1000));
  return {
    async snapshot(): Promise<ClusterSnapshot> {
      const now = new Date(clock.now());
      const executor = scheduler.options.executor;
      const page = await scheduler.listRuns({ status: ["running"], limit: MAX_RUNNING_LISTED });
      const running: RunningRunState[] = page.items
        .filter((run) => run.worker === null || run.worker === scheduler.id)
        .map(runningState);
      const concurrency = (executor as { concurrency?: unknown }).concurrency;
      return {
        replicas: [
          {
            id: scheduler.id,
            state: scheduler.state,
            self: true,
            host,
            pid: process.pid,
            startedAt,
            lastHeartbeatAt: now,
          },
        ],
        workers: [
          {
            id: scheduler.id,
            host,
            pid: process.pid,
            groups: null,
            concurrency: typeof concurrency === "number" && Number.isFinite(concurrency) ? concurrency : null,
            lastHeartbeatAt: now,
            running,
          },
        ],
        // The executor's load counts what executes and what waits for a slot; the difference is the queue.
        queue: { depth: Math.max(0, executor.load - running.length), byGroup: null },
      };
    },
  };
}
