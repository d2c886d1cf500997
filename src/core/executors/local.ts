/**
 * The in-process executor: runs tasks in this process, at most `concurrency` at once, first come
 * first served. A slow or hung task holds one slot, never the scheduler's loop: firing goes on, and
 * a timed-out attempt gives its slot back even if the task ignores its abort signal.
 */
import { type Timer, sleepUntil, yieldToEventLoop } from "../clock/clock.js";
import { InvalidOptionError, LeaseLostError } from "../errors.js";
import type { RunReason, RunRecord } from "../jobs/job.js";
import { toRunInfo } from "../jobs/info.js";
import {
  type FinishAttemptResult,
  type FinishItem,
  finishAttemptsOf,
  startAttemptsOf,
} from "../stores/store.js";
import {
  AttemptAbort,
  type AttemptEnvironment,
  type AttemptOutcome,
  CancelReason,
  emitOutcome,
  executeTask,
  finishOutcome,
  runAttempt,
} from "./attempt.js";
import type { Executor, ExecutorHost } from "./executor.js";
import { Fifo } from "./fifo.js";

/** Runs started in one turn of the event loop before the executor lets I/O in. */
const STARTS_PER_TURN = 256;

/**
 * Finished attempts recorded in one turn of the event loop (one store call, one SQLite
 * transaction): bounded like starts, so that other work (the API's requests) gets in between.
 */
const FINISHES_PER_TURN = STARTS_PER_TURN;

/**
 * While the scheduler fires a burst, finished attempts wait to be recorded until it is over (the
 * next occurrences start sooner), for at most {@link MAX_DEFER_MS}. When the previous burst fired
 * at most {@link WHOLE_BURST} runs (so not in the first burst), the first that many of this one
 * all start before any outcome is recorded; otherwise, and past them, at most
 * {@link MAX_DEFERRED_FINISHES} outcomes wait. Many more would outlive the heap's young
 * generation: at 100,000 jobs due at once, deferring up to 200,000 outcomes cost 810-830 ms of
 * garbage-collection pauses per 10 s, 2,000 cost 580-630 ms, and deferring the first 20,000 of
 * each burst took its pauses from 66-95 ms to 106-189 ms (measured 2026-11-27). Deferring whole
 * bursts of up to 20,000 cut their p99 time to start by 20-30% (3,000, 10,000 and 20,000 jobs due
 * at once, measured against the 2,000 cap in one process, bursts alternating), for a few ms more
 * of garbage collection.
 */
const WHOLE_BURST = 20_000;
const MAX_DEFERRED_FINISHES = 2_000;
const MAX_DEFER_MS = 500;

export interface LocalExecutorOptions {
  /** The most tasks running at once in this process. @default 100 */
  concurrency?: number;
}

/**
 * A run taken from the queue: its abort switch (cancel, shutdown, lost lease) and, once its task
 * has ended, what to record. One object per run, on a path that runs 100,000 times a second.
 */
class Slot extends AttemptAbort {
  /** Where the slot is in the active list. */
  index = -1;
  /** The record `startAttempt` returned, and the token of the lease it holds. */
  started: RunRecord | null = null;
  token = 0;
  /** How the task ended, once it has. */
  outcome: AttemptOutcome | null = null;
  /** Waiting for its jittered due time: nothing started yet (see LocalExecutor#executeLater). */
  waitingForDue = false;

  constructor(readonly run: RunRecord) {
    super();
  }
}

/**
 * The runs a LocalExecutor holds, in an array that forgets a slot by moving the last one into its
 * place. A map by run id would hash every new occurrence id: at 10,000 runs a second, that was a
 * tenth of the time it took to start them. Finding a run by id (cancel) walks the list.
 */
class SlotList {
  readonly #slots: Slot[] = [];

  get size(): number {
    return this.#slots.length;
  }

  add(slot: Slot): void {
    slot.index = this.#slots.length;
    this.#slots.push(slot);
  }

