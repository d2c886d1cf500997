/**
 * The event bridge: run and job events of every process, on every process.
 *
 * In a distributed deployment a run is fired by one replica, started and finished by some worker,
 * and watched through an API process that did neither. Each process publishes the run and job
 * events it emits on `<prefix>:events`; processes that subscribe re-emit the others' events on
 * their own emitter (`scheduler.events`), so that the API's event stream and metrics see the whole
 * cluster. Events are batched for a few milliseconds per message: at thousands of runs a second,
 * one PUBLISH per event would cost more than the runs.
 *
 * Pub/sub delivers at most once: a subscriber that is disconnected misses what was published
 * meanwhile. Events are for watching; the run ledger in the store is the record.
 *
 * Runs travel in a compact form (run-wire.ts). The channel's name carries the message format's
 * version, so that processes of an older cronq, whose messages differ, do not read each other's.
 */
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { Timer } from "../../core/clock/clock.js";
import type { CronqEventName, CronqEvents, TypedEmitter } from "../../core/events.js";
import type { RunInfo } from "../../core/jobs/info.js";
import { duplicateClient } from "./connection.js";
import { decodeRun, encodeRun } from "./run-wire.js";
import type { RedisStore } from "./store.js";

/** The events that cross processes. Lifecycle and `error` events stay local, as do task-missing reports. */
export const BRIDGED_EVENTS: ReadonlySet<CronqEventName> = new Set<CronqEventName>([
  "job:added",
  "job:updated",
  "job:removed",
  "job:paused",
  "job:resumed",
  "run:fired",
  "run:waiting",
  "run:started",
  "run:succeeded",
  "run:failed",
  "run:retrying",
  "run:skipped",
  "run:missed",
  "run:cancelled",
  // A late write refused by fencing, somewhere in the cluster: the API's metrics count them.
  "lease:lost",
]);

export interface EventBridgeOptions {
  store: RedisStore;
  /** Publish this process's events. @default true */
  publish?: boolean;
  /** Re-emit the other processes' events here. @default true */
  subscribe?: boolean;
  /** How long events are collected before they are published together. @default 20 */
  flushMs?: number;
}

interface Message {
  /** The publishing bridge: a process ignores its own messages. */
  s: string;
  e: Array<[CronqEventName, unknown]>;
}

export class RedisEventBridge {
  /** This bridge's id in messages. */
  readonly source = randomBytes(6).toString("hex");
  readonly #store: RedisStore;
  readonly #publish: boolean;
  readonly #subscribe: boolean;
  readonly #flushMs: number;
  #subscriber: Redis | undefined;
  #emitter: TypedEmitter<CronqEvents> | undefined;
  #detach: (() => void) | undefined;
  #pending: Array<[CronqEventName, unknown]> = [];
  #timer: Timer | undefined;
  #flushing: Promise<void> = Promise.resolve();
  /** True while re-emitting a remote event, so that it is not published back. */
  #reemitting = false;

  constructor(options: EventBridgeOptions) {
    this.#store = options.store;
    this.#publish = options.publish ?? true;
    this.#subscribe = options.subscribe ?? true;
    this.#flushMs = options.flushMs ?? 20;
  }

  get channel(): string {
    return `${this.#store.prefix}:events:2`;
  }

  /** Bridges `events` (one emitter per bridge). Resolves once subscribed. */
  async attach(events: TypedEmitter<CronqEvents>): Promise<void> {
    this.#emitter = events;
    if (this.#publish) {
      this.#detach = events.onAny((event, payload) => {
        if (this.#reemitting || !BRIDGED_EVENTS.has(event)) return;
        this.#pending.push([event, toWire(payload)]);
        this.#timer ??= this.#store.options.clock.setTimer(() => this.#flush(), this.#flushMs);
      });
    }
    if (this.#subscribe) {
      const subscriber = duplicateClient(this.#store.client, `cronq:events:${this.#store.prefix}`);
      subscriber.on("error", (error: Error) => {
        // Connection trouble is reported by the store's own connection; this one just reconnects
        // (ioredis re-subscribes by itself).
        if (subscriber.status === "ready") events.emit("error", { error, context: "event bridge" });
      });
      subscriber.on("message", (channel: string, text: string) => {
        if (channel === this.channel) this.#receive(text);
      });
      this.#subscriber = subscriber;
      await subscriber.subscribe(this.channel);
    }
  }

  /** Publishes what is pending, stops listening. Idempotent. */
  async close(): Promise<void> {
    this.#detach?.();
    this.#detach = undefined;
    this.#timer?.cancel();
    this.#flush();
    await this.#flushing;
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    if (subscriber) subscriber.disconnect();
  }

  #flush(): void {
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    const message: Message = { s: this.source, e: this.#pending };
    this.#pending = [];
    const client = this.#store.client;
    this.#flushing = client.publish(this.channel, JSON.stringify(message)).then(
      () => undefined,
      (error: unknown) =>
        this.#emitter?.emit("error", { error: error as Error, context: "publishing events" }),
    );
  }

  #receive(text: string): void {
    const emitter = this.#emitter;
    if (!emitter) return;
    let message: Message;
    try {
      message = JSON.parse(text) as Message;
    } catch (error) {
      emitter.emit("error", { error: error as Error, context: "event bridge: a message that is not JSON" });
      return;
    }
    if (message.s === this.source || !Array.isArray(message.e)) return;
    this.#reemitting = true;
    try {
      for (const [event, payload] of message.e) {
        if (!BRIDGED_EVENTS.has(event)) continue;
        const revived = revive(payload);
        if (revived) emitter.emit(event, revived as never);
        else {
          emitter.emit("error", {
            error: new Error(`A ${event} event from ${message.s} that this cronq cannot read.`),
            context: "event bridge",
          });
        }
      }
    } finally {
      this.#reemitting = false;
    }
  }
}

const JOB_DATES = ["nextRunAt", "lastRunStartedAt", "lastRunEndedAt", "createdAt", "updatedAt"] as const;

/** A payload as published: its run, if it has one, in the compact form. */
function toWire(payload: unknown): unknown {
  const p = payload as { run?: RunInfo };
  return p.run ? { ...p, run: encodeRun(p.run) } : payload;
}

/** A payload as received, with its run and its job's dates back as objects; null when malformed. */
function revive(payload: unknown): unknown {
  if (typeof payload !== "object" || payload === null) return null;
  const p = payload as { run?: unknown; job?: Record<string, unknown> };
  if (p.run !== undefined) {
    const run = decodeRun(p.run);
    if (!run) return null;
    p.run = run;
  }
  if (p.job) {
    const job = p.job;
    for (const field of JOB_DATES) job[field] = toDate(job[field]);
  }
  return payload;
}

function toDate(value: unknown): Date | null {
  return typeof value === "string" ? new Date(value) : null;
}
