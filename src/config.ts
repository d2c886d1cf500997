/**
 * The config module of the `cronq` command: `cronq.config.ts` (or `.js`/`.mjs`) default-exports
 * `defineConfig({ tasks, jobs, scheduler, store, server, worker })`. `cronq start`, `cronq worker`
 * and `cronq serve` all read the same file, so that every process knows the same tasks.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { CronqError, InvalidOptionError } from "./core/errors.js";
import type { JobOptions } from "./core/scheduler/scheduler.js";
import type { SchedulerOptions } from "./core/scheduler/options.js";
import type { TaskDefinition } from "./core/tasks.js";

/** A job declared in the config: created at start, or updated to match when it exists. */
export interface ConfigJob extends JobOptions {
  id: string;
  /** The name of a task in `tasks`, or a task definition. */
  task: string | TaskDefinition;
}

export type ConfigStore =
  /** A SQLite file (the embedded default). */
  | { sqlite: string }
  /** A Redis server, with a key prefix so that several deployments can share it. */
  | { redis: string; prefix?: string };

export interface CronqConfig {
  /** The tasks jobs can run, by name. */
  tasks?: SchedulerOptions["tasks"];
  /** Jobs to create at start, or to bring in line with this list when they exist (history is kept). */
  jobs?: ConfigJob[];
  /** Scheduler options. */
  scheduler?: Pick<
    SchedulerOptions,
    | "timezone"
    | "concurrency"
    | "jobDefaults"
    | "history"
    | "leaseDuration"
    | "pollInterval"
    | "batchSize"
    | "id"
  >;
  /** Where jobs and runs live. @default { sqlite: "./cronq.db" } */
  store?: ConfigStore;
  /** The HTTP API and dashboard. */
  server?: {
    /** @default true for `cronq start` */
    enabled?: boolean;
    /** @default "127.0.0.1" (or CRONQ_HOST) */
    host?: string;
    /** @default 8080 (or CRONQ_PORT) */
    port?: number;
  };
  /** `cronq worker` options. */
  worker?: {
    /** Tasks run at once per worker process. @default 10 */
    concurrency?: number;
    /** Queue groups to consume. @default every group */
    groups?: string[];
  };
}

/** Gives a config module its type; returns the config unchanged. */
export function defineConfig(config: CronqConfig): CronqConfig {
  return config;
}

export const CONFIG_FILE_NAMES = [
  "cronq.config.ts",
  "cronq.config.mts",
  "cronq.config.js",
  "cronq.config.mjs",
];

const CONFIG_KEYS = new Set(["tasks", "jobs", "scheduler", "store", "server", "worker"]);

/**
 * Loads a config module: `path` if given, else the first of {@link CONFIG_FILE_NAMES} in `cwd`.
 * TypeScript modules are loaded through tsx. Throws a CronqError that names the file on any problem.
 */
export async function loadConfig(
  path?: string,
  cwd = process.cwd(),
): Promise<{ config: CronqConfig; path: string }> {
  const file = path
    ? resolve(cwd, path)
    : CONFIG_FILE_NAMES.map((name) => resolve(cwd, name)).find((f) => existsSync(f));
  if (!file) {
    throw new CronqError(
      "INVALID_ARGUMENT",
      `No config module found in ${cwd} (looked for ${CONFIG_FILE_NAMES.join(", ")}). Create one that default-exports defineConfig({ tasks, jobs }), or pass --config <file>.`,
    );
  }
  if (!existsSync(file)) {
    throw new CronqError("INVALID_ARGUMENT", `The config module ${file} does not exist.`);
  }
  if (/\.[mc]?ts$/.test(file)) {
    // tsx's loader hooks make `import()` understand TypeScript (and `./x.js` imports of `x.ts`)
    // for this module and everything it imports, sharing one module graph with the CLI.
    const { register } = await import("tsx/esm/api");
    register();
  }
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    throw new CronqError(
      "INVALID_ARGUMENT",
      `Could not load the config module ${file}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return { config: validateConfig(module.default, file), path: file };
}

function validateConfig(value: unknown, file: string): CronqConfig {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidOptionError(
      "default export",
      `an object from defineConfig({ tasks, jobs }) in ${file}`,
      value,
    );
  }
  for (const key of Object.keys(value)) {
    if (!CONFIG_KEYS.has(key)) {
      throw new InvalidOptionError(key, "a config key", key, {
        message: `Unknown config key \`${key}\` in ${file}; allowed: ${[...CONFIG_KEYS].join(", ")}`,
      });
    }
  }
  const config = value as CronqConfig;
  if (config.jobs !== undefined) {
    if (!Array.isArray(config.jobs))
      throw new InvalidOptionError("jobs", "an array of { id, task, ...options }", config.jobs);
    const declared = new Map<string, number>();
    config.jobs.forEach((job, i) => {
      if (typeof job !== "object" || job === null || typeof job.id !== "string") {
        throw new InvalidOptionError(
          `jobs[${i}].id`,
          "a job id string",
          (job as { id?: unknown } | null)?.id,
        );
      }
      const first = declared.get(job.id);
      if (first !== undefined) {
        throw new InvalidOptionError(`jobs[${i}].id`, "an id no other job in jobs has", job.id, {
          message: `Job ID ${job.id} is declared twice in ${file}: jobs[${first}] and jobs[${i}]. Give each job its own id.`,
        });
      }
      declared.set(job.id, i);
      if (typeof job.task !== "string" && (typeof job.task !== "object" || job.task === null)) {
        throw new InvalidOptionError(`jobs[${i}].task`, "a task name or a defineTask() definition", job.task);
      }
    });
  }
  const store = config.store;
  if (store !== undefined) {
    const ok =
      typeof store === "object" &&
      store !== null &&
      (("sqlite" in store && typeof store.sqlite === "string") ||
        ("redis" in store && typeof store.redis === "string"));
    if (!ok)
      throw new InvalidOptionError(
        "store",
        '{ sqlite: "./cronq.db" } or { redis: "redis://127.0.0.1:6379" }',
        store,
      );
  }
  const port = config.server?.port;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new InvalidOptionError("server.port", "an integer from 0 to 65535", port);
  }
  return config;
}
