/**
 * Who is alive in a Redis deployment: scheduler replicas and workers write heartbeats, the API
 * reads them ({@link redisCluster}, the Redis implementation of the server's ClusterView).
 *
 * A heartbeat is a hash `<prefix>:<kind>:<id>` that expires three intervals after it was written,
 * plus an entry in `<prefix>:<kind>s` for listing. Liveness is the key's existence, so it is decided
 * by Redis's clock: a process whose clock is off still appears alive exactly as long as it beats.
 */
import { hostname } from "node:os";
import { Queue } from "bullmq";
import type { Clock, Timer } from "../../core/clock/clock.js";
import type { CronqEvents } from "../../core/events.js";
import type { Scheduler } from "../../core/scheduler/scheduler.js";
import type {
  ClusterSnapshot,
  ClusterView,
  ReplicaState,
  RunningRunState,
  WorkerState,
} from "../../server/cluster.js";
import { groupsKey } from "../../queue/control.js";
import { queuePrefix } from "../../queue/dispatch.js";
import type { RedisStore } from "./store.js";

export type HeartbeatKind = "replica" | "worker";

/** A running run as a worker's heartbeat lists it. */
export interface HeartbeatRun {
  runId: string;
  jobId: string;
  taskName: string;
  attempt: number;
  startedAt: number;
}

export interface HeartbeatOptions {
  store: RedisStore;
  kind: HeartbeatKind;
  id: string;
  /** The fields to write at each beat (besides host, pid, startedAt and lastHeartbeatAt). */
  fields: () => Record<string, string>;
  clock: Clock;
  /** Where a failed write is reported (`error`). */
  events: { emit(event: "error", payload: CronqEvents["error"]): void };
  /** @default 2000 */
  intervalMs?: number;
}

/** Writes a heartbeat now and every interval until stopped; stop() deletes it. */
export class Heartbeat {
  readonly #options: HeartbeatOptions;
  readonly #intervalMs: number;
  readonly #startedAt: number;
  #timer: Timer | undefined;
  #stopped = false;

  constructor(options: HeartbeatOptions) {
    this.#options = options;
    this.#intervalMs = options.intervalMs ?? 2000;
    this.#startedAt = options.clock.now();
  }

  get key(): string {
    return `${this.#options.store.prefix}:${this.#options.kind}:${this.#options.id}`;
  }

  start(): void {
    this.#stopped = false;
    this.#beat();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    const { store, kind, id } = this.#options;
    const client = store.client;
    if (client.status !== "ready") return;
    await client.multi().del(this.key).zrem(`${store.prefix}:${kind}s`, id).exec();
  }

  #beat(): void {
    const { store, kind, id, clock, events } = this.#options;
    const now = clock.now();
    const fields = {
      host: hostname(),
      pid: String(process.pid),
      startedAt: String(this.#startedAt),
      lastHeartbeatAt: String(now),
      ...this.#options.fields(),
    };
    store.client
      .multi()
      .hset(this.key, fields)
      .pexpire(this.key, this.#intervalMs * 3)
      .zadd(`${store.prefix}:${kind}s`, now, id)
      .exec()
      .catch((error: unknown) =>
        events.emit("error", { error: error as Error, context: `writing the ${kind} heartbeat` }),
      )
      .finally(() => {
        if (!this.#stopped) this.#timer = clock.setTimer(() => this.#beat(), this.#intervalMs);
      });
  }
}

/** The replica heartbeat of a scheduler: its state, beating until stop(). */
export function replicaHeartbeat(store: RedisStore, scheduler: Scheduler, intervalMs?: number): Heartbeat {
  return new Heartbeat({
    store,
    kind: "replica",
    id: scheduler.id,
    fields: () => ({ state: scheduler.state }),
    clock: scheduler.options.clock,
    events: scheduler.events,
    ...(intervalMs === undefined ? {} : { intervalMs }),
  });
}

export interface RedisClusterOptions {
  store: RedisStore;
  /** The scheduler of the process serving the API: its replica entry is marked `self`. */
  scheduler?: Scheduler;
}

/** The cluster as the replicas' and workers' heartbeats and the queues tell it. */
export function redisCluster(options: RedisClusterOptions): ClusterView {
  const { store, scheduler } = options;
  const queues = new Map<string, Queue>();
  const queueOf = (group: string): Queue => {
    let queue = queues.get(group);
    if (!queue) {
      queue = new Queue(group, { connection: store.client, prefix: queuePrefix(store.prefix) });
      queues.set(group, queue);
    }
    return queue;
  };

  async function entries(kind: HeartbeatKind): Promise<Array<{ id: string; hash: Record<string, string> }>> {
    const client = store.client;
    const listKey = `${store.prefix}:${kind}s`;
    const ids = await client.zrange(listKey, 0, -1);
    if (ids.length === 0) return [];
    const pipeline = client.pipeline();
    for (const id of ids) pipeline.hgetall(`${store.prefix}:${kind}:${id}`);
    const replies = (await pipeline.exec()) ?? [];
    const out: Array<{ id: string; hash: Record<string, string> }> = [];
    const gone: string[] = [];
    ids.forEach((id, i) => {
      const [error, hash] = replies[i] ?? [null, {}];
      if (error) throw error;
      if (Object.keys(hash as object).length === 0) gone.push(id);
      else out.push({ id, hash: hash as Record<string, string> });
    });
    // Heartbeats that expired (a process that died): drop them from the listing too.
    if (gone.length > 0) await client.zrem(listKey, ...gone);
    return out;
  }

  return {
    async snapshot(): Promise<ClusterSnapshot> {
      const [replicaEntries, workerEntries, groups] = await Promise.all([
        entries("replica"),
        entries("worker"),
        store.client.smembers(groupsKey(store.prefix)),
      ]);
      const replicas: ReplicaState[] = replicaEntries.map(({ id, hash }) => ({
        id,
        state: hash.state ?? "unknown",
        self: scheduler !== undefined && id === scheduler.id,
        host: hash.host ?? null,
        pid: hash.pid === undefined ? null : Number(hash.pid),
        startedAt: hash.startedAt === undefined ? null : new Date(Number(hash.startedAt)),
        lastHeartbeatAt: new Date(Number(hash.lastHeartbeatAt)),
      }));
      const workers: WorkerState[] = workerEntries.map(({ id, hash }) => ({
        id,
        host: hash.host ?? null,
        pid: hash.pid === undefined ? null : Number(hash.pid),
        groups: hash.groups ? (JSON.parse(hash.groups) as string[] | null) : null,
        concurrency: hash.concurrency ? Number(hash.concurrency) : null,
        lastHeartbeatAt: new Date(Number(hash.lastHeartbeatAt)),
        running: (hash.running ? (JSON.parse(hash.running) as HeartbeatRun[]) : []).map(
          (run): RunningRunState => ({
            runId: run.runId,
            jobId: run.jobId,
            taskName: run.taskName,
            attempt: run.attempt,
            startedAt: new Date(run.startedAt),
            worker: id,
          }),
        ),
      }));
      const byGroup: Record<string, number> = {};
      let depth = 0;
      for (const group of groups.sort()) {
        const counts = await queueOf(group).getJobCounts("wait", "delayed", "prioritized");
        const n = Object.values(counts).reduce((a, b) => a + b, 0);
        byGroup[group] = n;
        depth += n;
      }
      return { replicas, workers, queue: { depth, byGroup } };
    },
  };
}
