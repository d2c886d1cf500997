/**
 * Redis connections for the store, the queues, the worker and the event bridge: how they are made,
 * how they behave while Redis is away, and how that is reported.
 *
 * A connection cronq makes reconnects forever with a capped, jittered backoff, and holds commands
 * issued meanwhile (`maxRetriesPerRequest: null`, offline queue on): a scheduler or worker waiting
 * on Redis simply resumes when it is back. Callers that must not wait (the API) bound the wait
 * themselves (the store's `offlineTimeout`). The connection's ups and downs are typed events, once
 * per outage, never a stream of identical errors.
 */
import { Redis, type RedisOptions } from "ioredis";
import type { Clock, Timer } from "../../core/clock/clock.js";
import type { TypedEmitter } from "../../core/events.js";
import type { RedisConnection } from "./options.js";

/** What a Redis connection reports (the store's `events`). */
export interface RedisConnectionEvents {
  /** The connection was lost, or could not be made (once per outage). */
  "redis:down": { error: Error | null; connection: string };
  /** The next reconnection attempt is in `delayMs`. */
  "redis:reconnecting": { attempt: number; delayMs: number; connection: string };
  /** Connected and ready again after an outage of `downMs`. */
  "redis:up": { downMs: number; connection: string };
  error: { error: Error; context: string };
}

/** Reconnection delay: 50 ms doubling to 2 s, with jitter so that many processes do not reconnect in step. */
export function reconnectDelayMs(attempt: number): number {
  const capped = Math.min(2000, 50 * 2 ** Math.min(attempt, 6));
  return Math.round(capped * (0.5 + Math.random() / 2));
}

export const CLIENT_DEFAULTS: RedisOptions = Object.freeze({
  // Null: a command waits for the connection instead of failing after N reconnection attempts
  // (BullMQ workers require it too).
  maxRetriesPerRequest: null,
  enableOfflineQueue: true,
  lazyConnect: true,
  retryStrategy: (times: number) => reconnectDelayMs(times),
  // After a failover the old primary answers READONLY: reconnect (DNS or Sentinel finds the new one).
  reconnectOnError: (error: Error) => error.message.startsWith("READONLY"),
});

/** A client for `connection`: a new one (owned, to be closed by the caller) or the caller's own. */
export function createClient(
  connection: RedisConnection,
  name: string,
  overrides: RedisOptions = {},
): { client: Redis; owned: boolean } {
  if (connection instanceof Redis) return { client: connection, owned: false };
  const options: RedisOptions = { ...CLIENT_DEFAULTS, connectionName: name, ...overrides };
  const client =
    typeof connection === "string"
      ? new Redis(connection, options)
      : new Redis({ ...options, ...connection, ...overrides, connectionName: name });
  return { client, owned: true };
}

/** A duplicate of `client` for a role that needs its own connection (pub/sub, blocking reads). */
export function duplicateClient(client: Redis, name: string): Redis {
  return client.duplicate({ ...CLIENT_DEFAULTS, connectionName: name });
}

/**
 * Turns a client's connection events into typed events, once per outage. Also the client's
 * `error` listener: an ioredis client without one crashes the process on the first refused
 * connection. Returns a function that detaches it.
 */
export function monitorConnection(
  client: Redis,
  events: TypedEmitter<RedisConnectionEvents>,
  clock: Clock,
  connection: string,
): () => void {
  let up = client.status === "ready";
  let downSince: number | null = null;
  let attempt = 0;
  const down = (error: Error | null): void => {
    if (downSince !== null) return;
    downSince = clock.now();
    up = false;
    events.emit("redis:down", { error, connection });
  };
  const onError = (error: Error): void => down(error);
  const onClose = (): void => {
    if (up) down(null);
  };
  const onReconnecting = (delayMs: number): void => {
    attempt++;
    if (downSince === null) down(null);
    events.emit("redis:reconnecting", { attempt, delayMs, connection });
  };
  const onReady = (): void => {
    up = true;
    attempt = 0;
    if (downSince !== null) {
      const downMs = clock.now() - downSince;
      downSince = null;
      events.emit("redis:up", { downMs, connection });
    }
  };
  client.on("error", onError);
  client.on("close", onClose);
  client.on("reconnecting", onReconnecting);
  client.on("ready", onReady);
  return () => {
    client.off("error", onError);
    client.off("close", onClose);
    client.off("reconnecting", onReconnecting);
    client.off("ready", onReady);
  };
}

/**
 * Resolves when `client` is ready; rejects with `onTimeout()` after `timeoutMs` (null: never).
 * Connects a lazy client that was never connected.
 */
export function whenReady(
  client: Redis,
  clock: Clock,
  timeoutMs: number | null,
  onTimeout: () => Error,
): Promise<void> {
  if (client.status === "ready") return Promise.resolve();
  if (client.status === "wait") {
    // The first connection of a lazy client; failures show as `error` events and reconnections.
    client.connect().catch(() => undefined);
  }
  return new Promise<void>((resolve, reject) => {
    let timer: Timer | undefined;
    const onReady = (): void => {
      timer?.cancel();
      client.off("end", onEnd);
      resolve();
    };
    const onEnd = (): void => {
      timer?.cancel();
      client.off("ready", onReady);
      reject(onTimeout());
    };
    client.once("ready", onReady);
    client.once("end", onEnd);
    if (timeoutMs !== null) {
      timer = clock.setTimer(() => {
        client.off("ready", onReady);
        client.off("end", onEnd);
        reject(onTimeout());
      }, timeoutMs);
    }
  });
}
