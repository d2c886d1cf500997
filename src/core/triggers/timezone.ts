/**
 * A fast UTC-offset engine: which offset a timezone has at an instant, and where the current offset
 * period starts and ends, without calling Intl on the hot path.
 *
 * `Intl.DateTimeFormat` is the only timezone database a Node process is guaranteed to have, but one
 * `format()` call costs about a microsecond, and a cron `next()` may need several. So each zone
 * builds, lazily and once per UTC year, a small table of its offset transitions (sampled with Intl
 * every 3 days, each change located to the second by bisection), and lookups are a range check
 * against the last period found (the common case), then a map lookup and a scan of the year's 0-4
 * transitions. Building a year costs about 160 Intl calls (a fifth of a millisecond).
 *
 * Sampling every 3 days sees every period of constant offset that lasts 3 days or more. A scan of
 * every zone of the runtime's tz database from 1900 to 2100 (6-hour steps) found none shorter than
 * 7 days: America/Noronha, Boa_Vista and Recife kept DST for one week in October 2000, and
 * Asia/Gaza and Hebron have one-week periods in 2040, 2054 and 2072. Weekly sampling would miss
 * those, hence the margin. After 2100 the database has no explicit transitions, only recurring
 * spring and autumn rules, so those years are sampled weekly, which keeps far searches cheap.
 *
 * Supported range: 1900-01-01 to 9999-12-31 (UTC). Before it the offset of 1900-01-01 applies,
 * after it the offset of 9999-12-31, so lookups are total.
 */
import { InvalidTriggerError } from "../errors.js";
import { type CivilDate, civilFromDays, daysFromCivil, MS_PER_DAY, MS_PER_SECOND } from "./civil.js";

export const MIN_YEAR = 1900;
export const MAX_YEAR = 9999;
/** First instant of the supported range (1900-01-01T00:00:00Z). */
export const MIN_SUPPORTED_MS = daysFromCivil(MIN_YEAR, 1, 1) * MS_PER_DAY;
/** First instant after the supported range (10000-01-01T00:00:00Z). */
export const MAX_SUPPORTED_MS = daysFromCivil(MAX_YEAR + 1, 1, 1) * MS_PER_DAY;

export const TIMEZONE_EXPECTED =
  'an IANA timezone such as "Europe/Berlin", "America/New_York" or "UTC", or a fixed offset such as "+05:30"';

const SAMPLE_STEP_MS = 3 * MS_PER_DAY;
const FAR_FUTURE_SAMPLE_STEP_MS = 7 * MS_PER_DAY;
const FAR_FUTURE_YEAR = 2100;
const OFFSET_PATTERN = /^([+-])(\d{2}):?(\d{2})?$/;
const FIXED_IANA = /^(?:Etc\/)?(?:UTC|GMT|UCT|Universal|Zulu|Greenwich)$|^Etc\/GMT[+-]\d{1,2}$/;

/** The offsets of one UTC year: `offsets[i]` applies from `bounds[i - 1]` (or `start`) on. */
interface YearTable {
  readonly start: number;
  readonly end: number;
  readonly bounds: readonly number[];
  readonly offsets: readonly number[];
  /** Offset in effect just before `start`. */
  readonly before: number;
  /** Offset in effect at `end` (the first offset of the next year). */
  readonly after: number;
}

/**
 * A timezone. After {@link lookup}, the `seg*` fields describe the period of constant offset that
 * contains the instant: `[segStart, segEnd)` with offset `segOffset` (local = UTC + offset), the
 * offset before it (`prevOffset`) and after it (`nextOffset`). A period boundary where the offset does
 * not change is only a table boundary (a new UTC year). These fields are a cache shared by every
 * trigger in the zone; callers read them right after `lookup` and before any other call.
 */
export class TimeZone {
  readonly name: string;
  /** True for UTC and fixed offsets: one period spanning all time. */
  readonly fixed: boolean;
  segStart = 0;
  segEnd = -1;
  segOffset = 0;
  prevOffset = 0;
  nextOffset = 0;

