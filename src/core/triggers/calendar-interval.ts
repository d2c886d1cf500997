/**
 * The calendar interval trigger: every N days, weeks, months or years at a wall-clock time.
 *
 * Periods are counted in the trigger's timezone from the period that contains the anchor (its
 * day, its ISO week starting Monday, its month or its year), so "every 2 weeks on Monday at 09:00"
 * stays at 09:00 local time across DST changes, and elapsed time between fires varies instead.
 *
 * Month ends clamp: "every month on day 31" fires on the 31st where it exists and on the last day
 * of shorter months (Feb 28 or 29, Apr 30, ...), then returns to the 31st; "every year on Feb 29"
 * fires on Feb 28 in common years. A wall-clock time that does not exist or occurs twice follows
 * the trigger's DST policy, by default the classic cron rule for fixed times (see `wall-clock.ts`).
 */
import { InvalidTriggerError } from "../errors.js";
import { BaseTrigger, type Bounds } from "./bounds.js";
import {
  type CivilDate,
  civilFromDays,
  daysFromCivil,
  daysInMonth,
  lowestBit,
  MS_PER_DAY,
  MS_PER_SECOND,
  SECONDS_PER_DAY,
  weekdayOfDays,
} from "./civil.js";
import { checkDstPolicy } from "./cron.js";
import { describeBounds } from "./describe.js";
import { parseInstant, toIso } from "./instant.js";
import { getTimeZone, MAX_YEAR, type TimeZone } from "./timezone.js";
import type { CalendarOptions, CalendarTriggerSpec, DateInput, DstPolicy } from "./trigger.js";
import { type LocalSchedule, nextInstant, type ResolvedDst, resolveDst } from "./wall-clock.js";

export type CalendarUnit = CalendarOptions["unit"];
const UNITS: readonly CalendarUnit[] = ["day", "week", "month", "year"];
export const MAX_CALENDAR_EVERY = 10_000;
const WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const MAX_DAY_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A calendar rule with every default resolved. */
export interface CalendarRule {
  readonly every: number;
  readonly unit: CalendarUnit;
  /** Seconds after local midnight. */
  readonly timeSeconds: number;
  /** For month and year. */
  readonly dayOfMonth: number;
  /** For year. */
  readonly month: number;
  /** For week: ISO weekdays 1-7, ascending. */
  readonly weekdays: readonly number[];
}

class CalendarSchedule implements LocalSchedule {
  private readonly rule: CalendarRule;
  /** Local day number of the anchor's period start: the day, the Monday of its week. */
  private readonly anchorDay: number;
  private readonly anchorWeekStart: number;
  /** The anchor's month as year * 12 + month - 1, and its year. */
  private readonly anchorMonthIndex: number;
  private readonly anchorYear: number;
  /** Bit i set: ISO weekday i + 1. */
  private readonly weekdayMask: number;
  private readonly civil: CivilDate = { year: 0, month: 0, day: 0 };

  constructor(rule: CalendarRule, anchorLocalMs: number) {
    this.rule = rule;
    const day = Math.floor(anchorLocalMs / MS_PER_DAY);
    this.anchorDay = day;
    this.anchorWeekStart = day - isoWeekdayIndex(day);
    civilFromDays(day, this.civil);
    this.anchorMonthIndex = this.civil.year * 12 + this.civil.month - 1;
    this.anchorYear = this.civil.year;
    let mask = 0;
    for (const w of rule.weekdays) mask |= 1 << (w - 1);
    this.weekdayMask = mask;
  }

