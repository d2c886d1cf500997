/**
 * Example tasks for `npm start`. A task is a function of its job's arguments and, last, a context
 * with the run id, the scheduled time, the attempt number, an AbortSignal and a logger.
 */
import { setTimeout as delay } from "node:timers/promises";
import { defineTask, type TaskContext } from "../src/index.js";

/** The seed's sample task: prints its message. */
export const sampleTask = defineTask(
  "sample",
  (message: string, ctx: TaskContext) => {
    ctx.logger.info(message);
  },
  { description: "Prints a message (the seed document's sample_task)." },
);

/** Pretends to build and send a report: takes a moment, and stops early if aborted. */
export const sendReport = defineTask(
  "send-report",
  async (recipient: string, ctx: TaskContext) => {
    await delay(250, undefined, { signal: ctx.signal });
    ctx.logger.info(`report sent to ${recipient}`, { scheduledAt: ctx.scheduledAt.toISOString() });
  },
  { description: "Builds the daily report and mails it." },
);

/** Deletes nothing, but says what it would delete. */
export const cleanup = defineTask(
  "cleanup",
  (olderThanDays: number, ctx: TaskContext) => {
    ctx.logger.info(`would delete files older than ${olderThanDays} days`);
  },
  { description: "Removes old temporary files." },
);

/** Fails on its first attempt of every run and succeeds on the retry: shows retries at work. */
export const flaky = defineTask(
  "flaky",
  (ctx: TaskContext) => {
    if (ctx.attempt === 1) throw new Error("the first attempt always fails (on purpose)");
    ctx.logger.info(`succeeded on attempt ${ctx.attempt}`);
  },
  { description: "Fails once per run, then succeeds on the retry." },
);
