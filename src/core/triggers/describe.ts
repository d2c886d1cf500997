/**
 * Triggers in plain English: "every 5 minutes", "at 09:00, Monday through Friday, Europe/Berlin".
 * The cron part comes from cronstrue (a runtime dependency); the rest is assembled here.
 */
import { toString as cronstrueToString } from "cronstrue";
import type { CronFields } from "./cron-parse.js";
import { formatInZone, type TimeZone } from "./timezone.js";

const UNITS: ReadonlyArray<readonly [number, string]> = [
  [604_800_000, "week"],
  [86_400_000, "day"],
  [3_600_000, "hour"],
  [60_000, "minute"],
  [1000, "second"],
  [1, "millisecond"],
];

/** `5400000` -> "1 hour 30 minutes"; `1000` -> "1 second". */
export function describeDuration(ms: number): string {
  const parts: string[] = [];
  let rest = ms;
  for (const [size, unit] of UNITS) {
    if (unit === "week" && rest % size !== 0) continue;
    if (rest >= size) {
      const n = Math.floor(rest / size);
      rest -= n * size;
      parts.push(`${n} ${unit}${n === 1 ? "" : "s"}`);
    }
  }
  return parts.length === 0 ? "0 seconds" : parts.join(" ");
}

/** "every hour", "every 5 minutes", "every 1 hour 30 minutes". */
export function describeEvery(ms: number): string {
  const text = describeDuration(ms);
  return `every ${text.startsWith("1 ") && !text.includes(" ", 2) ? text.slice(2) : text}`;
}

/** The cron expression in words, with the timezone: "at 09:00, Monday through Friday, Europe/Berlin". */
export function describeCron(fields: CronFields, timezone: string, dayMatch: "or" | "and"): string {
  // cronstrue reads the last weekday as "5L", not as "5#L"; both mean the same to cronq.
  const parts = [...fields.fields];
  parts[parts.length - 1] = parts.at(-1)!.replace(/#L/gi, "L");
  let text: string;
  try {
    text = cronstrueToString(parts.join(" "), {
      use24HourTimeFormat: true,
      throwExceptionOnParseError: true,
      verbose: false,
    });
  } catch (error) {
    // cronstrue rejects a few forms that cronq accepts (a W day inside a list, "15W,L"), by
    // throwing a string. The expression is valid and fires correctly, so say what it is rather
    // than fail to describe it. Anything else is a bug and propagates.
    if (typeof error !== "string") throw error;
    return `on the cron schedule "${fields.expression}", ${timezone}`;
  }
  let out = text.charAt(0).toLowerCase() + text.slice(1);
  if (!fields.domStar && !fields.dowStar) {
    out += dayMatch === "and" ? " (both day rules must match)" : " (either day rule matches)";
  }
  return `${out}, ${timezone}`;
}

/** ", from <instant> until <instant>" in the zone's local time, or "" without bounds. */
export function describeBounds(startMs: number, endMs: number, zone: TimeZone, startWord = "from"): string {
  let out = "";
  if (startMs !== -Infinity) out += `, ${startWord} ${formatInZone(startMs, zone)}`;
  if (endMs !== Infinity) out += `, until ${formatInZone(endMs, zone)}`;
  return out;
}
