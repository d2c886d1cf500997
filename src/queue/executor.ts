/**
 * The queue executor: a scheduler replica's executor in distributed mode. It runs nothing itself;
 * it hands each `pending` run to a BullMQ queue per task group, where `cronq worker` processes take
 * it (dispatch.ts), and it carries cancellations of executing runs to those workers.
 *
 * Runs are collected for one turn of the event loop and queued in bulk. Until they are marked
 * dispatched they are leased to this replica, and the lease is renewed while they wait (Redis slow
 * or away); if this process dies meanwhile, another replica takes them over when the lease expires.
 */
import type { Timer } from "../core/clock/clock.js";
import type { Executor, ExecutorHost } from "../core/executors/executor.js";
import type { RunReason, RunRecord } from "../core/jobs/job.js";
import type { RedisStore } from "../stores/redis/store.js";
import { publishControl } from "./control.js";
import { Dispatcher } from "./dispatch.js";

export interface QueueExecutorOptions {
  /** The store the scheduler uses: the queues live under its prefix, on its connection. */
  store: RedisStore;
  /** Most runs queued in one BullMQ call. @default 1000 */
  batchSize?: number;
  /**
   * How often this replica looks for `dispatched` runs whose queue job is gone, and queues them
   * again (see Dispatcher.requeueLost). @default 30000
   */
  reconcileIntervalMs?: number;
}

/** Dispatched runs younger than this (or than the interval) are not checked: their job may be on its way. */
const RECONCILE_MIN_AGE_MS = 5_000;

const RETRY_DELAY_MS = 500;

export class QueueExecutor implements Executor {
  readonly kind = "queue";
  readonly store: RedisStore;
  readonly #batchSize: number;
  readonly #reconcileMs: number;
  #reconcileTimer: Timer | undefined;

  #host: ExecutorHost | undefined;
  #dispatcher: Dispatcher | undefined;
  #buffer: RunRecord[] = [];
  #inFlight: RunRecord[] = [];
  #flushing: Promise<void> | undefined;
  #retryTimer: Timer | undefined;
  #renewTimer: Timer | undefined;
  #stopping = false;
  #idleWaiters: Array<() => void> = [];

  constructor(options: QueueExecutorOptions) {
    this.store = options.store;
    this.#batchSize = options.batchSize ?? 1000;
    this.#reconcileMs = options.reconcileIntervalMs ?? 30_000;
  }

  /** Runs waiting to be queued or being queued now. */
  get load(): number {
    return this.#buffer.length + this.#inFlight.length;
  }

