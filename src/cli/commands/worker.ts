/**
 * `cronq worker`: a process that runs tasks in a distributed deployment. It loads the same config
 * module as the schedulers (so it knows the same tasks), consumes the queues of its groups from
 * Redis, and records every attempt in the run ledger. Run as many as needed, on any machine.
 */
import { Command } from "commander";
import { loadConfig } from "../../config.js";
import { CronqError } from "../../core/errors.js";
import { CronqWorker } from "../../queue/worker.js";
import { RedisEventBridge, RedisStore } from "../../stores/redis/index.js";
import { createLogger, logEvents, taskLogger } from "../logging.js";
import {
  type RedisCommandOptions,
  checkEvictionPolicy,
  logLeaseLosses,
  logRedisEvents,
  onSignals,
  parseGrace,
  redisTarget,
  withRedisOptions,
} from "./scheduler.js";

export interface WorkerCommandOptions extends RedisCommandOptions {
  concurrency?: string;
  groups?: string;
  id?: string;
}

export function workerCommand(): Command {
  return withRedisOptions(
    new Command("worker").description("Run tasks from the Redis queues, with a bounded concurrency"),
  )
    .option(
      "--concurrency <n>",
      "most tasks running at once in this process (default: the config's worker.concurrency, else 10)",
    )
    .option(
      "--groups <list>",
      "comma-separated queue groups to consume (default: the config's worker.groups, else every group)",
    )
    .option(
      "--id <id>",
      "this worker's id in run records and the cluster view (default: <host>:<pid>:<random>)",
    )
    .addHelpText(
      "after",
      `
Examples:
  $ REDIS_URL=redis://:secret@redis:6379 cronq worker --config cronq.config.ts --concurrency 20
  $ cronq worker --groups reports,exports --grace 60000`,
    )
    .action(async (options: WorkerCommandOptions) => {
      await runWorker(options);
    });
}

export async function runWorker(options: WorkerCommandOptions): Promise<void> {
  const logger = createLogger(options.logFormat ? { format: options.logFormat } : {});
  const graceMs = parseGrace(options.grace);
  const { config, path } = await loadConfig(options.config);
  const { url, prefix } = redisTarget(options, config);
  const concurrency =
    options.concurrency === undefined ? (config.worker?.concurrency ?? 10) : Number(options.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new CronqError(
      "INVALID_OPTION",
      `Expected \`--concurrency\` to be an integer of at least 1, got "${options.concurrency ?? String(config.worker?.concurrency)}"`,
    );
  }
  const groups =
    options.groups === undefined
      ? (config.worker?.groups ?? null)
      : options.groups
          .split(",")
          .map((g) => g.trim())
          .filter((g) => g !== "");
  // No offline timeout: while Redis is away, attempts wait to be recorded instead of failing.
  const store = new RedisStore({ redis: url, prefix, offlineTimeout: null });
  logRedisEvents(store, logger);
  const worker = new CronqWorker({
    store,
    concurrency,
    groups,
    ...(options.id === undefined ? {} : { id: options.id }),
    ...(config.tasks === undefined ? {} : { tasks: config.tasks }),
    ...(config.scheduler?.leaseDuration === undefined
      ? {}
      : { leaseDuration: config.scheduler.leaseDuration }),
    logger: taskLogger(logger),
  });
  logEvents(worker.events, logger);
  logLeaseLosses(worker.events, logger);
  const bridge = new RedisEventBridge({ store, publish: true, subscribe: false });
  onSignals(logger, async () => {
    logger.info(`stopping: taking no more work; running tasks get ${graceMs} ms to finish`);
    await worker.stop({ graceMs });
    await bridge.close();
    await store.close();
  });

  logger.info({ redis: store.where }, `connecting to Redis at ${store.where}`);
  await store.open();
  await checkEvictionPolicy(store, logger, options.requireNoeviction === true);
  await bridge.attach(worker.events);
  await worker.start();
  logger.info(
    {
      id: worker.id,
      redis: store.where,
      config: path,
      concurrency,
      groups,
      tasks: worker.tasks.list().map((t) => t.name),
    },
    `cronq worker ${worker.id} started: ${concurrency} at once, groups ${groups === null ? "all" : groups.join(", ")}`,
  );
}
