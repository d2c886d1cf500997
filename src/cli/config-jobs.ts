/**
 * The config's `jobs`, declared on a scheduler at start (`cronq start`, `cronq scheduler --jobs`,
 * `cronq serve`): each created, or brought in line with the file when it exists.
 */
import type { Logger } from "pino";
import type { CronqConfig } from "../config.js";
import { DuplicateJobError } from "../core/errors.js";
import { Scheduler } from "../core/scheduler/scheduler.js";

/**
 * Checks every job of the config as `addJob` checks it, on a scheduler of its own in memory, so that
 * a bad job is found before anything is written; the error names the job (`<file>, jobs[1]
 * (report): ...`).
 */
export async function checkConfigJobs(config: CronqConfig, path: string): Promise<void> {
  const check = new Scheduler({
    ...config.scheduler,
    ...(config.tasks === undefined ? {} : { tasks: config.tasks }),
  });
  for (const [i, { id, task, ...options }] of (config.jobs ?? []).entries()) {
    await inContext(path, i, id, () =>
      typeof task === "string" ? check.addJob(id, task, options) : check.addJob(id, task, options),
    );
  }
}

/**
 * Declares the config's jobs on `scheduler`, after {@link checkConfigJobs}: a config with a bad job
 * changes nothing. Replicas starting together race to add a job, which is fine.
 */
export async function ensureConfigJobs(
  scheduler: Scheduler,
  config: CronqConfig,
  path: string,
  logger: Logger,
): Promise<void> {
  await checkConfigJobs(config, path);
  for (const [i, { id, task, ...options }] of (config.jobs ?? []).entries()) {
    const result = await inContext(path, i, id, async () => {
      try {
        return await scheduler.ensureJob(id, task, options);
      } catch (error) {
        // Another replica added it between our read and our insert: declare it again, as an update.
        if (!(error instanceof DuplicateJobError)) throw error;
        return scheduler.ensureJob(id, task, options);
      }
    });
    if (result.action !== "unchanged") logger.info({ jobId: id }, `job ${result.action} from ${path}: ${id}`);
  }
}

/** `act()`, with an error's message saying which job of which file it is about. */
async function inContext<T>(path: string, index: number, id: string, act: () => Promise<T>): Promise<T> {
  try {
    return await act();
  } catch (error) {
    if (error instanceof Error) error.message = `${path}, jobs[${index}] (${id}): ${error.message}`;
    throw error;
  }
}