  nextLocal(fromLocalMs: number): number {
    const rule = this.rule;
    const every = rule.every;
    const t = Math.floor(fromLocalMs / MS_PER_SECOND) + 1;
    const today = Math.floor(t / SECONDS_PER_DAY);
    // The first day whose fire time is not before t.
    let day = t - today * SECONDS_PER_DAY <= rule.timeSeconds ? today : today + 1;
    switch (rule.unit) {
      case "day":
        day += mod(this.anchorDay - day, every);
        break;
      case "week": {
        for (;;) {
          const week = Math.floor((day - this.anchorWeekStart) / 7);
          const skip = mod(-week, every);
          if (skip !== 0) day = this.anchorWeekStart + 7 * (week + skip);
          const index = isoWeekdayIndex(day);
          const rest = this.weekdayMask >> index;
          if (rest !== 0) {
            day += lowestBit(rest);
            break;
          }
          day = this.anchorWeekStart + 7 * (week + skip + every);
        }
        break;
      }
      case "month": {
        civilFromDays(day, this.civil);
        let index = this.civil.year * 12 + this.civil.month - 1;
        const skip = mod(this.anchorMonthIndex - index, every);
        if (skip !== 0) {
          index += skip;
        } else if (clampDay(rule.dayOfMonth, this.civil.year, this.civil.month) < this.civil.day) {
          index += every;
        }
        const year = Math.floor(index / 12);
        const month = index - year * 12 + 1;
        if (year > MAX_YEAR) return NaN;
        day = daysFromCivil(year, month, clampDay(rule.dayOfMonth, year, month));
        break;
      }
      case "year": {
        civilFromDays(day, this.civil);
        let year = this.civil.year;
        const skip = mod(this.anchorYear - year, every);
        if (skip !== 0) {
          year += skip;
        } else {
          const target = daysFromCivil(year, rule.month, clampDay(rule.dayOfMonth, year, rule.month));
          if (target < day) year += every;
        }
        if (year > MAX_YEAR) return NaN;
        day = daysFromCivil(year, rule.month, clampDay(rule.dayOfMonth, year, rule.month));
        break;
      }
    }
    return (day * SECONDS_PER_DAY + rule.timeSeconds) * MS_PER_SECOND;
  }
}

function mod(a: number, n: number): number {
  const r = a % n;
  return r < 0 ? r + n : r;
}

/** 0 for Monday ... 6 for Sunday. */
function isoWeekdayIndex(day: number): number {
  return (weekdayOfDays(day) + 6) % 7;
}

function clampDay(day: number, year: number, month: number): number {
  const dim = daysInMonth(year, month);
  return day > dim ? dim : day;
}

export class CalendarTrigger extends BaseTrigger {
  readonly kind = "calendar" as const;
  readonly recurring = true;
  readonly rule: CalendarRule;
  readonly timezone: string;
  readonly anchorMs: number;
  readonly dst: Readonly<DstPolicy> | undefined;
  private readonly zone: TimeZone;
  private readonly schedule: CalendarSchedule;
  private readonly policy: ResolvedDst;

  /** Use {@link calendarTrigger}; this constructor trusts its (already validated) arguments. */
  constructor(
    rule: CalendarRule,
    zone: TimeZone,
    anchorMs: number,
    dst: DstPolicy | undefined,
    bounds: Bounds,
  ) {
    super(bounds);
    this.rule = Object.freeze({ ...rule, weekdays: Object.freeze([...rule.weekdays]) });
    this.zone = zone;
    this.timezone = zone.name;
    this.anchorMs = anchorMs;
    this.dst = dst === undefined ? undefined : Object.freeze({ ...dst });
    this.schedule = new CalendarSchedule(rule, anchorMs + zone.offsetAt(anchorMs));
    this.policy = resolveDst(dst, true);
    Object.freeze(this);
  }

  protected rawNextMs(afterMs: number): number {
    return nextInstant(this.zone, this.schedule, afterMs, this.policy);
  }