  delete(slot: Slot): void {
    const slots = this.#slots;
    const at = slot.index;
    if (slots[at] !== slot) return;
    const last = slots.pop()!;
    if (last !== slot) {
      slots[at] = last;
      last.index = at;
    }
    slot.index = -1;
  }

  get(runId: string): Slot | undefined {
    return this.#slots.find((slot) => slot.run.id === runId);
  }

  values(): readonly Slot[] {
    return this.#slots;
  }
}

export class LocalExecutor implements Executor {
  readonly kind = "local";
  readonly concurrency: number;

  #host: ExecutorHost | undefined;
  #env: AttemptEnvironment | undefined;
  /** Runs waiting for a slot, oldest first. */
  readonly #queue = new Fifo<RunRecord>();
  /** Runs taken from the queue and not recorded as finished yet. */
  readonly #active = new SlotList();
  /** Of {@link #active}, those whose task is starting or executing: what concurrency counts. */
  #running = 0;
  #pumpScheduled = false;
  #flushScheduled = false;
  /** When recording finished attempts was first put off for a firing burst; null when it was not. */
  #deferredSince: number | null = null;
  #stopping = false;
  #idleWaiters: Array<() => void> = [];
  #renewTimer: Timer | undefined;
  #startedThisTurn = 0;
  /** Runs the scheduler has handed over in its current burst (0 when it is not firing). */
  #burstRuns = 0;
  /**
   * Runs the previous burst handed over; before the first, as if it had been large: a first burst
   * of 100,000 deferring its first 20,000 outcomes left the heap with more to collect for seconds.
   */
  #lastBurstRuns = Infinity;
  #resumeScheduled = false;
  /** Attempts that ended and wait to be recorded together. */
  readonly #finishing = new Fifo<Slot>();

