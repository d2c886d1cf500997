/**
 * Instants as users write them (`DateInput` in `trigger.ts`): a Date, epoch milliseconds, or ISO 8601 text.
 *
 * ISO text with an offset or `Z` is an instant. Without one (`"2026-03-01 09:00"`,
 * `"2026-03-01"`) it is a wall-clock time in the trigger's timezone, resolved like a fixed-time
 * cron job: a time in a DST gap becomes the first instant after the gap, a repeated time its first
 * pass. JavaScript's own `Date.parse` would read the first as host-local time and the second as
 * UTC, which is why cronq does not use it.
 */
import { InvalidTriggerError } from "../errors.js";
import { daysInMonth, localMs } from "./civil.js";
import { MAX_SUPPORTED_MS, MIN_SUPPORTED_MS, type TimeZone } from "./timezone.js";
import { nextInstant } from "./wall-clock.js";

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

export const INSTANT_EXPECTED =
  'a Date, epoch milliseconds, or an ISO 8601 date-time such as "2026-03-01T09:00:00Z" (without an offset, a wall-clock time in the trigger\'s timezone)';
export const STRICT_INSTANT_EXPECTED =
  'an ISO 8601 instant with an offset, such as "2026-03-01T09:00:00.000Z"';

/**
 * Epoch milliseconds of a {@link DateInput}. `zone` resolves ISO text without an offset; when it is
 * null such text is an error (specs carry instants only). Throws InvalidTriggerError naming `field`.
 */
export function parseInstant(value: unknown, field: string, zone: TimeZone | null): number {
  const expected = zone === null ? STRICT_INSTANT_EXPECTED : INSTANT_EXPECTED;
  let ms: number;
  if (value instanceof Date) {
    ms = value.getTime();
  } else if (typeof value === "number" && zone !== null) {
    ms = Number.isInteger(value) ? value : NaN;
  } else if (typeof value === "string") {
    ms = parseIsoText(value.trim(), zone);
  } else {
    throw new InvalidTriggerError(field, expected, value);
  }
  if (Number.isNaN(ms)) throw new InvalidTriggerError(field, expected, value);
  if (ms < MIN_SUPPORTED_MS || ms >= MAX_SUPPORTED_MS) {
    throw new InvalidTriggerError(field, "an instant between the years 1900 and 9999", value);
  }
  return ms;
}

function parseIsoText(text: string, zone: TimeZone | null): number {
  const m = ISO.exec(text);
  if (m === null) return NaN;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4] ?? 0);
  const minute = Number(m[5] ?? 0);
  const second = Number(m[6] ?? 0);
  const ms = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  if (hour > 23 || minute > 59 || second > 59) return NaN;
  const local = localMs(year, month, day, hour, minute, second, ms);
  if (m[8] !== undefined) return local;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11] ?? 0);
    if (oh > 23 || om > 59) return NaN;
    return local - (m[9] === "-" ? -1 : 1) * (oh * 3_600_000 + om * 60_000);
  }
  if (zone === null) return NaN;
  return wallClockToInstant(local, zone);
}

const CLASSIC = { gapShift: true, foldFirst: true, foldSecond: false } as const;

/** A wall-clock time in the zone as an instant: gap -> the first instant after it, fold -> first pass. */
export function wallClockToInstant(local: number, zone: TimeZone): number {
  // Any instant 30 hours earlier shows an earlier local time: offsets stay within +-26 hours.
  return nextInstant(
    zone,
    { nextLocal: (from) => (from < local ? local : NaN) },
    local - 30 * 3_600_000,
    CLASSIC,
  );
}

/** ISO 8601 in UTC, as specs store instants. */
export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}