  describe(): string {
    const { every, unit, dayOfMonth, month, weekdays } = this.rule;
    let text = every === 1 ? `every ${unit}` : `every ${every} ${unit}s`;
    if (unit === "week") text += ` on ${listWords(weekdays.map((w) => WEEKDAY_NAMES[w - 1]!))}`;
    if (unit === "month") {
      text += ` on day ${dayOfMonth}`;
      if (dayOfMonth > 28) text += " (the last day of shorter months)";
    }
    if (unit === "year") {
      text += ` on ${MONTH_NAMES[month - 1]} ${dayOfMonth}`;
      if (month === 2 && dayOfMonth === 29) text += " (February 28 in common years)";
    }
    text += ` at ${formatTime(this.rule.timeSeconds)}`;
    if (every > 1) text += `, counting from ${formatDate(this.anchorMs + this.zone.offsetAt(this.anchorMs))}`;
    return `${text}, ${this.timezone}` + describeBounds(this.startMs, this.endMs, this.zone);
  }

  toJSON(): CalendarTriggerSpec {
    const { every, unit, dayOfMonth, month, weekdays, timeSeconds } = this.rule;
    const spec: CalendarTriggerSpec = {
      kind: "calendar",
      version: 1,
      every,
      unit,
      time: formatTime(timeSeconds, true),
      timezone: this.timezone,
      anchorAt: toIso(this.anchorMs),
    };
    if (unit === "month" || unit === "year") spec.dayOfMonth = dayOfMonth;
    if (unit === "year") spec.month = month;
    if (unit === "week") spec.weekdays = [...weekdays];
    if (this.dst !== undefined) spec.dst = { ...this.dst };
    return { ...spec, ...this.boundsJSON() };
  }
}

