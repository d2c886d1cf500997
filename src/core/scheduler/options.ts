/**
 * Scheduler options: what users write ({@link SchedulerOptions}) and what the scheduler uses
 * ({@link ResolvedSchedulerOptions}), validated once by {@link resolveSchedulerOptions}.
 */
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Clock } from "../clock/clock.js";
import { systemClock } from "../clock/system-clock.js";
import { type Duration, parseDuration } from "../duration.js";
import { InvalidOptionError } from "../errors.js";
import type { Executor } from "../executors/executor.js";
import { LocalExecutor } from "../executors/local.js";
import { type JobPolicy, type JobPolicyOptions, resolveJobPolicy } from "../jobs/policies.js";
import { MemoryStore } from "../stores/memory.js";
import type { RetentionPolicy, Store } from "../stores/store.js";
import { type TaskDefinition, type TaskList, type TaskLogger, resolveTasks, silentLogger } from "../tasks.js";
import { assertTimeZone, systemTimeZone } from "./timezone.js";
import { collectYoungGeneration } from "./young-gc.js";

export interface HistoryOptions {
  /** Final runs kept per job (the newest). @default 100 */
  maxRunsPerJob?: number;
  /** Final runs older than this are deleted. @default "30d" */
  maxAge?: Duration;
}

export interface SchedulerOptions {
  /** Where jobs and runs live. The scheduler opens it at start; it closes it only if it created it. @default a new MemoryStore */
  store?: Store;
  /** Who runs the tasks. @default a LocalExecutor with `concurrency` */
  executor?: Executor;
  /** With the default executor: the most tasks running at once. @default 100 */
  concurrency?: number;
  /** The source of time. @default the system clock */
  clock?: Clock;
  /** The timezone of cron and calendar triggers that name none. @default the system's timezone */
  timezone?: string;
  /** Named tasks that stored jobs may refer to: definitions from `defineTask`, or `{ name: fn }`. */
  tasks?: TaskList;
  /** This scheduler's id in leases, run records and logs. @default "<hostname>:<pid>:<random>" */
  id?: string;
  /**
   * How long a claim on a job or a lease on a run lasts without renewal: the longest another
   * replica waits before taking over the work of one that died. @default "5s"
   */
  leaseDuration?: Duration;
  /** With a shared store: how often to look for jobs changed by other processes. @default "1s" */
  pollInterval?: Duration;
  /** The most jobs claimed and fired in one batch; between batches the event loop runs other work. @default 100 */
  batchSize?: number;
  /** Policy defaults for every job added through this scheduler. */
  jobDefaults?: JobPolicyOptions;
  /** How much run history to keep. */
  history?: HistoryOptions;
  /** The logger that tasks receive in their context. @default a silent logger */
  logger?: TaskLogger;
  /**
   * Before a burst of at least 1,000 jobs due at the same instant (planned ahead, see the README's
   * "How due jobs are fired"), collect V8's young generation while waiting for the instant, so that
   * the burst does not stop for that collection midway. `true`: V8's own (obtained without a
   * command-line flag; where it cannot be, nothing is done); a function: called instead; `false`:
   * never. With `true`, V8's collection also runs once at the first start in a process, after the
   * scheduler has shown V8 that its records die young (see `prime-sites.ts`). @default true
   */
  gcBeforeBurst?: boolean | (() => void);
}

export interface ResolvedSchedulerOptions {
  readonly store: Store;
  readonly ownsStore: boolean;
  readonly executor: Executor;
  readonly clock: Clock;
  readonly timezone: string;
  readonly tasks: readonly TaskDefinition[];
  readonly id: string;
  readonly leaseMs: number;
  readonly pollIntervalMs: number;
  readonly batchSize: number;
  readonly jobDefaults: JobPolicy;
  readonly retention: RetentionPolicy;
  readonly logger: TaskLogger;
  /** What collects the young generation before a burst planned ahead, if anything. */
  readonly gcBeforeBurst: (() => void) | null;
}

const KNOWN = new Set([
  "store",
  "executor",
  "concurrency",
  "clock",
  "timezone",
  "tasks",
  "id",
  "leaseDuration",
  "pollInterval",
  "batchSize",
  "jobDefaults",
  "history",
  "logger",
  "gcBeforeBurst",
]);

export function resolveSchedulerOptions(options: SchedulerOptions = {}): ResolvedSchedulerOptions {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionError("options", "an object", options);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) {
      throw new InvalidOptionError(key, "a scheduler option", key, {
        message: `Unknown scheduler option \`${key}\`; allowed: ${[...KNOWN].join(", ")}`,
      });
    }
  }
  if (options.executor !== undefined && options.concurrency !== undefined) {
    throw new InvalidOptionError(
      "concurrency",
      "unset when `executor` is given (configure the executor instead)",
      options.concurrency,
    );
  }
  const timezone = options.timezone ?? systemTimeZone();
  assertTimeZone(timezone, "timezone");
  const id = options.id ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  if (typeof id !== "string" || !/^[\x21-\x7e]{1,128}$/.test(id)) {
    throw new InvalidOptionError("id", "1 to 128 printable ASCII characters without spaces", id);
  }
  const batchSize = options.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
    throw new InvalidOptionError("batchSize", "an integer from 1 to 100000", batchSize);
  }
  const history = options.history ?? {};
  const maxRunsPerJob = history.maxRunsPerJob ?? 100;
  if (!Number.isInteger(maxRunsPerJob) || maxRunsPerJob < 1 || maxRunsPerJob > 1_000_000) {
    throw new InvalidOptionError("history.maxRunsPerJob", "an integer from 1 to 1000000", maxRunsPerJob);
  }
  const gcBeforeBurst = options.gcBeforeBurst ?? true;
  if (typeof gcBeforeBurst !== "boolean" && typeof gcBeforeBurst !== "function") {
    throw new InvalidOptionError("gcBeforeBurst", "true, false or a function", gcBeforeBurst);
  }
  const resolved: ResolvedSchedulerOptions = {
    store: options.store ?? new MemoryStore(),
    ownsStore: options.store === undefined,
    executor:
      options.executor ??
      new LocalExecutor(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    clock: options.clock ?? systemClock,
    timezone,
    tasks: resolveTasks(options.tasks),
    id,
    leaseMs: parseDuration(options.leaseDuration ?? "5s", { field: "leaseDuration", minMs: 100 }),
    pollIntervalMs: parseDuration(options.pollInterval ?? "1s", { field: "pollInterval", minMs: 10 }),
    batchSize,
    jobDefaults: resolveJobPolicy(options.jobDefaults ?? {}, undefined, "jobDefaults."),
    retention: {
      maxRunsPerJob,
      maxAgeMs: parseDuration(history.maxAge ?? "30d", { field: "history.maxAge", allowZero: false }),
    },
    logger: options.logger ?? silentLogger,
    gcBeforeBurst:
      gcBeforeBurst === true ? collectYoungGeneration : gcBeforeBurst === false ? null : gcBeforeBurst,
  };
  if (typeof resolved.clock.now !== "function" || typeof resolved.clock.setTimer !== "function") {
    throw new InvalidOptionError("clock", "a Clock with now() and setTimer()", options.clock);
  }
  return Object.freeze(resolved);
}