  private readonly format: ((ms: number) => string) | null;
  private readonly years = new Map<number, YearTable>();
  private readonly civil: CivilDate = { year: 0, month: 0, day: 0 };

  constructor(name: string, fixedOffsetMs: number | null, format: ((ms: number) => string) | null) {
    this.name = name;
    this.fixed = fixedOffsetMs !== null;
    this.format = format;
    if (fixedOffsetMs !== null) {
      this.segStart = -Infinity;
      this.segEnd = Infinity;
      this.segOffset = this.prevOffset = this.nextOffset = fixedOffsetMs;
    }
  }

  /** Offset in milliseconds (local minus UTC) at the instant. */
  offsetAt(utcMs: number): number {
    this.lookup(utcMs);
    return this.segOffset;
  }

  /** Finds the period of constant offset containing `utcMs` and stores it in the `seg*` fields. */
  lookup(utcMs: number): void {
    if (utcMs >= this.segStart && utcMs < this.segEnd) return;
    if (utcMs < MIN_SUPPORTED_MS) {
      const first = this.table(MIN_YEAR);
      this.setSegment(-Infinity, MIN_SUPPORTED_MS, first.before, first.before, first.offsets[0]!);
      return;
    }
    if (utcMs >= MAX_SUPPORTED_MS) {
      const last = this.table(MAX_YEAR);
      this.setSegment(MAX_SUPPORTED_MS, Infinity, last.after, last.after, last.after);
      return;
    }
    civilFromDays(Math.floor(utcMs / MS_PER_DAY), this.civil);
    const t = this.table(this.civil.year);
    const bounds = t.bounds;
    let i = 0;
    while (i < bounds.length && utcMs >= bounds[i]!) i++;
    this.setSegment(
      i === 0 ? t.start : bounds[i - 1]!,
      i < bounds.length ? bounds[i]! : t.end,
      t.offsets[i]!,
      i === 0 ? t.before : t.offsets[i - 1]!,
      i < bounds.length ? t.offsets[i + 1]! : t.after,
    );
  }

  private setSegment(start: number, end: number, offset: number, prev: number, next: number): void {
    this.segStart = start;
    this.segEnd = end;
    this.segOffset = offset;
    this.prevOffset = prev;
    this.nextOffset = next;
  }

  private table(year: number): YearTable {
    let t = this.years.get(year);
    if (t === undefined) {
      t = this.buildYear(year);
      this.years.set(year, t);
    }
    return t;
  }

  /** Samples the year and bisects each change of offset down to the second. */
  private buildYear(year: number): YearTable {
    const step = year > FAR_FUTURE_YEAR ? FAR_FUTURE_SAMPLE_STEP_MS : SAMPLE_STEP_MS;
    const start = daysFromCivil(year, 1, 1) * MS_PER_DAY;
    const end = daysFromCivil(year + 1, 1, 1) * MS_PER_DAY;
    const bounds: number[] = [];
    const offsets: number[] = [this.intlOffset(start)];
    let from = start;
    let fromOffset = offsets[0]!;
    while (from < end) {
      const to = Math.min(from + step, end);
      const toOffset = this.intlOffset(to);
      if (toOffset === fromOffset) {
        from = to;
        continue;
      }
      // The offset changes in (from, to]: find the first second with a different offset.
      let lo = from / MS_PER_SECOND;
      let hi = to / MS_PER_SECOND;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (this.intlOffset(mid * MS_PER_SECOND) === fromOffset) lo = mid;
        else hi = mid;
      }
      const at = hi * MS_PER_SECOND;
      const newOffset = this.intlOffset(at);
      if (at < end) {
        bounds.push(at);
        offsets.push(newOffset);
      }
      // Continue from the transition: another change may follow before `to`.
      from = at;
      fromOffset = newOffset;
    }
    return {
      start,
      end,
      bounds,
      offsets,
      before: year === MIN_YEAR ? offsets[0]! : this.intlOffset(start - MS_PER_SECOND),
      after: this.intlOffset(end),
    };
  }

  /** The zone's offset at an instant, from Intl (slow: only used to build tables). */
  private intlOffset(utcMs: number): number {
    const text = this.format!(utcMs);
    const m = /^(\d+)\/(\d+)\/(\d+),? (\d+):(\d+):(\d+)/.exec(text);
    if (m === null) throw new Error(`Unexpected Intl.DateTimeFormat output ${JSON.stringify(text)}`);
    const local =
      (daysFromCivil(Number(m[3]), Number(m[1]), Number(m[2])) * 86_400 +
        Number(m[4]) * 3600 +
        Number(m[5]) * 60 +
        Number(m[6])) *
      MS_PER_SECOND;
    return local - Math.floor(utcMs / MS_PER_SECOND) * MS_PER_SECOND;
  }
}

