/**
 * Logging for the cronq processes (the library itself never logs): a pino logger, pretty on a
 * terminal and JSON lines elsewhere, and the bridge from scheduler events to log lines.
 */
import { pino, type Logger } from "pino";
import pretty from "pino-pretty";
import type { CronqEvents, TypedEmitter } from "../core/events.js";
import type { TaskLogger } from "../core/tasks.js";

export type LogFormat = "pretty" | "json";

export function createLogger(options: { format?: LogFormat; level?: string } = {}): Logger {
  const format = options.format ?? (process.stdout.isTTY ? "pretty" : "json");
  const level = options.level ?? process.env.CRONQ_LOG_LEVEL ?? "info";
  if (format === "json") return pino({ level, base: { pid: process.pid } });
  // Synchronous pretty printing: a process stopped by a signal must not lose its last lines.
  return pino(
    { level },
    pretty({ sync: true, singleLine: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" }),
  );
}

/** The logger tasks get in their context: lines carry the run id, job id and attempt. */
export function taskLogger(logger: Logger): TaskLogger {
  return {
    debug: (message, data) => logger.debug(data ?? {}, message),
    info: (message, data) => logger.info(data ?? {}, message),
    warn: (message, data) => logger.warn(data ?? {}, message),
    error: (message, data) => logger.error(data ?? {}, message),
  };
}

/** Logs every run as it happens, and every problem the scheduler reports. Returns an unsubscribe function. */
export function logEvents(events: TypedEmitter<CronqEvents>, logger: Logger): () => void {
  const offs = [
    events.on("run:started", ({ run }) =>
      logger.info(
        { runId: run.id, attempt: run.attempts.length },
        `run started: ${run.jobId} (${run.taskName})`,
      ),
    ),
    events.on("run:succeeded", ({ run }) =>
      logger.info(
        { runId: run.id, durationMs: run.durationMs },
        `run succeeded: ${run.jobId} in ${run.durationMs ?? 0} ms`,
      ),
    ),
    events.on("run:failed", ({ run }) =>
      logger.error(
        {
          runId: run.id,
          status: run.status,
          reason: run.reason,
          error: run.error?.message,
          attempts: run.attempts.length,
        },
        `run ${run.status}: ${run.jobId}: ${run.error?.message ?? run.reason ?? ""}`,
      ),
    ),
    events.on("run:retrying", ({ run }) =>
      logger.warn(
        { runId: run.id, errorMessage: run.error?.message, nextAttemptAt: run.nextAttemptAt },
        `run attempt ${run.attempts.length} failed, retrying: ${run.jobId}: ${run.error?.message ?? ""}`,
      ),
    ),
    events.on("run:skipped", ({ run }) =>
      logger.warn({ runId: run.id, reason: run.reason }, `run skipped (${run.reason}): ${run.jobId}`),
    ),
    events.on("run:missed", ({ run }) =>
      logger.warn(
        { runId: run.id, reason: run.reason, count: run.coalesced?.count ?? 1 },
        `run missed (${run.reason}): ${run.jobId}${run.coalesced ? `, ${run.coalesced.count} occurrences` : ""}`,
      ),
    ),
    events.on("run:cancelled", ({ run }) =>
      logger.warn({ runId: run.id, reason: run.reason }, `run cancelled (${run.reason}): ${run.jobId}`),
    ),
    events.on("job:added", ({ job }) =>
      logger.info({ jobId: job.id, nextRunAt: job.nextRunAt }, `job added: ${job.id}, ${job.schedule}`),
    ),
    events.on("job:removed", ({ jobId }) => logger.info({ jobId }, `job removed: ${jobId}`)),
    events.on("job:task-missing", ({ jobId, taskName }) =>
      logger.warn(
        { jobId, taskName },
        `job ${jobId} refers to task "${taskName}", which is not registered: it is kept, and its runs fail until the task is registered`,
      ),
    ),
    events.on("error", ({ error, context }) =>
      logger.error({ err: error, context }, `${context}: ${error.message}`),
    ),
  ];
  return () => {
    for (const off of offs) off();
  };
}
