/**
 * `cronq serve`: the API and dashboard of a distributed deployment, next to the scheduler replicas.
 *
 * It manages jobs in the Redis store and watches the cluster: its scheduler does not fire (unless
 * `--replica`), so a "run now" is recorded for whichever replica looks next, and a cancel reaches
 * the worker executing the run through the control channel. The run and job events of every
 * replica and worker are re-emitted here (event bridge), for the API's event stream and metrics;
 * the cluster view comes from the replicas' and workers' heartbeats.
 */
import { Command } from "commander";
import { loadConfig } from "../../config.js";
import { Scheduler } from "../../core/scheduler/scheduler.js";
import { QueueExecutor } from "../../queue/executor.js";
import { RedisEventBridge, RedisStore, redisCluster, replicaHeartbeat } from "../../stores/redis/index.js";
import { createLogger, logEvents, taskLogger } from "../logging.js";
import { serveApi, type ServedApi } from "../serve-api.js";
import {
  type RedisCommandOptions,
  checkEvictionPolicy,
  ensureConfigJobs,
  logLeaseLosses,
  logRedisEvents,
  onSignals,
  parseGrace,
  redisTarget,
  withRedisOptions,
} from "./scheduler.js";

export interface ServeCommandOptions extends RedisCommandOptions {
  host?: string;
  port?: string;
  replica?: boolean;
  id?: string;
}

export function serveCommand(): Command {
  return withRedisOptions(
    new Command("serve").description(
      "Serve the API and dashboard for a Redis deployment (jobs, runs, live events, replicas and workers)",
    ),
  )
    .option("--host <host>", "API host (default: CRONQ_HOST or 127.0.0.1; any other needs CRONQ_API_TOKEN)")
    .option("--port <port>", "API port, 0 for any free port (default: CRONQ_PORT or 8080)")
    .option("--replica", "also be a scheduler replica (fire jobs) in this process")
    .option("--id <id>", "this process's scheduler id (default: <host>:<pid>:<random>)")
    .addHelpText(
      "after",
      `
Examples:
  $ CRONQ_API_TOKEN=secret REDIS_URL=redis://redis:6379 cronq serve --host 0.0.0.0
  $ cronq serve --replica --port 0`,
    )
    .action(async (options: ServeCommandOptions) => {
      await runServe(options);
    });
}

export async function runServe(options: ServeCommandOptions): Promise<void> {
  const logger = createLogger(options.logFormat ? { format: options.logFormat } : {});
  const graceMs = parseGrace(options.grace);
  const { config, path } = await loadConfig(options.config);
  const { url, prefix } = redisTarget(options, config);
  // An API request must not hang while Redis is away: it fails after 5 s with 503 instead.
  const store = new RedisStore({ redis: url, prefix, offlineTimeout: options.replica ? null : "5s" });
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
  const bridge = new RedisEventBridge({ store, publish: true, subscribe: true });
  const heartbeat = options.replica ? replicaHeartbeat(store, scheduler) : undefined;
  // Assigned once the API listens; the signal handler may run before.
  let api: ServedApi | undefined = undefined;
  onSignals(logger, async () => {
    await api?.close();
    await scheduler.stop({ graceMs });
    await heartbeat?.stop();
    await bridge.close();
    await store.close();
  });

  logger.info({ redis: store.where }, `connecting to Redis at ${store.where}`);
  await store.open();
  await checkEvictionPolicy(store, logger, options.requireNoeviction === true);
  await bridge.attach(scheduler.events);
  if (options.replica) {
    await scheduler.start();
    heartbeat?.start();
    await ensureConfigJobs(scheduler, config, path, logger);
  }
  api = await serveApi({
    scheduler,
    logger,
    host: options.host ?? config.server?.host,
    port: options.port ?? config.server?.port,
    cluster: redisCluster({ store, scheduler }),
  });
  logger.info(
    { redis: store.where, config: path, replica: options.replica === true },
    `cronq serve started on ${store.where}${options.replica ? ", firing jobs here too" : ""}`,
  );
}
