/**
 * `CronqWorker`: the process side of distributed cronq. It consumes the BullMQ queues of its task
 * groups (all of them by default, including groups that appear later), runs each job's attempt
 * through the shared attempt runner (processor.ts) with at most `concurrency` tasks at once, keeps
 * the leases of what it runs alive, aborts runs cancelled elsewhere, and beats a heartbeat for the
 * cluster view.
 *
 * Stopping (SIGTERM in `cronq worker`): it stops taking jobs, hands back the ones waiting for a
 * slot, lets running tasks finish for up to `graceMs`, then aborts them (recorded as cancelled,
 * reason `shutdown`, as in embedded mode). A worker that dies instead (kill -9) stops renewing its
 * leases: a scheduler replica takes its runs over when they expire (attempt closed as
 * `interrupted`) and queues them again for another worker.
 */
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Clock, Timer } from "../core/clock/clock.js";
import { systemClock } from "../core/clock/system-clock.js";
import { type Duration, parseDuration } from "../core/duration.js";
import { InvalidOptionError, LeaseLostError } from "../core/errors.js";
import { TypedEmitter, type CronqEvents } from "../core/events.js";
import { type AttemptAbort, CancelReason } from "../core/executors/attempt.js";
import type { RunRecord } from "../core/jobs/job.js";
import { type TaskList, type TaskLogger, TaskRegistry, resolveTasks, silentLogger } from "../core/tasks.js";
import { duplicateClient } from "../stores/redis/connection.js";
import { Heartbeat, type HeartbeatRun } from "../stores/redis/cluster.js";
import type { RedisStore } from "../stores/redis/store.js";
import { controlChannel, groupsKey, parseControl } from "./control.js";
import { Dispatcher, type QueueJobData, queuePrefix } from "./dispatch.js";
import { type ProcessResult, type ProcessorEnvironment, cronqBackoff, processJob } from "./processor.js";

export interface CronqWorkerOptions {
  /** The store the schedulers use (same Redis, same prefix). */
  store: RedisStore;
  /** The tasks jobs may name: definitions from `defineTask`, or `{ name: fn }`. */
  tasks?: TaskList;
  /** Queue groups to consume; null for every group, present and future. @default null */
  groups?: readonly string[] | null;
  /** Most tasks running at once in this process, across its groups. @default 10 */
  concurrency?: number;
  /** This worker's id in leases, attempts and the cluster view. @default "<hostname>:<pid>:<random>" */
  id?: string;
  /** How long a run's lease lasts without renewal (renewed every third of it). @default "5s" */
  leaseDuration?: Duration;
  /**
   * BullMQ's lock on a job being processed. cronq's run lease is what decides a takeover; this only
   * bounds how long BullMQ waits before it re-queues a job on its own. @default "30s"
   */
  lockDuration?: Duration;
  /** @default "2s" */
  heartbeatInterval?: Duration;
  /** @default the system clock */
  clock?: Clock;
  /** The logger tasks receive in their context. @default a silent logger */
  logger?: TaskLogger;
}

export type WorkerState = "idle" | "starting" | "running" | "stopping" | "stopped";

/** Cancels seen before the run started here are remembered this long. */
const CANCEL_MEMORY_MS = 60_000;
/** How often the set of groups is read again (a missed control message is caught up this way). */
const GROUP_POLL_MS = 10_000;

interface Active {
  run: RunRecord;
  abort: AttemptAbort;
}

export class CronqWorker {
  readonly id: string;
  readonly store: RedisStore;
  readonly tasks: TaskRegistry;
  readonly events = new TypedEmitter<CronqEvents>();
  readonly concurrency: number;
  readonly groups: readonly string[] | null;
  readonly #clock: Clock;
  readonly #logger: TaskLogger;
  readonly #leaseMs: number;
  readonly #lockMs: number;
  readonly #heartbeatMs: number;

  #state: WorkerState = "idle";
  #workers = new Map<string, Worker<QueueJobData, ProcessResult>>();
  #active = new Map<string, Active>();
  /** Cancels by run id, with when they arrived. */
  #recentCancels = new Map<string, { reason: CancelReason; at: number }>();
  #timersOff = false;
  #slotsFree = 0;
  #slotWaiters: Array<(ok: boolean) => void> = [];
  #subscriber: Redis | undefined;
  #dispatcher: Dispatcher | undefined;
  #heartbeat: Heartbeat | undefined;
  #renewTimer: Timer | undefined;
  #groupTimer: Timer | undefined;
  #stopping: Promise<void> | undefined;

