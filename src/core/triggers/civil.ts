/**
 * Proleptic Gregorian calendar arithmetic on plain integers, the way JavaScript's Date counts.
 *
 * Triggers compute in "local milliseconds": a wall-clock time read as if it were UTC
 * (`Date.UTC(y, m - 1, d, h, mi, s)`), so that calendar fields come from integer arithmetic
 * instead of Date objects or Intl calls. Days are counted from 1970-01-01 (day 0, a Thursday).
 * The algorithms are Howard Hinnant's `days_from_civil` / `civil_from_days`
 * (https://howardhinnant.github.io/date_algorithms.html): exact for any year, no loops, no tables.
 */

export const MS_PER_SECOND = 1000;
export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;
export const SECONDS_PER_DAY = 86_400;

/** Days from 1970-01-01 to the given date (month 1-12, day 1-31); negative before 1970. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** A reusable out-parameter, so that the hot path decomposes dates without allocating. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** Writes the date of day number `days` (see {@link daysFromCivil}) into `out`. */
export function civilFromDays(days: number, out: CivilDate): void {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  out.day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  out.month = month;
  out.year = yoe + era * 400 + (month <= 2 ? 1 : 0);
}

/** Day of the week of day number `days`: 0 = Sunday ... 6 = Saturday. */
export function weekdayOfDays(days: number): number {
  const w = (days + 4) % 7;
  return w < 0 ? w + 7 : w;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Number of days in the month (1-12) of the year. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  // 31 for Jan, Mar, May, Jul, Aug, Oct, Dec: the low bit of the month flips after July.
  return 30 + ((month + (month >> 3)) & 1);
}

/** Local milliseconds of a wall-clock time. */
export function localMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms = 0,
): number {
  return (
    daysFromCivil(year, month, day) * MS_PER_DAY +
    hour * MS_PER_HOUR +
    minute * MS_PER_MINUTE +
    second * MS_PER_SECOND +
    ms
  );
}

/** Index of the lowest set bit of a non-zero 32-bit integer (count trailing zeros). */
export function lowestBit(mask: number): number {
  return 31 - Math.clz32(mask & -mask);
}
