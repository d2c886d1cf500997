/**
 * `cronq next`: preview the next fire times of a cron expression or an interval.
 *
 *   cronq next "0 9 * * MON-FRI" --tz Europe/Berlin --count 3
 *   cronq next --every 90m --after 2026-01-01T00:00:00Z --json
 *
 * Prints the schedule in words, then one ISO 8601 instant per line in the zone's local time with
 * its offset; `--json` prints only a JSON array of those strings. A mistake in the expression or an
 * option exits with status 2 and the message on stderr.
 */
import { Command } from "commander";
import { CronqError } from "../../core/errors.js";
import { parseInstant } from "../../core/triggers/instant.js";
import { formatInZone, getTimeZone, triggerFromOptions, type Trigger } from "../../core/triggers/index.js";

export interface NextOptions {
  tz?: string;
  after?: string;
  count?: string;
  json?: boolean;
  every?: string;
}

/** Where `runNext` writes, and what it needs from the environment: injected so tests need no process. */
export interface NextIO {
  now: number;
  /** The zone used without `--tz`: the system's. */
  localZone: string;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

export const DEFAULT_COUNT = 5;
export const MAX_COUNT = 10_000;
/** Exit status for a mistake in the command line, as shells and most CLIs use for usage errors. */
export const EXIT_USAGE = 2;

export function nextCommand(): Command {
  return new Command("next")
    .description("Print the next fire times of a cron expression (or of an interval, with --every)")
    .argument("[expression]", 'cron expression: 5 fields, 6 with seconds first, or a macro such as "@daily"')
    .option(
      "--tz <zone>",
      "IANA timezone or offset to read the expression in and print times in (default: the system's)",
    )
    .option("--after <iso>", "start after this instant, ISO 8601; without an offset, in --tz (default: now)")
    .option("--count <n>", `how many fire times (default: ${DEFAULT_COUNT})`)
    .option("--json", "print only a JSON array of the instants")
    .option("--every <duration>", 'an interval instead of a cron expression, such as "90m" or "1h30m"')
    .addHelpText(
      "after",
      `
Examples:
  $ cronq next "0 9 * * MON-FRI" --tz Europe/Berlin
  $ cronq next "*/10 * * * * *" --count 3 --json
  $ cronq next --every 90m --after 2026-01-01T00:00:00Z`,
    )
    .action((expression: string | undefined, options: NextOptions) => {
      process.exitCode = runNext(expression, options, {
        now: Date.now(),
        localZone: Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC",
        stdout: (line) => process.stdout.write(`${line}\n`),
        stderr: (line) => process.stderr.write(`${line}\n`),
      });
    });
}

/** Runs `cronq next` and returns the exit status: 0, or {@link EXIT_USAGE} for a mistake. */
export function runNext(expression: string | undefined, options: NextOptions, io: NextIO): number {
  try {
    if (expression !== undefined && options.every !== undefined) {
      throw new UsageError("Give either a cron expression or --every, not both.");
    }
    if (expression === undefined && options.every === undefined) {
      throw new UsageError('Give a cron expression ("*/5 * * * *") or --every <duration> ("90m").');
    }
    const count = parseCount(options.count);
    const zone = getTimeZone(options.tz ?? io.localZone, "--tz");
    const after = options.after === undefined ? io.now : parseInstant(options.after, "--after", zone);
    const trigger: Trigger = triggerFromOptions(
      expression === undefined ? { interval: options.every! } : { cron: expression },
      { now: after, timezone: zone.name },
    );
    const fires: string[] = [];
    for (let t = trigger.nextMs(after); t !== null && fires.length < count; t = trigger.nextMs(t)) {
      fires.push(formatInZone(t, zone));
    }
    if (options.json === true) {
      io.stdout(JSON.stringify(fires));
    } else {
      io.stdout(trigger.describe());
      for (const line of fires) io.stdout(line);
      if (fires.length < count) io.stdout(`(no more fire times after ${fires.length})`);
    }
    return 0;
  } catch (error) {
    if (error instanceof CronqError || error instanceof UsageError) {
      io.stderr(`cronq next: ${error.message}`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

class UsageError extends Error {}

function parseCount(value: string | undefined): number {
  if (value === undefined) return DEFAULT_COUNT;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= MAX_COUNT)) {
    throw new UsageError(
      `Expected --count to be a whole number from 1 to ${MAX_COUNT}, got ${JSON.stringify(value)}.`,
    );
  }
  return n;
}
