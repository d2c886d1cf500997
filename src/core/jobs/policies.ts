/**
 * Job policies: what happens when occurrences overlap, come late, fail or hang.
 *
 * Users write {@link JobPolicyOptions} (optional fields, durations like "30s"); the code uses
 * {@link JobPolicy} (every field resolved, `...Ms` numbers, frozen, JSON-serialisable so that stores
 * persist it with the job). {@link resolveJobPolicy} is the one place that validates and converts.
 */
import { type Duration, formatDuration, parseDuration } from "../duration.js";
import { InvalidOptionError } from "../errors.js";
import { deepFreeze } from "./frozen.js";
import { jitterOffsetMs } from "../triggers/jitter.js";

/**
 * What to do when an occurrence comes while the job is still running (on any worker).
 */
export type OverlapPolicy =
  /** Record the new occurrence as skipped (reason `overlap`) and let the running one finish. */
  | "skip"
  /** Record it as waiting and start it when the running one ends (at most `maxQueued` wait). */
  | "queue"
  /** Start it anyway, up to `maxConcurrent` runs of the job at once; beyond that, skip it. */
  | "allow"
  /** Cancel the running one (recorded as cancelled, reason `replaced`) and start the new one. */
  | "replace";

/**
 * What to do with occurrences the scheduler fires later than `misfireGrace` after they were due:
 * after downtime, a stall, a paused scheduler or a clock jump.
 */
export type CatchUpPolicy =
  /** Run none of them; record each as missed (reason `misfire`). */
  | "none"
  /** Run the most recent one once, unless an on-time occurrence follows it; record the others as missed (reason `catch-up`). */
  | "latest"
  /** Run all of them, oldest first, at most `catchUpLimit` (the most recent); record the rest as missed (reason `catch-up-limit`). */
  | "all";

/** How the delay between attempts grows. */
export type BackoffKind =
  /** The same `delay` before every retry. */
  | "fixed"
  /** `delay`, then twice that, four times... capped at `maxDelay`. */
  | "exponential";

export const OVERLAP_POLICIES: readonly OverlapPolicy[] = ["skip", "queue", "allow", "replace"];
export const CATCH_UP_POLICIES: readonly CatchUpPolicy[] = ["none", "latest", "all"];
export const BACKOFF_KINDS: readonly BackoffKind[] = ["fixed", "exponential"];

export interface RetryOptions {
  /** Total attempts, the first included: 1 means no retry. @default 1 */
  attempts?: number;
  /** @default "exponential" */
  backoff?: BackoffKind;
  /** Delay before the first retry. @default "1s" */
  delay?: Duration;
  /** Upper bound of any delay between attempts. @default "1h" */
  maxDelay?: Duration;
  /**
   * Spread each delay over [delay/2, delay] so that many failing jobs do not retry in lock-step.
   * The spread is a deterministic function of the run id and attempt. @default true
   */
  jitter?: boolean;
}

export interface JobPolicyOptions {
  /** @default "skip" */
  overlap?: OverlapPolicy;
  /** With overlap `allow`: the most runs of this job at once; null for no limit. @default null */
  maxConcurrent?: number | null;
  /** With overlap `queue`: the most occurrences waiting; more are skipped (reason `queue-full`). @default 10 */
  maxQueued?: number;
  /**
   * How late the scheduler may fire an occurrence and still call it on time; a later one is handed
   * to the catch-up policy. null: never late. @default "1s"
   */
  misfireGrace?: Duration | null;
  /** @default "latest" */
  catchUp?: CatchUpPolicy;
  /** With catch-up `all`: the most late occurrences run at once. @default 100 */
  catchUpLimit?: number;
  /** Retries: a number of attempts (1 = no retry), or the full options. @default 1 */
  retry?: number | RetryOptions;
  /** The longest a single attempt may run; its signal then aborts. null: no limit. @default null */
  timeout?: Duration | null;
  /**
   * Spread fires over [scheduledAt, scheduledAt + jitter), deterministically per job and occurrence,
   * so that every replica computes the same time. @default 0
   */
  jitter?: Duration;
  /** The queue group that distributed workers consume this job from. @default "default" */
  group?: string;
}

export interface RetryPolicy {
  attempts: number;
  backoff: BackoffKind;
  delayMs: number;
  maxDelayMs: number;
  jitter: boolean;
}

export interface JobPolicy {
  overlap: OverlapPolicy;
  maxConcurrent: number | null;
  maxQueued: number;
  misfireGraceMs: number | null;
  catchUp: CatchUpPolicy;
  catchUpLimit: number;
  retry: RetryPolicy;
  timeoutMs: number | null;
  jitterMs: number;
  group: string;
}

export const DEFAULT_JOB_POLICY: JobPolicy = deepFreeze({
  overlap: "skip",
  maxConcurrent: null,
  maxQueued: 10,
  misfireGraceMs: 1000,
  catchUp: "latest",
  catchUpLimit: 100,
  retry: { attempts: 1, backoff: "exponential", delayMs: 1000, maxDelayMs: 3_600_000, jitter: true },
  timeoutMs: null,
  jitterMs: 0,
  group: "default",
});

const POLICY_KEYS = new Set<string>([
  "overlap",
  "maxConcurrent",
  "maxQueued",
  "misfireGrace",
  "catchUp",
  "catchUpLimit",
  "retry",
  "timeout",
  "jitter",
  "group",
]);
const RETRY_KEYS = new Set<string>(["attempts", "backoff", "delay", "maxDelay", "jitter"]);

/** Whether `key` is one of {@link JobPolicyOptions}' fields. */
export function isPolicyKey(key: string): boolean {
  return POLICY_KEYS.has(key);
}

