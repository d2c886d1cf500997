/**
 * `cronq scheduler`: one scheduler replica of a distributed deployment. It fires the jobs of the
 * Redis store (any number of replicas may run: each occurrence is claimed by exactly one) and
 * queues the runs for `cronq worker` processes; it runs no task itself.
 *
 * Also the home of what the three Redis commands (`scheduler`, `worker`, `serve`) share: where
 * Redis is (flag, REDIS_URL, config), the eviction-policy check, and logging the connection's ups
 * and downs.
 */
import { Command, Option } from "commander";
import type { Logger } from "pino";
import { loadConfig, type CronqConfig } from "../../config.js";
import { CronqError } from "../../core/errors.js";
import type { CronqEvents, TypedEmitter } from "../../core/events.js";
import { Scheduler } from "../../core/scheduler/scheduler.js";
import { QueueExecutor } from "../../queue/executor.js";
import { RedisEventBridge, RedisStore, replicaHeartbeat } from "../../stores/redis/index.js";
import { DEFAULT_REDIS_URL } from "../../stores/redis/options.js";
import { ensureConfigJobs } from "../config-jobs.js";
import { createLogger, logEvents, taskLogger, type LogFormat } from "../logging.js";

/** The options every Redis command has. */
export interface RedisCommandOptions {
  config?: string;
  redis?: string;
  prefix?: string;
  requireNoeviction?: boolean;
  grace: string;
  logFormat?: LogFormat;
}

export interface SchedulerCommandOptions extends RedisCommandOptions {
  id?: string;
  jobs: boolean;
}

/** Adds the options every Redis command has. */
export function withRedisOptions(command: Command): Command {
  return command
    .option("-c, --config <file>", "config module (default: ./cronq.config.ts, .mts, .js or .mjs)")
    .option(
      "--redis <url>",
      `Redis URL, with password and TLS as redis://:password@host:6379 or rediss://... (default: REDIS_URL, else the config's store, else ${DEFAULT_REDIS_URL})`,
    )
    .option(
      "--prefix <prefix>",
      'key prefix, so that several deployments share one Redis (default: CRONQ_PREFIX, else the config\'s, else "cronq")',
    )
    .option(
      "--require-noeviction",
      "refuse to start unless Redis's maxmemory-policy is noeviction (otherwise a warning)",
    )
    .option("--grace <ms>", "on SIGINT/SIGTERM, how long running work may finish", "10000")
    .addOption(
      new Option(
        "--log-format <format>",
        "log lines as JSON or pretty (default: pretty on a terminal)",
      ).choices(["pretty", "json"]),
    );
}

export function schedulerCommand(): Command {
  return withRedisOptions(
    new Command("scheduler").description(
      "Run a scheduler replica on Redis: fire due jobs and queue their runs for `cronq worker` processes",
    ),
  )
    .option("--id <id>", "this replica's id in leases and the cluster view (default: <host>:<pid>:<random>)")
    .option("--no-jobs", "do not create or update the config's jobs at start")
    .addHelpText(
      "after",
      `
Examples:
  $ REDIS_URL=redis://:secret@redis:6379 cronq scheduler --config cronq.config.ts
  $ cronq scheduler --prefix staging --require-noeviction`,
    )
    .action(async (options: SchedulerCommandOptions) => {
      await runScheduler(options);
    });
}

/** Where Redis is and under which prefix: flag, then environment, then config, then defaults. */
export function redisTarget(
  options: Pick<RedisCommandOptions, "redis" | "prefix">,
  config: CronqConfig,
  env: Record<string, string | undefined> = process.env,
): { url: string; prefix: string } {
  const store = config.store;
  if (store && "sqlite" in store && options.redis === undefined && env.REDIS_URL === undefined) {
    throw new CronqError(
      "INVALID_OPTION",
      "This config uses a SQLite store: run `cronq start`, or point this command at Redis with --redis or REDIS_URL.",
    );
  }
  const fromConfig = store && "redis" in store ? store : undefined;
  return {
    url: options.redis ?? env.REDIS_URL ?? fromConfig?.redis ?? DEFAULT_REDIS_URL,
    prefix: options.prefix ?? env.CRONQ_PREFIX ?? fromConfig?.prefix ?? "cronq",
  };
}

/** Logs the Redis connection's ups and downs; returns a function that stops. */
export function logRedisEvents(store: RedisStore, logger: Logger): () => void {
  const offs = [
    store.events.on("redis:down", ({ error, connection }) =>
      logger.warn(
        { err: error ?? undefined, redis: connection },
        `Redis connection lost (${error?.message ?? "closed"}): reconnecting; work waits and catches up when it is back`,
      ),
    ),
    store.events.on("redis:reconnecting", ({ attempt, delayMs }) =>
      logger.debug({ attempt, delayMs }, `reconnecting to Redis in ${delayMs} ms (attempt ${attempt})`),
    ),
    store.events.on("redis:up", ({ downMs, connection }) =>
      logger.info({ downMs, redis: connection }, `Redis is back after ${downMs} ms`),
    ),
    store.events.on("error", ({ error, context }) =>
      logger.error({ err: error, context }, `${context}: ${error.message}`),
    ),
  ];
  return () => offs.forEach((off) => off());
}