function listWords(words: string[]): string {
  return words.length <= 1 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)!}`;
}

function formatTime(seconds: number, withSeconds = false): string {
  const hh = String(Math.floor(seconds / 3600)).padStart(2, "0");
  const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, "0");
  const ss = seconds % 60;
  return withSeconds || ss !== 0 ? `${hh}:${mm}:${String(ss).padStart(2, "0")}` : `${hh}:${mm}`;
}

function formatDate(local: number): string {
  return new Date(local).toISOString().slice(0, 10);
}

export interface CalendarTriggerOptions extends CalendarOptions {
  /** Timezone of the wall-clock time. @default "UTC" */
  timezone?: string;
  /** The anchor: period 0 is the day, week, month or year containing it; no fire before it. */
  startAt: DateInput;
  /** No fire after this instant. */
  endAt?: DateInput;
  dst?: DstPolicy;
}

/**
 * Every N days/weeks/months/years at a wall-clock time, counted from `startAt` (also the first
 * instant it may fire). Throws InvalidTriggerError naming the `calendar.*` field at fault.
 */
export function calendarTrigger(options: CalendarTriggerOptions): CalendarTrigger {
  const zone = getTimeZone(options.timezone ?? "UTC");
  if ((options as Partial<CalendarTriggerOptions>).startAt === undefined) {
    throw new InvalidTriggerError("startAt", "the instant the calendar counts from", undefined);
  }
  const startMs = parseInstant(options.startAt, "startAt", zone);
  const endMs = options.endAt === undefined ? Infinity : parseInstant(options.endAt, "endAt", zone);
  const dst = options.dst === undefined ? undefined : checkDstPolicy(options.dst, "dst");
  const rule = resolveCalendarRule(options, zone, startMs, "calendar.");
  return new CalendarTrigger(rule, zone, startMs, dst, { startMs, endMs });
}

/**
 * Validates what a user wrote (or a spec holds) and fills the defaults from the anchor's local
 * date. `prefix` is prepended to field names in errors ("calendar." for options, "" for specs).
 */
export function resolveCalendarRule(
  input: Partial<Record<keyof CalendarOptions, unknown>> & object,
  zone: TimeZone,
  anchorMs: number,
  prefix: string,
): CalendarRule {
  const known = new Set(["every", "unit", "time", "dayOfMonth", "month", "weekdays"]);
  for (const [key, value] of Object.entries(input)) {
    if (!known.has(key) && value !== undefined && !["timezone", "startAt", "endAt", "dst"].includes(key)) {
      throw new InvalidTriggerError(
        prefix + key,
        "absent: a calendar rule has every, unit, time, dayOfMonth, month and weekdays",
        value,
      );
    }
  }
  const unit = input.unit;
  if (typeof unit !== "string" || !UNITS.includes(unit as CalendarUnit)) {
    throw new InvalidTriggerError(`${prefix}unit`, '"day", "week", "month" or "year"', unit);
  }
  const u = unit as CalendarUnit;
  const every = input.every ?? 1;
  if (typeof every !== "number" || !Number.isInteger(every) || every < 1 || every > MAX_CALENDAR_EVERY) {
    throw new InvalidTriggerError(`${prefix}every`, `a whole number from 1 to ${MAX_CALENDAR_EVERY}`, every);
  }
  const timeSeconds = parseTimeOfDay(input.time ?? "00:00", `${prefix}time`);
  const anchorLocal = anchorMs + zone.offsetAt(anchorMs);
  const anchor: CivilDate = { year: 0, month: 0, day: 0 };
  civilFromDays(Math.floor(anchorLocal / MS_PER_DAY), anchor);
  const onlyFor = (key: "dayOfMonth" | "month" | "weekdays", units: CalendarUnit[]): void => {
    if (input[key] !== undefined && !units.includes(u)) {
      throw new InvalidTriggerError(
        `${prefix}${key}`,
        `absent with unit "${u}" (it applies to ${units.join(" and ")})`,
        input[key],
      );
    }
  };
  onlyFor("dayOfMonth", ["month", "year"]);
  onlyFor("month", ["year"]);
  onlyFor("weekdays", ["week"]);
  const month = input.month ?? anchor.month;
  if (typeof month !== "number" || !Number.isInteger(month) || month < 1 || month > 12) {
    throw new InvalidTriggerError(`${prefix}month`, "a month from 1 (January) to 12 (December)", month);
  }
  const dayOfMonth = input.dayOfMonth ?? anchor.day;
  const maxDay = u === "year" ? MAX_DAY_IN_MONTH[month - 1]! : 31;
  if (
    typeof dayOfMonth !== "number" ||
    !Number.isInteger(dayOfMonth) ||
    dayOfMonth < 1 ||
    dayOfMonth > maxDay
  ) {
    throw new InvalidTriggerError(
      `${prefix}dayOfMonth`,
      u === "year"
        ? `a day from 1 to ${maxDay} (${MONTH_NAMES[month - 1]!} has no day beyond)`
        : "a day from 1 to 31",
      dayOfMonth,
    );
  }
  let weekdays: number[] = [isoWeekdayIndex(Math.floor(anchorLocal / MS_PER_DAY)) + 1];
  if (input.weekdays !== undefined) {
    const list = input.weekdays;
    const expected = "a non-empty array of distinct ISO weekdays, 1 (Monday) to 7 (Sunday)";
    if (!Array.isArray(list) || list.length === 0)
      throw new InvalidTriggerError(`${prefix}weekdays`, expected, list);
    for (const w of list as unknown[]) {
      if (
        typeof w !== "number" ||
        !Number.isInteger(w) ||
        w < 1 ||
        w > 7 ||
        list.indexOf(w) !== list.lastIndexOf(w)
      ) {
        throw new InvalidTriggerError(`${prefix}weekdays`, expected, list);
      }
    }
    weekdays = [...(list as number[])].sort((a, b) => a - b);
  }
  return { every, unit: u, timeSeconds, dayOfMonth, month, weekdays };
}

/** "HH:MM" or "HH:MM:SS", 00:00:00 to 23:59:59, as seconds after midnight. */
export function parseTimeOfDay(value: unknown, field: string): number {
  const m = typeof value === "string" ? /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(value) : null;
  const h = Number(m?.[1]);
  const mi = Number(m?.[2]);
  const s = Number(m?.[3] ?? 0);
  if (m === null || h > 23 || mi > 59 || s > 59) {
    throw new InvalidTriggerError(
      field,
      'a wall-clock time "HH:MM" or "HH:MM:SS" from 00:00 to 23:59:59',
      value,
    );
  }
  return h * 3600 + mi * 60 + s;
}
