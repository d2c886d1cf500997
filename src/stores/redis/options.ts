/**
 * Redis store options: what users write ({@link RedisStoreOptions}) and what the store uses
 * ({@link ResolvedRedisStoreOptions}), validated once by {@link resolveRedisStoreOptions}.
 */
import { Redis, type RedisOptions } from "ioredis";
import type { Clock } from "../../core/clock/clock.js";
import { systemClock } from "../../core/clock/system-clock.js";
import { type Duration, parseDuration } from "../../core/duration.js";
import { InvalidOptionError } from "../../core/errors.js";

/** Which clock leases and claims are measured on. */
export type LeaseClock =
  /**
   * Redis's own clock (`TIME`, read inside each script): processes on machines whose clocks
   * disagree still agree on when a lease expires, so a replica whose clock runs ahead cannot take
   * over leases that are still alive. Lease and claim expiries in records are Redis times.
   */
  | "redis"
  /**
   * The `now` each caller passes: for a scheduler on a fake clock (tests), where Redis's clock
   * would not follow the fake time. Only safe when every process's clock agrees.
   */
  | "caller";

/** A Redis to connect to: a URL, ioredis options, or an ioredis client that stays the caller's. */
export type RedisConnection = string | RedisOptions | Redis;

export interface RedisStoreOptions {
  /**
   * `redis://[[user]:password@]host[:port][/db]`, `rediss://...` for TLS, ioredis options, or an
   * ioredis client (the store uses it and leaves it open on close). Clients the store creates
   * reconnect with backoff and hold commands while disconnected (see `offlineTimeout`).
   * @default "redis://127.0.0.1:6379"
   */
  redis?: RedisConnection;
  /**
   * Prefix of every key (`<prefix>:job:<id>`, `<prefix>:q:<group>:...` for the queues), so that
   * several deployments share one Redis: letters, digits and `_ . - : { }`, at most 64 characters.
   * @default "cronq"
   */
  prefix?: string;
  /** @default "redis" */
  leaseClock?: LeaseClock;
  /**
   * How long an operation issued while the connection is down waits for it to come back before it
   * rejects with StoreUnavailableError (without having been sent, so nothing happened). `null`
   * waits as long as it takes: a scheduler then resumes the moment Redis is back, instead of
   * retrying on its own backoff. Operations already sent when the connection drops are re-sent on
   * reconnection; the scripts recognise a replay of a commit, start or finish they already applied.
   * @default "10s"
   */
  offlineTimeout?: Duration | null;
  /** The clock of the connection events' times. @default the system clock */
  clock?: Clock;
}

export interface ResolvedRedisStoreOptions {
  readonly redis: RedisConnection;
  readonly prefix: string;
  readonly leaseClock: LeaseClock;
  readonly offlineTimeoutMs: number | null;
  readonly clock: Clock;
}

const KNOWN = new Set(["redis", "prefix", "leaseClock", "offlineTimeout", "clock"]);
const PREFIX = /^[A-Za-z0-9_.:{}-]{1,64}$/;

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/** Validates `options` without changing them; throws InvalidOptionError naming the field. */
export function resolveRedisStoreOptions(options: RedisStoreOptions = {}): ResolvedRedisStoreOptions {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionError("options", 'an object like { redis: "redis://127.0.0.1:6379" }', options);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) {
      throw new InvalidOptionError(key, "a Redis store option", key, {
        message: `Unknown Redis store option \`${key}\`; allowed: ${[...KNOWN].join(", ")}`,
      });
    }
  }
  const redis = options.redis ?? DEFAULT_REDIS_URL;
  if (typeof redis === "string") {
    if (!/^rediss?:\/\//.test(redis)) {
      throw new InvalidOptionError(
        "redis",
        'a URL like "redis://127.0.0.1:6379" or "rediss://host:6380"',
        redis,
      );
    }
  } else if (typeof redis !== "object" || redis === null) {
    throw new InvalidOptionError("redis", "a redis:// URL, ioredis options or an ioredis client", redis);
  }
  const prefix = options.prefix ?? "cronq";
  if (typeof prefix !== "string" || !PREFIX.test(prefix)) {
    throw new InvalidOptionError(
      "prefix",
      "1 to 64 letters, digits or `_ . - : { }` (no glob characters: the prefix is also a SCAN pattern)",
      prefix,
    );
  }
  const leaseClock = options.leaseClock ?? "redis";
  if (leaseClock !== "redis" && leaseClock !== "caller") {
    throw new InvalidOptionError("leaseClock", '"redis" or "caller"', leaseClock);
  }
  const offlineTimeout = options.offlineTimeout === undefined ? "10s" : options.offlineTimeout;
  let offlineTimeoutMs: number | null = null;
  if (offlineTimeout !== null) {
    try {
      offlineTimeoutMs = parseDuration(offlineTimeout, { field: "offlineTimeout" });
    } catch (error) {
      throw new InvalidOptionError(
        "offlineTimeout",
        'a duration like "10s", or null to wait as long as it takes',
        offlineTimeout,
        { cause: error },
      );
    }
  }
  const clock = options.clock ?? systemClock;
  if (typeof clock.now !== "function" || typeof clock.setTimer !== "function") {
    throw new InvalidOptionError("clock", "a Clock with now() and setTimer()", clock);
  }
  return Object.freeze({ redis, prefix, leaseClock, offlineTimeoutMs, clock });
}

/** Where a connection goes, for messages: the URL without its password, or host:port. */
export function describeConnection(redis: RedisConnection): string {
  if (typeof redis === "string") {
    try {
      const url = new URL(redis);
      if (url.password) url.password = "***";
      return url.toString().replace(/\/$/, "");
    } catch {
      return "(an unparseable Redis URL)";
    }
  }
  const options = redis instanceof Redis ? redis.options : redis;
  const scheme = options.tls ? "rediss" : "redis";
  return `${scheme}://${options.host ?? "127.0.0.1"}:${options.port ?? 6379}`;
}
