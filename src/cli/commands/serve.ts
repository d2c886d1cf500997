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
import { redisCluster } from "../../stores/redis/index.js";
import { ensureConfigJobs } from "../config-jobs.js";
import { createLogger } from "../logging.js";
import { serveApi, type ServedApi } from "../serve-api.js";
import {
  type RedisCommandOptions,
  onSignals,
  parseGrace,
  redisDeployment,
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
  // An API request must not hang while Redis is away: it fails after 5 s with 503 instead.
  const deployment = await redisDeployment(options, logger, {
    offlineTimeout: options.replica ? null : "5s",
    subscribe: true,
  });
  const { config, path, store, scheduler } = deployment;
  // Assigned once the API listens; the signal handler may run before.
  let api: ServedApi | undefined = undefined;
  onSignals(logger, async () => {
    await api?.close();
    await deployment.stop(graceMs);
  });
  await deployment.connect();
  if (options.replica) {
    await deployment.startReplica();
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
