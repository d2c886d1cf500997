/**
 * `triggerFromOptions`: from what a user writes in `addJob` (`TriggerOptions`) to a trigger.
 *
 * Exactly one of `interval`, `cron`, `at`, `calendar` or `trigger`, or only `startIn`/`startAt`
 * for a single run. What `startIn`/`startAt` mean depends on the kind:
 * - alone: the instant of the single run;
 * - with `interval`: the first fire, from which the interval counts (without them the first fire
 *   is `now + interval`, as in APScheduler);
 * - with `calendar`: the instant the calendar counts its periods from, and the earliest fire
 *   (without them, `now`);
 * - with `cron` or `trigger`: no fire before it.
 * Relative times count from `context.now`; timezones default to `context.timezone`.
 */
import { parseDuration } from "../duration.js";
import { InvalidArgumentError, InvalidTriggerError } from "../errors.js";
import { BaseTrigger, type Bounds } from "./bounds.js";
import { CalendarTrigger, resolveCalendarRule } from "./calendar-interval.js";
import { checkDstPolicy, prepareCron } from "./cron.js";
import { DateTrigger } from "./date.js";
import { parseInstant } from "./instant.js";
import { IntervalTrigger, parseIntervalMs } from "./interval.js";
import { triggerFromSpec, withBoundsMs } from "./spec.js";
import { getTimeZone } from "./timezone.js";
import type { Trigger, TriggerContext, TriggerOptions } from "./trigger.js";

const PRIMARY = ["interval", "cron", "at", "calendar", "trigger"] as const;
const ONE_OF = "`interval`, `cron`, `at`, `calendar` or `trigger`";

/**
 * Builds the trigger a job's options describe. Throws InvalidTriggerError naming the field at
 * fault (`interval`, `cron`, `timezone`, `at`, `startIn`, `calendar.dayOfMonth`, ...), the value
 * and what is allowed, for bad values and for options that conflict.
 */
export function triggerFromOptions(options: TriggerOptions, context: TriggerContext): Trigger {
  if (typeof options !== "object" || options === null) {
    throw new InvalidTriggerError("options", `an object with one of ${ONE_OF}`, options);
  }
  if (typeof context !== "object" || context === null || !Number.isFinite(context.now)) {
    throw new InvalidArgumentError(
      "context.now",
      "epoch milliseconds",
      (context as Partial<TriggerContext>)?.now,
    );
  }
  const given = PRIMARY.filter((key) => options[key] !== undefined);
  if (given.length > 1) {
    const [first, second] = given as [string, string];
    throw new InvalidTriggerError(
      second,
      `absent when \`${first}\` is given: a job has exactly one of ${ONE_OF}`,
      options[second as keyof TriggerOptions],
    );
  }
  const kind = given[0];
  if (options.startIn !== undefined && options.startAt !== undefined) {
    throw new InvalidTriggerError(
      "startAt",
      "absent when `startIn` is given: give one start",
      options.startAt,
    );
  }
  if (kind === "at" && (options.startIn !== undefined || options.startAt !== undefined)) {
    const field = options.startIn !== undefined ? "startIn" : "startAt";
    throw new InvalidTriggerError(
      field,
      "absent when `at` is given: `at` is already the time of the single run",
      options[field],
    );
  }
  if (options.dst !== undefined && kind !== "cron" && kind !== "calendar") {
    throw new InvalidTriggerError(
      "dst",
      "absent: a DST policy applies to `cron` and `calendar` triggers (intervals count elapsed time, dates are instants)",
      options.dst,
    );
  }
  if (options.cronDayMatch !== undefined && kind !== "cron") {
    throw new InvalidTriggerError("cronDayMatch", "absent: it applies to `cron` only", options.cronDayMatch);
  }
  const zone = getTimeZone(options.timezone ?? context.timezone, "timezone");
  let startMs: number | undefined;
  // A zero delay would put the fire at `now`, which `next(now)` never returns: reject it.
  if (options.startIn !== undefined) startMs = context.now + durationMs(options.startIn, "startIn", false);
  else if (options.startAt !== undefined) startMs = parseInstant(options.startAt, "startAt", zone);
  const endMs = options.endAt === undefined ? Infinity : parseInstant(options.endAt, "endAt", zone);
  const bounds: Bounds = { startMs: startMs ?? -Infinity, endMs };

  switch (kind) {
    case undefined:
      if (startMs === undefined) {
        throw new InvalidTriggerError(
          "trigger",
          `one of ${ONE_OF}, or \`startIn\`/\`startAt\` for a single run`,
          undefined,
          {
            message: `Expected one of ${ONE_OF}, or \`startIn\`/\`startAt\` for a single run, got none of them`,
          },
        );
      }
      // The start is the run itself: no separate "from" bound to carry (or to describe).
      return new DateTrigger(startMs, { startMs: -Infinity, endMs });
    case "at":
      return new DateTrigger(parseInstant(options.at, "at", zone), bounds);
    case "interval": {
      const everyMs = parseIntervalMs(options.interval, "interval");
      const anchorMs = startMs ?? context.now + everyMs;
      return new IntervalTrigger(everyMs, anchorMs, { startMs: anchorMs, endMs });
    }
    case "cron":
      return prepareCron(
        options.cron,
        { timezone: zone.name, dst: options.dst, dayMatch: options.cronDayMatch },
        "cron",
        "",
        "cronDayMatch",
      ).build(bounds);
    case "calendar": {
      const calendar = options.calendar;
      if (typeof calendar !== "object" || calendar === null || Array.isArray(calendar)) {
        throw new InvalidTriggerError(
          "calendar",
          '{ unit: "day" | "week" | "month" | "year", every?, time?, ... }',
          calendar,
        );
      }
      const anchorMs = startMs ?? context.now;
      const rule = resolveCalendarRule(calendar, zone, anchorMs, "calendar.");
      const dst = options.dst === undefined ? undefined : checkDstPolicy(options.dst, "dst");
      return new CalendarTrigger(rule, zone, anchorMs, dst, bounds);
    }
    case "trigger": {
      const given = options.trigger;
      // A trigger object (ours, or a user's own implementation of the port) or a JSON spec.
      const trigger =
        given instanceof BaseTrigger || typeof (given as Partial<Trigger>).nextMs === "function"
          ? (given as Trigger)
          : triggerFromSpec(given);
      return startMs === undefined && endMs === Infinity
        ? trigger
        : withBoundsMs(trigger, narrow(trigger, bounds));
    }
  }
  throw new Error(`unreachable: trigger kind ${String(kind)}`);
}

/** The trigger's own bounds narrowed by `bounds`. */
function narrow(trigger: Trigger, bounds: Bounds): Bounds {
  const spec = trigger.toJSON();
  const own = {
    startMs: spec.startAt === undefined ? -Infinity : Date.parse(spec.startAt),
    endMs: spec.endAt === undefined ? Infinity : Date.parse(spec.endAt),
  };
  return { startMs: Math.max(own.startMs, bounds.startMs), endMs: Math.min(own.endMs, bounds.endMs) };
}

function durationMs(value: unknown, field: string, allowZero: boolean): number {
  try {
    return parseDuration(value, { field, allowZero });
  } catch (error) {
    if (error instanceof InvalidArgumentError) {
      throw new InvalidTriggerError(field, error.expected, value, { cause: error });
    }
    throw error;
  }
}