  constructor(options: CronqWorkerOptions) {
    if (typeof options !== "object" || options === null) {
      throw new InvalidOptionError("options", "an object like { store, tasks }", options);
    }
    this.store = options.store;
    this.tasks = new TaskRegistry(resolveTasks(options.tasks));
    const concurrency = options.concurrency ?? 10;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10_000) {
      throw new InvalidOptionError("concurrency", "an integer from 1 to 10000", concurrency);
    }
    this.concurrency = concurrency;
    const groups = options.groups ?? null;
    if (groups !== null) {
      if (!Array.isArray(groups) || groups.length === 0) {
        throw new InvalidOptionError(
          "groups",
          'a non-empty array of group names like ["default"], or null for all',
          groups,
        );
      }
      for (const [i, group] of groups.entries()) {
        if (typeof group !== "string" || !/^[A-Za-z0-9_.-]{1,64}$/.test(group)) {
          throw new InvalidOptionError(`groups[${i}]`, "1 to 64 letters, digits, '.', '_' or '-'", group);
        }
      }
    }
    this.groups = groups === null ? null : Object.freeze([...new Set(groups)]);
    this.id = options.id ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
    if (typeof this.id !== "string" || !/^[\x21-\x7e]{1,128}$/.test(this.id)) {
      throw new InvalidOptionError("id", "1 to 128 printable ASCII characters without spaces", this.id);
    }
    this.#leaseMs = parseDuration(options.leaseDuration ?? "5s", { field: "leaseDuration", minMs: 100 });
    this.#lockMs = parseDuration(options.lockDuration ?? "30s", { field: "lockDuration", minMs: 1000 });
    this.#heartbeatMs = parseDuration(options.heartbeatInterval ?? "2s", {
      field: "heartbeatInterval",
      minMs: 100,
    });
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#slotsFree = concurrency;
  }

  get state(): WorkerState {
    return this.#state;
  }

  /** Runs executing here now. */
  get running(): RunRecord[] {
    return [...this.#active.values()].map((a) => a.run);
  }

  /** Opens the store, subscribes to the control channel, starts consuming. Idempotent. */
  async start(): Promise<void> {
    if (this.#state === "running" || this.#state === "starting") return;
    this.#state = "starting";
    this.#timersOff = false;
    try {
      await this.store.open();
      this.#dispatcher = new Dispatcher({
        store: this.store,
        client: this.store.client,
        prefix: this.store.prefix,
        owner: this.id,
        now: () => this.#clock.now(),
      });
      await this.#subscribe();
      const groups = this.groups ?? (await this.store.client.smembers(groupsKey(this.store.prefix)));
      for (const group of groups) this.#consume(group);
      if (this.groups === null) this.#pollGroups();
      this.#scheduleRenewal();
      this.#heartbeat = new Heartbeat({
        store: this.store,
        kind: "worker",
        id: this.id,
        clock: this.#clock,
        events: this.events,
        intervalMs: this.#heartbeatMs,
        fields: () => ({
          groups: JSON.stringify(this.groups),
          concurrency: String(this.concurrency),
          running: JSON.stringify(this.running.map(heartbeatRun)),
        }),
      });
      this.#heartbeat.start();
      this.#state = "running";
    } catch (error) {
      this.#state = "idle";
      throw error;
    }
  }

  /**
   * Stops taking jobs, lets running tasks finish for up to `graceMs`, then aborts them (cancelled,
   * reason `shutdown`). Idempotent: returns the stop in flight.
   */
  stop(options: { graceMs?: number } = {}): Promise<void> {
    if (this.#stopping) return this.#stopping;
    if (this.#state === "idle" || this.#state === "stopped") return Promise.resolve();
    const graceMs = options.graceMs ?? 10_000;
    this.#state = "stopping";
    this.#stopping = (async () => {
      this.#groupTimer?.cancel();
      // Jobs waiting for a slot are handed back unstarted.
      for (const wake of this.#slotWaiters.splice(0)) wake(false);
      const closing = Promise.all([...this.#workers.values()].map((worker) => worker.close()));
      let timer: Timer | undefined;
      const graceOver = new Promise<boolean>(
        (resolve) => (timer = this.#clock.setTimer(() => resolve(true), graceMs)),
      );
      const timedOut = await Promise.race([closing.then(() => false), graceOver]);
      timer?.cancel();
      if (timedOut) {
        for (const { abort } of this.#active.values()) {
          abort.abort(
            new CancelReason("shutdown", `The worker stopped and the grace period of ${graceMs} ms ended.`),
          );
        }
        await closing;
      }
      this.#timersOff = true;
      this.#renewTimer?.cancel();
      await this.#heartbeat
        ?.stop()
        .catch((error: unknown) =>
          this.events.emit("error", { error: error as Error, context: "removing the worker heartbeat" }),
        );
      this.#subscriber?.disconnect();
      await this.#dispatcher?.close();
      this.#workers.clear();
      this.#state = "stopped";
      this.#stopping = undefined;
    })();
    return this.#stopping;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  #consume(group: string): void {
    if (this.#workers.has(group) || this.#state === "stopping") return;
    const env = this.#processorEnvironment();
    const worker = new Worker<QueueJobData, ProcessResult>(
      group,
      (job, token) => processJob(env, job, token),
      {
        connection: this.store.client,
        prefix: queuePrefix(this.store.prefix),
        concurrency: this.concurrency,
        lockDuration: this.#lockMs,
        settings: { backoffStrategy: cronqBackoff },
        name: this.id,
      },
    );
    worker.on("error", (error: Error) => this.events.emit("error", { error, context: `queue ${group}` }));
    this.#workers.set(group, worker);
  }

  #processorEnvironment(): ProcessorEnvironment {
    return {
      store: this.store,
      clock: this.#clock,
      tasks: this.tasks,
      events: this.events,
      logger: this.#logger,
      leaseMs: this.#leaseMs,
      owner: this.id,
      dispatcher: this.#dispatcher!,
      acquire: () => this.#acquire(),
      release: () => this.#release(),
      track: (run, abort) => {
        this.#active.set(run.id, { run, abort });
        const cancel = this.#recentCancels.get(run.id);
        if (cancel && this.#clock.now() - cancel.at < CANCEL_MEMORY_MS) abort.abort(cancel.reason);
        return () => {
          if (this.#active.get(run.id)?.abort === abort) this.#active.delete(run.id);
        };
      },
    };
  }

  #acquire(): Promise<boolean> {
    if (this.#state === "stopping" || this.#state === "stopped") return Promise.resolve(false);
    if (this.#slotsFree > 0) {
      this.#slotsFree--;
      return Promise.resolve(true);
    }
    return new Promise((resolve) =>
      this.#slotWaiters.push((ok) => {
        if (ok) this.#slotsFree--;
        resolve(ok);
      }),
    );
  }

  #release(): void {
    this.#slotsFree++;
    this.#slotWaiters.shift()?.(true);
  }

  async #subscribe(): Promise<void> {
    const subscriber = duplicateClient(this.store.client, `cronq:worker:${this.id}`);
    subscriber.on("error", (error: Error) => {
      // Reconnection is reported by the store's connection; ioredis re-subscribes by itself.
      if (subscriber.status === "ready") this.events.emit("error", { error, context: "control channel" });
    });
    subscriber.on("message", (channel: string, text: string) => {
      const message = channel === controlChannel(this.store.prefix) ? parseControl(text) : null;
      if (!message) return;
      if (message.type === "group") {
        if (this.groups === null) this.#consume(message.group);
        return;
      }
      const reason = new CancelReason(message.reason, `The run was cancelled (${message.reason}).`);
      const active = this.#active.get(message.runId);
      if (active) active.abort.abort(reason);
      // A cancel can arrive just before the run starts here: remember it for a while.
      const now = this.#clock.now();
      for (const [id, seen] of this.#recentCancels)
        if (now - seen.at >= CANCEL_MEMORY_MS) this.#recentCancels.delete(id);
      this.#recentCancels.set(message.runId, { reason, at: now });
    });
    this.#subscriber = subscriber;
    await subscriber.subscribe(controlChannel(this.store.prefix));
  }

  #pollGroups(): void {
    this.#groupTimer = this.#clock.setTimer(() => {
      this.store.client
        .smembers(groupsKey(this.store.prefix))
        .then(
          (groups) => groups.forEach((group) => this.#consume(group)),
          (error: unknown) =>
            this.events.emit("error", { error: error as Error, context: "reading queue groups" }),
        )
        .finally(() => {
          if (this.#state === "running") this.#pollGroups();
        });
    }, GROUP_POLL_MS);
  }

  /** Keeps the leases of running runs alive; a lost lease (taken over) aborts the run. */
  #scheduleRenewal(): void {
    const every = Math.max(50, Math.floor(this.#leaseMs / 3));
    const tick = (): void => {
      const ids = [...this.#active.keys()];
      if (ids.length === 0) {
        if (!this.#timersOff) this.#renewTimer = this.#clock.setTimer(tick, every);
        return;
      }
      this.store
        .renewRunLeases(ids, { now: this.#clock.now(), owner: this.id, leaseMs: this.#leaseMs })
        .then(
          (lost) => {
            for (const id of lost) {
              this.#active.get(id)?.abort.abort(new LeaseLostError(`Another process took run ${id} over.`));
            }
          },
          (error: unknown) =>
            this.events.emit("error", { error: error as Error, context: "renewing run leases" }),
        )
        .finally(() => {
          if (!this.#timersOff) this.#renewTimer = this.#clock.setTimer(tick, every);
        });
    };
    this.#renewTimer = this.#clock.setTimer(tick, every);
  }
}

function heartbeatRun(run: RunRecord): HeartbeatRun {
  const attempt = run.attempts[run.attempts.length - 1];
  return {
    runId: run.id,
    jobId: run.jobId,
    taskName: run.taskName,
    attempt: run.attempts.length,
    startedAt: attempt?.startedAt ?? run.startedAt ?? 0,
  };
}