/** Logs the late writes this process had refused (fencing: another took its claim or lease over). */
export function logLeaseLosses(events: TypedEmitter<CronqEvents>, logger: Logger): () => void {
  return events.on("lease:lost", ({ kind, id, owner }) =>
    logger.warn(
      { kind, id, owner },
      `lease lost: ${kind} ${id} was taken over by another process after ${owner}'s lease expired; its late write was refused`,
    ),
  );
}

/**
 * Checks Redis's eviction policy: any but `noeviction` may delete jobs and runs under memory
 * pressure. Warns, or refuses (throws) with `refuse`.
 */
export async function checkEvictionPolicy(store: RedisStore, logger: Logger, refuse: boolean): Promise<void> {
  const policy = await store.evictionPolicy();
  if (policy === "noeviction") return;
  const message =
    policy === null
      ? `Could not read Redis's maxmemory-policy at ${store.where} (CONFIG GET is not allowed): make sure it is noeviction, or jobs and runs may be evicted under memory pressure.`
      : `Redis at ${store.where} has maxmemory-policy "${policy}": under memory pressure it may evict cronq's keys, losing jobs and runs. Set it to noeviction (redis-server --maxmemory-policy noeviction).`;
  if (refuse && policy !== null) {
    throw new CronqError("INVALID_OPTION", `${message} Refusing to start (--require-noeviction).`);
  }
  logger.warn({ policy, redis: store.where }, message);
}

/** SIGINT/SIGTERM run `stop` once, then exit. */
export function onSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping: Promise<void> | undefined;
  const handle = (signal: string): void => {
    logger.info(`${signal} received: stopping`);
    stopping ??= stop().then(
      () => logger.info("stopped"),
      (error: unknown) => logger.error({ err: error }, "stopping failed"),
    );
    void stopping.finally(() => process.exit(0));
  };
  process.once("SIGINT", () => handle("SIGINT"));
  process.once("SIGTERM", () => handle("SIGTERM"));
}

export function parseGrace(value: string): number {
  const ms = Number(value);
  if (!Number.isFinite(ms) || ms < 0) {
    throw new CronqError(
      "INVALID_OPTION",
      `Expected \`--grace\` to be a number of milliseconds >= 0, got "${value}"`,
    );
  }
  return ms;
}

/** A scheduler on a Redis store that queues its runs for workers: what `scheduler` and `serve` share. */
export interface RedisDeployment {
  config: CronqConfig;
  path: string;
  store: RedisStore;
  scheduler: Scheduler;
  /** Connects, checks the eviction policy, attaches the event bridge. */
  connect(): Promise<void>;
  /** Fires jobs here: starts the scheduler and its heartbeat. */
  startReplica(): Promise<void>;
  /** Stops firing (if it did), the bridge and the store. */
  stop(graceMs: number): Promise<void>;
}

export async function redisDeployment(
  options: RedisCommandOptions & { id?: string | undefined },
  logger: Logger,
  settings: {
    /** How long store calls wait for Redis when it is away (null: as long as it takes). */
    offlineTimeout: string | null;
    /** Re-emit here the events published by other processes (the API needs them). */
    subscribe: boolean;
  },
): Promise<RedisDeployment> {
  const { config, path } = await loadConfig(options.config);
  const { url, prefix } = redisTarget(options, config);
  const store = new RedisStore({ redis: url, prefix, offlineTimeout: settings.offlineTimeout });
  logRedisEvents(store, logger);
  const scheduler = new Scheduler({
    ...config.scheduler,
    ...(options.id === undefined ? {} : { id: options.id }),
    store,
    executor: new QueueExecutor({ store }),
    ...(config.tasks === undefined ? {} : { tasks: config.tasks }),
    logger: taskLogger(logger),
  });
  logEvents(scheduler.events, logger);
  logLeaseLosses(scheduler.events, logger);
  const bridge = new RedisEventBridge({ store, publish: true, subscribe: settings.subscribe });
  let heartbeat: ReturnType<typeof replicaHeartbeat> | undefined;
  return {
    config,
    path,
    store,
    scheduler,
    async connect() {
      logger.info({ redis: store.where }, `connecting to Redis at ${store.where}`);
      await store.open();
      await checkEvictionPolicy(store, logger, options.requireNoeviction === true);
      await bridge.attach(scheduler.events);
    },
    async startReplica() {
      await scheduler.start();
      heartbeat = replicaHeartbeat(store, scheduler);
      heartbeat.start();
    },
    async stop(graceMs) {
      await scheduler.stop({ graceMs });
      await heartbeat?.stop();
      await bridge.close();
      await store.close();
    },
  };
}

export async function runScheduler(options: SchedulerCommandOptions): Promise<void> {
  const logger = createLogger(options.logFormat ? { format: options.logFormat } : {});
  const graceMs = parseGrace(options.grace);
  // No offline timeout: while Redis is away the loop waits for it, and catches up the moment it is back.
  const deployment = await redisDeployment(options, logger, { offlineTimeout: null, subscribe: false });
  const { config, path, store, scheduler } = deployment;
  onSignals(logger, () => deployment.stop(graceMs));
  await deployment.connect();
  await deployment.startReplica();
  if (options.jobs) await ensureConfigJobs(scheduler, config, path, logger);
  const counts = await scheduler.countJobs();
  logger.info(
    { id: scheduler.id, redis: store.where, config: path, jobs: counts },
    `cronq scheduler ${scheduler.id} started: ${Object.values(counts).reduce((a, b) => a + b, 0)} jobs, lease ${scheduler.options.leaseMs} ms, timezone ${scheduler.options.timezone}`,
  );
}
