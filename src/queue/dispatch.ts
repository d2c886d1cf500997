/**
 * Handing `pending` runs to BullMQ: one queue per task group (`policy.group`), the occurrence id as
 * the job id (job-id.ts), `delay` for jitter, then `pending` -> `dispatched` in the store. Shared by
 * the queue executor (a replica's fires) and the worker (a waiting run its finish promoted).
 *
 * Order matters: the job is added before the run is marked dispatched. A dispatcher that dies in
 * between leaves a `pending` run whose lease expires, and another replica dispatches it again; the
 * second add of the same job id is a no-op while the first job is still queued. The other order
 * could lose a run: `dispatched` runs have no lease, so a run marked dispatched and never queued
 * would wait forever. A worker may take the job before the run is marked dispatched: it starts the
 * run with the lease token carried in the job's data, which the store accepts for a pending run.
 */
import { Queue, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import type { RunRecord } from "../core/jobs/job.js";
import type { Store } from "../core/stores/store.js";
import { groupsKey, publishControl } from "./control.js";
import { queueJobId } from "./job-id.js";

/** What a queue job carries: the run, and the dispatch lease token it was queued with. */
export interface QueueJobData {
  runId: string;
  /** The lease token of the `pending` run when it was queued; null when queued by an older cronq. */
  token: number | null;
  /**
   * The run as it was queued, without its lease: the worker starts its first attempt from it
   * without reading the run back (StartAttemptArgs.record). Absent in jobs queued by an older cronq.
   */
  run?: RunRecord;
}

/** The run a queue job carries, when it is one this run's id and a record of it (see {@link QueueJobData.run}). */
export function queuedRun(data: QueueJobData): RunRecord | undefined {
  const run = data.run;
  return run && typeof run === "object" && run.id === data.runId && Array.isArray(run.attempts)
    ? run
    : undefined;
}

/** The custom backoff type of cronq's queue jobs: the worker says how long (run.nextAttemptAt). */
export const CRONQ_BACKOFF = "cronq";

/** The BullMQ key prefix under a cronq prefix: queues live at `<prefix>:q:<group>:...`. */
export function queuePrefix(prefix: string): string {
  return `${prefix}:q`;
}

export interface DispatcherOptions {
  store: Store;
  client: Redis;
  prefix: string;
  /** The lease holder marking runs dispatched. */
  owner: string;
  now: () => number;
}

export class Dispatcher {
  readonly #options: DispatcherOptions;
  readonly #queues = new Map<string, Queue<QueueJobData>>();
  /** Groups this process has registered in `<prefix>:groups`. */
  readonly #known = new Set<string>();

  constructor(options: DispatcherOptions) {
    this.#options = options;
  }

  queue(group: string): Queue<QueueJobData> {
    let queue = this.#queues.get(group);
    if (!queue) {
      queue = new Queue<QueueJobData>(group, {
        connection: this.#options.client,
        prefix: queuePrefix(this.#options.prefix),
      });
      this.#queues.set(group, queue);
    }
    return queue;
  }

  /**
   * Queues the runs and marks them dispatched. Returns the ids the store reported as no longer
   * leased to the owner (started already by a fast worker, or taken over): nothing to do for them.
   */
  async dispatch(runs: readonly RunRecord[]): Promise<string[]> {
    const byGroup = new Map<string, RunRecord[]>();
    for (const run of runs) {
      let list = byGroup.get(run.group);
      if (!list) byGroup.set(run.group, (list = []));
      list.push(run);
    }
    const now = this.#options.now();
    for (const [group, list] of byGroup) {
      await this.#register(group);
      const queue = this.queue(group);
      const fresh: RunRecord[] = [];
      for (const run of list) {
        if (run.attempts.length === 0) fresh.push(run);
        else await this.#redispatch(queue, run, now);
      }
      if (fresh.length > 0) await queue.addBulk(fresh.map((run) => queueJob(run, now)));
    }
    return this.#options.store.markDispatched(
      runs.map((run) => run.id),
      { now: this.#options.now(), owner: this.#options.owner },
    );
  }

  /**
   * Queues again the `dispatched` runs whose queue job is gone (removed by hand with BullMQ's
   * tools, or dropped by BullMQ after repeated stalls before the run started). A dispatched run has
   * no lease, so nothing else would ever notice it. Returns the ids queued again.
   */
  async requeueLost(runs: readonly RunRecord[]): Promise<string[]> {
    const now = this.#options.now();
    const lost = (
      await Promise.all(
        runs.map(async (run) =>
          (await this.queue(run.group).getJobState(queueJobId(run.id))) === "unknown" ? run : null,
        ),
      )
    ).filter((run): run is RunRecord => run !== null);
    for (const run of lost) {
      const { name, data, opts } = queueJob({ ...run, lease: null }, now);
      await this.queue(run.group).add(name, data, opts);
    }
    return lost.map((run) => run.id);
  }

  async close(): Promise<void> {
    const queues = [...this.#queues.values()];
    this.#queues.clear();
    await Promise.all(queues.map((queue) => queue.close()));
  }

  async #register(group: string): Promise<void> {
    if (this.#known.has(group)) return;
    const added = await this.#options.client.sadd(groupsKey(this.#options.prefix), group);
    if (added === 1)
      await publishControl(this.#options.client, this.#options.prefix, { type: "group", group });
    this.#known.add(group);
  }

  /**
   * A run that already had attempts (a retry the store handed back, a run taken over from a dead
   * worker) may still have its queue job: delayed for a BullMQ retry, or active under the lock of
   * a worker that died. Adding the same id again would be a no-op, so the existing job is given the
   * new lease token, and one held by a dead worker is moved back to wait at once rather than after
   * BullMQ's stall detection (lockDuration + stalledInterval, a minute by default). A finished job
   * (kept by a user's BullMQ settings) is removed so that the id can be queued again.
   */
  async #redispatch(queue: Queue<QueueJobData>, run: RunRecord, now: number): Promise<void> {
    const id = queueJobId(run.id);
    const job = await queue.getJob(id);
    if (job) {
      const state = await job.getState();
      if (state !== "completed" && state !== "failed" && state !== "unknown") {
        await job.updateData({ runId: run.id, token: run.lease?.token ?? null });
        // BullMQ quirk: the lock token "0" skips the lock check. The store decided that this
        // worker's lease expired, so its BullMQ lock no longer protects anything.
        if (state === "active") await job.moveToWait("0");
        return;
      }
      await job.remove();
    }
    const { name, data, opts } = queueJob(run, now);
    await queue.add(name, data, opts);
  }
}

function queueJob(run: RunRecord, now: number): { name: string; data: QueueJobData; opts: JobsOptions } {
  return {
    name: run.taskName,
    data: { runId: run.id, token: run.lease?.token ?? null, run: { ...run, lease: null } },
    opts: {
      jobId: queueJobId(run.id),
      // Jitter: the occurrence was recorded at its nominal time and starts at its due time.
      delay: Math.max(0, run.dueAt - now),
      // BullMQ retries the job on a failed attempt with cronq's backoff (the worker records the
      // retry time and hands it to BullMQ); the store's retry index is the safety net if the job is
      // lost. The worker ends the job with an UnrecoverableError on the final failure.
      attempts: Math.max(1, run.retry.attempts - run.attempts.length),
      backoff: { type: CRONQ_BACKOFF },
      // Finished jobs are removed: the run ledger is the history, and a kept job would make a later
      // occurrence with the same id (a job removed and added again) a silent no-op.
      removeOnComplete: true,
      removeOnFail: true,
    },
  };
}