// A memo of immutable zone data (the transition tables are pure functions of the zone name and
// the runtime's tz database), shared so that 100,000 jobs in Europe/Berlin build one table.
const zones = new Map<string, TimeZone>();

/**
 * The zone for an IANA name ("Europe/Berlin"), "UTC", or a fixed offset ("+05:30", "-0800").
 * Throws {@link InvalidTriggerError} (field `field`) for anything else.
 */
export function getTimeZone(name: unknown, field = "timezone"): TimeZone {
  if (typeof name === "string") {
    const known = zones.get(name);
    if (known !== undefined) return known;
  }
  const zone = createTimeZone(name, field);
  zones.set(zone.name, zone);
  return zone;
}

function createTimeZone(name: unknown, field: string): TimeZone {
  if (typeof name !== "string" || name.trim() === "") {
    throw new InvalidTriggerError(field, TIMEZONE_EXPECTED, name);
  }
  const offset = OFFSET_PATTERN.exec(name);
  if (offset !== null) {
    const hours = Number(offset[2]);
    const minutes = Number(offset[3] ?? 0);
    if (hours > 18 || minutes > 59 || (hours === 18 && minutes > 0)) {
      throw new InvalidTriggerError(field, "a fixed offset between -18:00 and +18:00", name);
    }
    const sign = offset[1] === "-" ? -1 : 1;
    return new TimeZone(name, sign * (hours * 3_600_000 + minutes * 60_000), null);
  }
  let dtf: Intl.DateTimeFormat;
  try {
    dtf = new Intl.DateTimeFormat("en-US", {
      timeZone: name,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  } catch (error) {
    throw new InvalidTriggerError(field, TIMEZONE_EXPECTED, name, { cause: error });
  }
  const format = (ms: number): string => dtf.format(ms);
  const zone = new TimeZone(name, null, format);
  if (FIXED_IANA.test(dtf.resolvedOptions().timeZone)) {
    // Etc/GMT+5 and friends never change offset: one period for all time, no tables.
    return new TimeZone(name, zone.offsetAt(Date.UTC(2000, 0, 1)), null);
  }
  return zone;
}

/** `+02:00`, `-05:00`, `+05:30`, `+00:00`: how ISO 8601 writes an offset. */
export function formatOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? "-" : "+";
  const totalMinutes = Math.floor(Math.abs(offsetMs) / 60_000);
  const hh = String(Math.floor(totalMinutes / 60)).padStart(2, "0");
  const mm = String(totalMinutes % 60).padStart(2, "0");
  return `${sign}${hh}:${mm}`;
}

/**
 * An instant as ISO 8601 in the zone's local time with its offset: `2026-03-29T03:00:00+02:00`.
 * Milliseconds are shown only when non-zero.
 */
export function formatInZone(utcMs: number, zone: TimeZone): string {
  const offset = zone.offsetAt(utcMs);
  const local = new Date(utcMs + offset).toISOString();
  const body = local.endsWith(".000Z") ? local.slice(0, -5) : local.slice(0, -1);
  return body + formatOffset(offset);
}