/**
 * Validates `options` and merges them over `base`. Never mutates either; returns a frozen policy.
 * `prefix` is prepended to field names in error messages (`"jobDefaults."`).
 */
export function resolveJobPolicy(
  options: JobPolicyOptions,
  base: JobPolicy = DEFAULT_JOB_POLICY,
  prefix = "",
): JobPolicy {
  const f = (name: string): string => prefix + name;
  const overlap =
    options.overlap === undefined ? base.overlap : oneOf(f("overlap"), options.overlap, OVERLAP_POLICIES);
  const catchUp =
    options.catchUp === undefined ? base.catchUp : oneOf(f("catchUp"), options.catchUp, CATCH_UP_POLICIES);
  const maxConcurrent =
    options.maxConcurrent === undefined
      ? base.maxConcurrent
      : options.maxConcurrent === null
        ? null
        : positiveInt(f("maxConcurrent"), options.maxConcurrent, 1_000_000);
  const maxQueued =
    options.maxQueued === undefined
      ? base.maxQueued
      : nonNegativeInt(f("maxQueued"), options.maxQueued, 1_000_000);
  const catchUpLimit =
    options.catchUpLimit === undefined
      ? base.catchUpLimit
      : positiveInt(f("catchUpLimit"), options.catchUpLimit, 100_000);
  const misfireGraceMs =
    options.misfireGrace === undefined
      ? base.misfireGraceMs
      : options.misfireGrace === null
        ? null
        : parseDuration(options.misfireGrace, { field: f("misfireGrace") });
  const timeoutMs =
    options.timeout === undefined
      ? base.timeoutMs
      : options.timeout === null
        ? null
        : parseDuration(options.timeout, { field: f("timeout"), allowZero: false });
  const jitterMs =
    options.jitter === undefined ? base.jitterMs : parseDuration(options.jitter, { field: f("jitter") });
  const group = options.group === undefined ? base.group : groupName(f("group"), options.group);
  const retry =
    options.retry === undefined ? base.retry : resolveRetry(options.retry, base.retry, f("retry"));
  return deepFreeze({
    overlap,
    maxConcurrent,
    maxQueued,
    misfireGraceMs,
    catchUp,
    catchUpLimit,
    retry,
    timeoutMs,
    jitterMs,
    group,
  });
}

function resolveRetry(value: unknown, base: RetryPolicy, field: string): RetryPolicy {
  if (typeof value === "number") {
    return { ...base, attempts: positiveInt(field, value, 1000) };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidOptionError(
      field,
      'a number of attempts or an object like { attempts: 3, backoff: "exponential", delay: "1s" }',
      value,
    );
  }
  for (const key of Object.keys(value)) {
    if (!RETRY_KEYS.has(key)) {
      throw new InvalidOptionError(
        `${field}.${key}`,
        `one of the retry options (${[...RETRY_KEYS].join(", ")})`,
        key,
        {
          message: `Unknown option \`${field}.${key}\`; allowed: ${[...RETRY_KEYS].join(", ")}`,
        },
      );
    }
  }
  const r = value as RetryOptions;
  const attempts =
    r.attempts === undefined ? base.attempts : positiveInt(`${field}.attempts`, r.attempts, 1000);
  const backoff =
    r.backoff === undefined ? base.backoff : oneOf(`${field}.backoff`, r.backoff, BACKOFF_KINDS);
  const delayMs = r.delay === undefined ? base.delayMs : parseDuration(r.delay, { field: `${field}.delay` });
  const maxDelayMs =
    r.maxDelay === undefined ? base.maxDelayMs : parseDuration(r.maxDelay, { field: `${field}.maxDelay` });
  if (maxDelayMs < delayMs) {
    throw new InvalidOptionError(
      `${field}.maxDelay`,
      `a duration of at least \`${field}.delay\` (${formatDuration(delayMs)})`,
      r.maxDelay ?? formatDuration(maxDelayMs),
    );
  }
  if (r.jitter !== undefined && typeof r.jitter !== "boolean") {
    throw new InvalidOptionError(`${field}.jitter`, "true or false", r.jitter);
  }
  return { attempts, backoff, delayMs, maxDelayMs, jitter: r.jitter ?? base.jitter };
}

/**
 * The delay before attempt `nextAttempt` (2 for the first retry). With jitter the delay lies in
 * [d/2, d], chosen by hashing `key` (the run id) and the attempt, so that it is reproducible.
 */
export function retryDelayMs(retry: RetryPolicy, nextAttempt: number, key: string): number {
  const exponent = Math.max(0, nextAttempt - 2);
  const raw = retry.backoff === "fixed" ? retry.delayMs : retry.delayMs * 2 ** Math.min(exponent, 52);
  const capped = Math.round(Math.min(retry.maxDelayMs, raw));
  if (!retry.jitter || capped === 0) return capped;
  return capped - jitterOffsetMs(key, nextAttempt, Math.floor(capped / 2));
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw new InvalidOptionError(field, `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`, value);
}

function positiveInt(field: string, value: unknown, max: number): number {
  if (typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= max) return value;
  throw new InvalidOptionError(field, `an integer from 1 to ${max}`, value);
}

function nonNegativeInt(field: string, value: unknown, max: number): number {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= max) return value;
  throw new InvalidOptionError(field, `an integer from 0 to ${max}`, value);
}

function groupName(field: string, value: unknown): string {
  if (typeof value === "string" && /^[A-Za-z0-9_.-]{1,64}$/.test(value)) return value;
  throw new InvalidOptionError(field, "1 to 64 letters, digits, '.', '_' or '-'", value);
}

/** For error messages elsewhere: the list of policy option names. */
export const POLICY_OPTION_NAMES: readonly string[] = [...POLICY_KEYS];
