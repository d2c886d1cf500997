#!/usr/bin/env node
/**
 * The `cronq` command line. Each command lives in `commands/<verb>.ts` and exports a factory that
 * returns a commander Command; this file only assembles them and turns errors into exit codes.
 */
import { Command, CommanderError } from "commander";
import { CronqError } from "../core/errors.js";
import { jobsCommand } from "./commands/jobs.js";
import { nextCommand } from "./commands/next.js";
import { runsCommand } from "./commands/runs.js";
import { schedulerCommand } from "./commands/scheduler.js";
import { serveCommand } from "./commands/serve.js";
import { startCommand } from "./commands/start.js";
import { statusCommand } from "./commands/status.js";
import { tasksCommand } from "./commands/tasks.js";
import { workerCommand } from "./commands/worker.js";

export function buildProgram(): Command {
  const program = new Command("cronq")
    .description("cronq: cron, interval and one-off jobs for Node.js, embedded or distributed")
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true });
  for (const command of [
    startCommand(),
    nextCommand(),
    jobsCommand(),
    runsCommand(),
    tasksCommand(),
    statusCommand(),
    schedulerCommand(),
    workerCommand(),
    serveCommand(),
  ]) {
    program.addCommand(command);
  }
  program.addHelpText(
    "after",
    `
Examples:
  $ cronq start                                   # embedded: ./cronq.config.ts, ./cronq.db, API on 127.0.0.1:8080
  $ cronq next "0 9 * * MON-FRI" --tz Europe/Berlin
  $ cronq jobs ls                                 # through the API (CRONQ_URL, CRONQ_API_TOKEN)
  $ cronq jobs ls --db ./cronq.db                 # straight from an embedded SQLite file
  $ REDIS_URL=redis://127.0.0.1:6379 cronq worker # distributed: a worker process`,
  );
  return program;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  // A cronq error is a message for the user (a bad option, a missing config), not a crash.
  process.stderr.write(
    `cronq: ${error instanceof CronqError ? error.message : String((error as Error)?.stack ?? error)}\n`,
  );
  process.exit(error instanceof CronqError ? 2 : 1);
}