  constructor(options: LocalExecutorOptions = {}) {
    const concurrency = options.concurrency ?? 100;
    if (!(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1))) {
      throw new InvalidOptionError("concurrency", "an integer of at least 1, or Infinity", concurrency);
    }
    this.concurrency = concurrency;
  }

  get load(): number {
    return this.#active.size + this.#queue.length;
  }

  start(host: ExecutorHost): Promise<void> {
    this.#host = host;
    this.#env = {
      store: host.store,
      clock: host.clock,
      tasks: host.tasks,
      events: host.events,
      logger: host.logger,
      leaseMs: host.leaseMs,
    };
    this.#stopping = false;
    if (host.store.shared) this.#scheduleRenewal();
    return Promise.resolve();
  }

  dispatch(runs: readonly RunRecord[]): void {
    for (const run of runs) this.#queue.push(run);
    if (this.#host && this.#firing(this.#host)) this.#burstRuns += runs.length;
    this.#pump();
  }

  cancel(runId: string, reason: RunReason): boolean {
    const slot = this.#active.get(runId);
    if (slot) {
      slot.abort(new CancelReason(reason, `The run was cancelled (${reason}).`));
      return true;
    }
    const run = this.#queue.remove((queued) => queued.id === runId);
    if (run) void this.#cancelQueued(run, reason);
    return run !== undefined;
  }

  onIdle(): Promise<void> {
    if (this.load === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async stop(options: { graceMs: number }): Promise<void> {
    this.#stopping = true;
    const host = this.#host;
    // Runs that never got a slot: in a shared store they stay pending and another process takes
    // them over when their lease expires; otherwise nobody could, so they are recorded cancelled.
    const queued = this.#queue.drain();
    if (host && !host.store.shared) {
      await Promise.all(queued.map((run) => this.#cancelQueued(run, "shutdown")));
    }
    // Runs waiting for their jittered due time have not started either: the grace period is for
    // running tasks, so they go the same way at once (see #executeLater).
    for (const slot of [...this.#active.values()]) {
      if (slot.waitingForDue)
        slot.abort(new CancelReason("shutdown", "The scheduler stopped before the run's due time."));
    }
    if (this.#active.size > 0 && host) {
      const deadline = host.clock.now() + options.graceMs;
      const abort = new AbortController();
      const graceOver = sleepUntil(host.clock, deadline, abort.signal).then(
        () => true,
        () => false,
      );
      const idle = this.onIdle().then(() => false);
      const timedOut = await Promise.race([idle, graceOver]);
      abort.abort();
      if (timedOut) {
        for (const slot of [...this.#active.values()]) {
          slot.abort(
            new CancelReason(
              "shutdown",
              `The scheduler stopped and the grace period of ${options.graceMs} ms ended.`,
            ),
          );
        }
        await this.onIdle();
      }
    }
    this.#renewTimer?.cancel();
    this.#renewTimer = undefined;
    this.#notifyIdle();
  }

  #pump(): void {
    const env = this.#env;
    const host = this.#host;
    if (!env || !host || this.#stopping) return;
    const batch: Slot[] = [];
    const now = host.clock.now();
    while (this.#running < this.concurrency && this.#queue.length > 0) {
      // A burst of thousands of runs would otherwise start (and, for quick tasks, finish) in one
      // turn of the event loop: let I/O in, such as the API's requests, every few hundred.
      if (this.#startedThisTurn >= STARTS_PER_TURN) {
        if (!this.#resumeScheduled) {
          this.#resumeScheduled = true;
          void yieldToEventLoop().then(() => {
            this.#resumeScheduled = false;
            this.#startedThisTurn = 0;
            this.#pump();
          });
        }
        break;
      }
      this.#startedThisTurn++;
      if (this.#startedThisTurn === 1) void yieldToEventLoop().then(() => (this.#startedThisTurn = 0));
      const run = this.#queue.shift()!;
      const slot = new Slot(run);
      this.#active.add(slot);
      this.#running++;
      // Jitter: the occurrence is recorded at its nominal time and starts at its due time.
      if (run.dueAt > now) void this.#executeLater(env, host, slot);
      else batch.push(slot);
    }
    if (batch.length > 0) void this.#startBatch(env, host, batch);
  }

  /**
   * Starts a batch of runs with one store call, calls their tasks, and queues each outcome for
   * {@link #flushFinishes}: at 100,000 runs a second, a promise chain per run and a store call per
   * step cost more than the runs themselves.
   */
  async #startBatch(env: AttemptEnvironment, host: ExecutorHost, slots: Slot[]): Promise<void> {
    let started: Array<RunRecord | null | LeaseLostError>;
    try {
      started = await startAttemptsOf(
        host.store,
        slots.map(({ run }) => ({
          runId: run.id,
          token: run.status === "pending" ? (run.lease?.token ?? null) : null,
          record: run,
        })),
        { now: host.clock.now(), owner: host.owner, leaseMs: host.leaseMs },
      );
    } catch (error) {
      host.events.emit("error", { error: asError(error), context: "starting runs" });
      for (const slot of slots) this.#active.delete(slot);
      this.#running -= slots.length;
      this.#afterRelease();
      return;
    }
    let released = false;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      const run = started[i];
      // Not startable (cancelled meanwhile, or another process holds it now): nothing to record.
      if (!run || run instanceof LeaseLostError) {
        this.#active.delete(slot);
        this.#running--;
        released = true;
        continue;
      }
      // Read now: a store may hand out its own record, whose lease changes when the attempt ends.
      slot.started = run;
      slot.token = run.lease!.token;
      if (host.events.has("run:started")) host.events.emit("run:started", { run: toRunInfo(run) });
      const outcome = executeTask(env, run, slot);
      if (outcome instanceof Promise) void outcome.then((o) => this.#finishLater(slot, o));
      else this.#finishLater(slot, outcome);
    }
    if (released) this.#afterRelease();
  }

  /**
   * Queues an attempt's outcome to be recorded with others (see {@link #flushFinishes}). The task
   * is over, so its concurrency slot is free at once: the next run need not wait for the record.
   */
  #finishLater(slot: Slot, outcome: AttemptOutcome): void {
    this.#running--;
    slot.outcome = outcome;
    this.#finishing.push(slot);
    this.#scheduleFlush();
    if (!this.#pumpScheduled) {
      this.#pumpScheduled = true;
      queueMicrotask(() => {
        this.#pumpScheduled = false;
        this.#pump();
      });
    }
  }

  /**
   * Records finished attempts in the next turn of the event loop, 256 per store call. While
   * the scheduler is firing a burst, recording waits (see {@link MAX_DEFERRED_FINISHES}): the
   * runs of the burst start first, and their records follow within milliseconds.
   */
  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      const host = this.#host;
      const pending = this.#finishing.length;
      if (pending === 0 || !host) return;
      if (
        this.#firing(host) &&
        (pending < MAX_DEFERRED_FINISHES ||
          (this.#burstRuns <= WHOLE_BURST && this.#lastBurstRuns <= WHOLE_BURST))
      ) {
        const now = host.clock.now();
        this.#deferredSince ??= now;
        if (now - this.#deferredSince < MAX_DEFER_MS) {
          this.#scheduleFlush();
          return;
        }
      }
      this.#deferredSince = null;
      void this.#flushFinishes();
    });
  }

  /** Whether the scheduler is firing a burst; when it is not, the burst that was is over. */
  #firing(host: ExecutorHost): boolean {
    const firing = host.busy?.() ?? false;
    if (!firing && this.#burstRuns > 0) {
      this.#lastBurstRuns = this.#burstRuns;
      this.#burstRuns = 0;
    }
    return firing;
  }

  async #flushFinishes(): Promise<void> {
    const host = this.#host!;
    const done = this.#finishing.take(FINISHES_PER_TURN);
    if (this.#finishing.length > 0) this.#scheduleFlush();
    const now = host.clock.now();
    const items: FinishItem[] = new Array<FinishItem>(done.length);
    for (let i = 0; i < done.length; i++) {
      const slot = done[i]!;
      const run = slot.started!;
      const o = finishOutcome(run, slot.token, slot.outcome!, now, true);
      items[i] = {
        runId: run.id,
        record: run,
        token: o.token,
        outcome: o.outcome,
        error: o.error,
        reason: o.reason,
        retryAt: o.retryAt,
      };
    }
    let results: Array<FinishAttemptResult | null | LeaseLostError>;
    try {
      results = await finishAttemptsOf(host.store, items, {
        now,
        owner: host.owner,
        leaseMs: host.leaseMs,
      });
    } catch (error) {
      host.events.emit("error", { error: asError(error), context: "recording finished runs" });
      results = [];
    }
    let retrying = false;
    for (let i = 0; i < done.length; i++) {
      const slot = done[i]!;
      const run = slot.started!;
      const result = results[i];
      this.#active.delete(slot);
      if (result instanceof LeaseLostError) {
        // Someone else took the run over (our lease expired while the task ran): their record wins.
        host.events.emit("lease:lost", { kind: "run", id: run.id, owner: host.owner });
      } else if (result) {
        emitOutcome(host.events, result.run);
        if (result.promoted) this.#queue.push(result.promoted);
        if (result.run.status === "retrying") retrying = true;
      }
    }
    if (retrying) host.wake();
    this.#afterRelease();
  }

  /** Slots were freed: start what waits for one, and tell who waits for idleness. */
  #afterRelease(): void {
    this.#pump();
    if (this.load === 0) this.#notifyIdle();
  }

  /** A run due later (jitter): waits for its time, then runs as a batch of one would. */
  async #executeLater(env: AttemptEnvironment, host: ExecutorHost, slot: Slot): Promise<void> {
    const run = slot.run;
    try {
      await this.#waitUntilDue(host, slot);
      if (slot.aborted) {
        // Cancelled before its due time: it never started, so it is recorded with no attempt, as
        // a queued run is. At shutdown with a shared store it stays pending for another process.
        const reason = slot.reason instanceof CancelReason ? slot.reason.reason : "user";
        if (reason !== "shutdown" || !host.store.shared) await this.#cancelQueued(run, reason);
        return;
      }
      const result = await runAttempt(env, {
        runId: run.id,
        record: run,
        owner: host.owner,
        token: run.status === "pending" ? (run.lease?.token ?? null) : null,
        abort: slot,
      });
      if (result?.promoted) this.#queue.push(result.promoted);
      if (result?.run.status === "retrying") host.wake();
    } catch (error) {
      host.events.emit("error", {
        error: asError(error),
        context: `run ${run.id}: recording the attempt failed`,
      });
    } finally {
      this.#active.delete(slot);
      this.#running--;
      this.#afterRelease();
    }
  }

  /** Sleeps until the run's due time (jitter), or until it is aborted. */
  async #waitUntilDue(host: ExecutorHost, slot: Slot): Promise<void> {
    const controller = new AbortController();
    const stop = slot.onAbort(() => controller.abort());
    slot.waitingForDue = true;
    try {
      await sleepUntil(host.clock, slot.run.dueAt, controller.signal);
    } catch {
      // Aborted while waiting: #executeLater records the cancellation.
    } finally {
      slot.waitingForDue = false;
      stop();
    }
  }

  async #cancelQueued(run: RunRecord, reason: RunReason): Promise<void> {
    const host = this.#host;
    if (!host) return;
    try {
      const result = await host.store.cancelRun(run.id, {
        now: host.clock.now(),
        reason,
        owner: host.owner,
        leaseMs: host.leaseMs,
      });
      if (result && host.events.has("run:cancelled"))
        host.events.emit("run:cancelled", { run: toRunInfo(result.run) });
      const promoted = result?.promoted;
      if (promoted) {
        if (!this.#stopping) {
          this.#queue.push(promoted);
          this.#pump();
        } else if (!host.store.shared) {
          // Stopping, and no other process could take it over: it goes the way of the queue.
          await this.#cancelQueued(promoted, reason);
        }
        // Stopping with a shared store: its lease expires and another process runs it.
      }
    } catch (error) {
      host.events.emit("error", {
        error: asError(error),
        context: `run ${run.id}: recording the cancellation failed`,
      });
    }
    if (this.load === 0) this.#notifyIdle();
  }

  /** In a shared store, keeps the leases of runs executing here alive; a lost lease aborts the run. */
  #scheduleRenewal(): void {
    const host = this.#host!;
    const every = Math.max(50, Math.floor(host.leaseMs / 3));
    const tick = (): void => {
      // Started runs hold an execution lease; the others (waiting for their due time or a slot)
      // still hold the dispatch lease from the scheduler's commit. Both must stay alive.
      const ids = this.#active.values().map((slot) => slot.run.id);
      for (const run of this.#queue) ids.push(run.id);
      if (ids.length === 0) {
        this.#renewTimer = host.clock.setTimer(tick, every);
        return;
      }
      host.store
        .renewRunLeases(ids, { now: host.clock.now(), owner: host.owner, leaseMs: host.leaseMs })
        .then(
          (lost) => {
            if (lost.length === 0) return;
            const gone = new Set(lost);
            for (const slot of this.#active.values()) {
              const id = slot.run.id;
              if (gone.has(id)) slot.abort(new LeaseLostError(`Another process took run ${id} over.`));
            }
          },
          (error: unknown) =>
            host.events.emit("error", { error: asError(error), context: "renewing run leases" }),
        )
        .finally(() => {
          if (!this.#stopping || this.#active.size > 0) this.#renewTimer = host.clock.setTimer(tick, every);
        });
    };
    this.#renewTimer = host.clock.setTimer(tick, every);
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
