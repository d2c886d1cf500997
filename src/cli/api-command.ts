/**
 * What every API command shares: the `--url` and `--json` options, the client built from them and
 * the environment, and one way of failing: the API's message on stderr and a non-zero exit code.
 */
import { type Command, InvalidArgumentError } from "commander";
import { ApiClient, ApiError, DEFAULT_URL } from "./client.js";
import { safe } from "./format.js";

/** Where a command writes and what it reads: the process's by default, a test's when given. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  /** Sets the exit code (the process's `exitCode`: the process ends when its work is done). */
  setExitCode(code: number): void;
  now(): number;
}

export const processIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  env: process.env,
  setExitCode: (code) => {
    process.exitCode = code;
  },
  now: () => Date.now(),
};

export interface OutputOptions {
  url?: string;
  json?: boolean;
}

/** Adds `--url` and `--json`. */
export function apiOptions(command: Command): Command {
  return command
    .option("--url <url>", `the cronq API (default: CRONQ_URL or ${DEFAULT_URL}; token: CRONQ_API_TOKEN)`)
    .option("--json", "print JSON instead of a table");
}

/** Runs a command's work; on failure prints the API's message (and details) and sets exit code 1. */
export async function run(io: CliIo, options: OutputOptions, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    reportError(io, options, error);
  }
}

export function reportError(io: CliIo, options: OutputOptions, error: unknown): void {
  io.setExitCode(1);
  if (error instanceof ApiError) {
    if (options.json) {
      io.err(
        `${JSON.stringify({ error: { code: error.code, message: error.message, ...(error.details.length ? { details: error.details } : {}) } })}\n`,
      );
      return;
    }
    let text = `cronq: ${safe(error.message)}\n`;
    for (const d of error.details.slice(1)) {
      text += `  ${safe(d.path)}: expected ${safe(d.expected)}, got ${safe(d.received)}\n`;
    }
    io.err(text);
    return;
  }
  if (error instanceof CliUsageError) {
    io.err(`cronq: ${error.message}\n`);
    return;
  }
  // A bug, not a message for the user: keep the stack.
  io.err(
    `cronq: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
}

/** A mistake in the command line that the CLI itself notices (bad JSON in --args...). */
export class CliUsageError extends Error {}

export function client(io: CliIo, options: OutputOptions): ApiClient {
  return ApiClient.fromEnv(io.env, options.url);
}

export function printJson(io: CliIo, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

/** commander parser for an integer option. */
export function integer(name: string) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value))
      throw new InvalidArgumentError(`${name} must be a whole number, got ${JSON.stringify(value)}.`);
    return Number(value);
  };
}

/** commander parser for a JSON option. */
export function json(name: string) {
  return (value: string): unknown => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw new InvalidArgumentError(`${name} must be JSON, like '["a", 1]', got ${JSON.stringify(value)}.`);
    }
  };
}

/** commander parser for a comma-separated list. */
export function list(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(",").filter((s) => s !== "")];
}