  start(host: ExecutorHost): Promise<void> {
    this.#host = host;
    this.#stopping = false;
    this.#dispatcher = new Dispatcher({
      store: host.store,
      client: this.store.client,
      prefix: this.store.prefix,
      owner: host.owner,
      now: () => host.clock.now(),
    });
    this.#scheduleRenewal();
    this.#scheduleReconcile();
    return Promise.resolve();
  }

  dispatch(runs: readonly RunRecord[]): void {
    // After stop, runs stay pending under this replica's lease, which expires: another replica
    // dispatches them. Nothing is dropped.
    if (this.#stopping || !this.#host) return;
    for (const run of runs) this.#buffer.push(run);
    this.#flushing ??= this.#flush();
  }

  /**
   * Publishes the cancel on the control channel: the worker executing the run aborts it (recorded
   * as cancelled with `reason`). Returns false, meaning "not executing in this process", so that the
   * scheduler also cancels the run in the store if it is not executing anywhere.
   */
  cancel(runId: string, reason: RunReason): boolean {
    publishControl(this.store.client, this.store.prefix, { type: "cancel", runId, reason }).catch(
      (error: unknown) =>
        this.#host?.events.emit("error", {
          error: asError(error),
          context: `run ${runId}: publishing the cancel`,
        }),
    );
    return false;
  }

  onIdle(): Promise<void> {
    if (this.load === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Queues what it holds for up to `graceMs`; what is left stays pending for another replica. */
  async stop(options: { graceMs: number }): Promise<void> {
    this.#stopping = true;
    const host = this.#host;
    if (host && this.load > 0) {
      let timer: Timer | undefined;
      await Promise.race([
        this.onIdle(),
        new Promise<void>((resolve) => (timer = host.clock.setTimer(resolve, options.graceMs))),
      ]);
      timer?.cancel();
    }
    this.#retryTimer?.cancel();
    this.#renewTimer?.cancel();
    this.#reconcileTimer?.cancel();
    this.#buffer = [];
    await this.#flushing;
    await this.#dispatcher?.close();
    this.#notifyIdle();
  }

  async #flush(): Promise<void> {
    // One turn of the event loop: the scheduler dispatches a batch in several synchronous calls.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const host = this.#host!;
    try {
      while (this.#buffer.length > 0 && !this.#stopping) {
        this.#inFlight = this.#buffer.splice(0, this.#batchSize);
        try {
          await this.#dispatcher!.dispatch(this.#inFlight);
        } catch (error) {
          host.events.emit("error", { error: asError(error), context: "queueing runs" });
          // Put them back and try again shortly: they are still leased to this replica.
          this.#buffer.unshift(...this.#inFlight);
          this.#inFlight = [];
          if (!this.#stopping) this.#retryTimer = host.clock.setTimer(() => this.#retry(), RETRY_DELAY_MS);
          return;
        }
        this.#inFlight = [];
      }
    } finally {
      this.#flushing = undefined;
      if (this.load === 0) this.#notifyIdle();
    }
  }

  #retry(): void {
    this.#retryTimer = undefined;
    if (!this.#stopping && this.#buffer.length > 0) this.#flushing ??= this.#flush();
  }

  /** Renews the dispatch leases of runs held here for longer than a moment (Redis slow or away). */
  #scheduleRenewal(): void {
    const host = this.#host!;
    const every = Math.max(50, Math.floor(host.leaseMs / 3));
    const tick = (): void => {
      const ids = [...this.#inFlight, ...this.#buffer].map((run) => run.id);
      if (ids.length === 0 || this.#stopping) {
        if (!this.#stopping) this.#renewTimer = host.clock.setTimer(tick, every);
        return;
      }
      host.store
        .renewRunLeases(ids, { now: host.clock.now(), owner: host.owner, leaseMs: host.leaseMs })
        .then(
          (lost) => {
            // Taken over by another replica: it dispatches them; queueing them here too is harmless
            // (same job id), but pointless.
            const gone = new Set(lost);
            this.#buffer = this.#buffer.filter((run) => !gone.has(run.id));
          },
          (error: unknown) =>
            host.events.emit("error", { error: asError(error), context: "renewing dispatch leases" }),
        )
        .finally(() => {
          if (!this.#stopping) this.#renewTimer = host.clock.setTimer(tick, every);
        });
    };
    this.#renewTimer = host.clock.setTimer(tick, every);
  }

  #scheduleReconcile(): void {
    const host = this.#host!;
    this.#reconcileTimer = host.clock.setTimer(() => {
      this.#reconcile()
        .catch((error: unknown) =>
          host.events.emit("error", { error: asError(error), context: "looking for lost queue jobs" }),
        )
        .finally(() => {
          if (!this.#stopping) this.#scheduleReconcile();
        });
    }, this.#reconcileMs);
  }

  async #reconcile(): Promise<void> {
    const host = this.#host!;
    const page = await host.store.listRuns({ status: ["dispatched"], limit: 500 });
    const old = page.items.filter(
      (run) =>
        host.clock.now() - Math.max(run.firedAt, run.dueAt) >=
        Math.min(RECONCILE_MIN_AGE_MS, this.#reconcileMs),
    );
    if (old.length === 0 || this.#stopping) return;
    const requeued = await this.#dispatcher!.requeueLost(old);
    for (const runId of requeued) {
      host.events.emit("error", {
        error: new Error(`Run ${runId} was dispatched but its queue job was gone; it was queued again.`),
        context: `run ${runId}`,
      });
    }
  }

  #notifyIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
