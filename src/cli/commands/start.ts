/**
 * `cronq start`: the embedded runtime. One process: the scheduler on a SQLite file, the
 * in-process executor, the tasks and jobs of the config module, and the API and dashboard.
 */
import { Command, Option } from "commander";
import { loadConfig, type CronqConfig } from "../../config.js";
import { Scheduler } from "../../core/scheduler/scheduler.js";
import { checkConfigJobs, ensureConfigJobs } from "../config-jobs.js";
import { SqliteStore } from "../../stores/sqlite/index.js";
import { createLogger, logEvents, taskLogger, type LogFormat } from "../logging.js";
import { serveApi, type ServedApi } from "../serve-api.js";

export interface StartOptions {
  config?: string;
  db?: string;
  host?: string;
  port?: string;
  server: boolean;
  grace: string;
  logFormat?: LogFormat;
}

export function startCommand(): Command {
  return new Command("start")
    .description(
      "Run the scheduler in this process: jobs in a SQLite file, tasks run here, API and dashboard on 127.0.0.1:8080",
    )
    .option("-c, --config <file>", "config module (default: ./cronq.config.ts, .mts, .js or .mjs)")
    .option(
      "--db <file>",
      "SQLite file for jobs and run history (default: the config's store, else ./cronq.db)",
    )
    .option("--host <host>", "API host (default: CRONQ_HOST or 127.0.0.1)")
    .option("--port <port>", "API port, 0 for any free port (default: CRONQ_PORT or 8080)")
    .option("--no-server", "do not serve the API and dashboard")
    .option(
      "--grace <ms>",
      "on SIGINT/SIGTERM, how long running tasks may finish before they are aborted",
      "10000",
    )
    .addOption(
      new Option(
        "--log-format <format>",
        "log lines as JSON or pretty (default: pretty on a terminal)",
      ).choices(["pretty", "json"]),
    )
    .addHelpText(
      "after",
      `
Examples:
  $ cronq start                                  # ./cronq.config.ts, ./cronq.db, http://127.0.0.1:8080
  $ cronq start --config examples/cronq.config.ts --port 0
  $ CRONQ_API_TOKEN=$(openssl rand -hex 24) cronq start --host 0.0.0.0`,
    )
    .action(async (options: StartOptions) => {
      await runStart(options);
    });
}

export async function runStart(options: StartOptions): Promise<void> {
  const logger = createLogger(options.logFormat ? { format: options.logFormat } : {});
  const { config, path } = await loadConfig(options.config);
  // A bad job is reported before the database file is opened (or created).
  await checkConfigJobs(config, path);
  const dbPath = options.db ?? sqlitePath(config);
  const store = new SqliteStore({ path: dbPath });
  const scheduler = new Scheduler({
    ...config.scheduler,
    store,
    ...(config.tasks === undefined ? {} : { tasks: config.tasks }),
    logger: taskLogger(logger),
  });
  logEvents(scheduler.events, logger);

  let api: ServedApi | undefined;
  let stopping: Promise<void> | undefined;
  const graceMs = Number(options.grace);
  const shutdown = (signal: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info(`${signal} received: stopping (running tasks get ${graceMs} ms to finish)`);
      await api?.close();
      await scheduler.stop({ graceMs: Number.isFinite(graceMs) ? graceMs : 10_000 });
      await store.close();
      logger.info("stopped");
    })();
    return stopping;
  };
  process.once("SIGINT", () => void shutdown("SIGINT").finally(() => process.exit(0)));
  process.once("SIGTERM", () => void shutdown("SIGTERM").finally(() => process.exit(0)));

  await scheduler.start();
  await ensureConfigJobs(scheduler, config, path, logger);
  const counts = await scheduler.countJobs();
  logger.info(
    { db: dbPath, config: path, jobs: counts },
    `cronq started: ${Object.values(counts).reduce((a, b) => a + b, 0)} jobs in ${dbPath}, timezone ${scheduler.options.timezone}`,
  );
  if (options.server && config.server?.enabled !== false) {
    api = await serveApi({
      scheduler,
      logger,
      host: options.host ?? config.server?.host,
      port: options.port ?? config.server?.port,
    });
  }
}

function sqlitePath(config: CronqConfig): string {
  const store = config.store;
  if (store && "redis" in store) {
    throw new Error(
      "This config uses a Redis store: run `cronq scheduler` and `cronq worker` instead of `cronq start`.",
    );
  }
  return store?.sqlite ?? "./cronq.db";
}
