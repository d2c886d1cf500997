#!/usr/bin/env node
/**
 * The `cronq` command line. Each command lives in `commands/<verb>.ts` and exports a factory that
 * returns a commander Command; this file only assembles them and turns errors into exit codes.
 */
import { Command, CommanderError } from "commander";
import { CronqError } from "../core/errors.js";
import { nextCommand } from "./commands/next.js";
import { startCommand } from "./commands/start.js";

export function buildProgram(): Command {
  const program = new Command("cronq")
    .description("cronq: cron, interval and one-off jobs for Node.js, embedded or distributed")
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true });
  program.addCommand(startCommand());
  program.addCommand(nextCommand());
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
