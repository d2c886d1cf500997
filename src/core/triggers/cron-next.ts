/**
 * The next local time a parsed cron expression matches: integer arithmetic on lookup tables.
 *
 * Each step moves the earliest field that does not match to its next allowed value and resets the
 * fields below it, so a search costs a handful of table reads however far away the answer is
 * (a leap day is at most a few dozen month steps away). Days are matched with a 31-bit mask per
 * month, combining day-of-month and day-of-week rules; the last mask is cached.
 */
import {
  type CivilDate,
  civilFromDays,
  daysFromCivil,
  daysInMonth,
  lowestBit,
  MS_PER_SECOND,
  SECONDS_PER_DAY,
  weekdayOfDays,
} from "./civil.js";
import type { CronFields } from "./cron-parse.js";
import { MAX_YEAR } from "./timezone.js";
import type { LocalSchedule } from "./wall-clock.js";

/**
 * 400 Gregorian years are exactly 20,871 weeks, so the calendar (dates and weekdays) repeats every
 * 400 years: an expression that matches nothing in 401 years never matches.
 */
const CYCLE_YEARS = 401;

export class CronSchedule implements LocalSchedule {
  private readonly f: CronFields;
  private readonly andDays: boolean;
  /** Days of the month whose weekday is listed, indexed by the weekday of the 1st. */
  private readonly dowByFirst: Int32Array;
  private readonly allDays: boolean;
  private readonly firstMonth: number;
  private readonly civil: CivilDate = { year: 0, month: 0, day: 0 };
  /** The day number that `civil` holds. */
  private civilDays = NaN;
  // Cache of the last month's day mask: the scheduler asks about the same month again and again.
  private cacheKey = -1;
  private cacheMask = 0;
  /**
   * The local start (in seconds) of the last minute an answer fell in: its day, hour and minute
   * all match, so a later second of the same minute is one table read away (six-field schedules
   * ask about the same minute many times in a row).
   */
  private matchedMinute = NaN;

  constructor(fields: CronFields, dayMatch: "or" | "and") {
    this.f = fields;
    this.andDays = dayMatch === "and";
    this.firstMonth = fields.nextMonth[1]!;
    this.dowByFirst = new Int32Array(7);
    for (let first = 0; first < 7; first++) {
      let mask = 0;
      for (let day = 1; day <= 31; day++) {
        if (fields.dowDays & (1 << ((first + day - 1) % 7))) mask |= 1 << (day - 1);
      }
      this.dowByFirst[first] = mask;
    }
    this.allDays = fields.domStar && fields.dowStar;
  }

  nextLocal(fromLocalMs: number): number {
    const f = this.f;
    const nextHour = f.nextHour;
    const nextMinute = f.nextMinute;
    const nextSecond = f.nextSecond;
    const nextMonth = f.nextMonth;
    // The first whole second strictly after `fromLocalMs`.
    const t = Math.floor(fromLocalMs / MS_PER_SECOND) + 1;
    const minuteStart = t - (((t % 60) + 60) % 60);
    if (minuteStart === this.matchedMinute) {
      const next = nextSecond[t - minuteStart]!;
      if (next >= 0) return (minuteStart + next) * MS_PER_SECOND;
    }
    const days = Math.floor(t / SECONDS_PER_DAY);
    let sod = t - days * SECONDS_PER_DAY;
    let h = Math.floor(sod / 3600);
    sod -= h * 3600;
    let mi = Math.floor(sod / 60);
    let s = sod - mi * 60;
    const civil = this.civil;
    // Consecutive calls mostly ask about the same day: decompose it once.
    if (days !== this.civilDays) {
      // Daily schedules ask about the next day: no month can end before the 28th.
      if (days === this.civilDays + 1 && civil.day < 28) civil.day++;
      else civilFromDays(days, civil);
      this.civilDays = days;
    }
    let y = civil.year;
    let mo = civil.month;
    let d = civil.day;
    // The day number of (y, mo, d), kept while the search stays in the month; NaN once it leaves.
    let dayNumber = days;
    const lastYear = Math.min(y + CYCLE_YEARS, MAX_YEAR);
    for (;;) {
      const nm = nextMonth[mo]!;
      if (nm !== mo) {
        if (nm < 0) {
          y++;
          mo = this.firstMonth;
        } else {
          mo = nm;
        }
        d = 1;
        h = mi = s = 0;
        dayNumber = NaN;
        if (y > lastYear) return NaN;
      }
      const mask = this.allDays ? 0x7fffffff : this.dayMask(y, mo);
      const rest = mask >>> (d - 1);
      if (rest === 0 || d > 31) {
        if (++mo > 12) {
          mo = 1;
          if (++y > lastYear) return NaN;
        }
        d = 1;
        h = mi = s = 0;
        dayNumber = NaN;
        continue;
      }
      const nd = d + lowestBit(rest);
      if (nd > 28 && this.allDays && nd > daysInMonth(y, mo)) {
        // The `allDays` mask does not know the month's length.
        d = 32;
        continue;
      }
      if (nd !== d) {
        // Still the same month: the day number moves with the day (NaN stays NaN).
        dayNumber += nd - d;
        d = nd;
        h = mi = s = 0;
      }
      for (;;) {
        const nh = nextHour[h]!;
        if (nh < 0) break;
        if (nh !== h) {
          h = nh;
          mi = s = 0;
        }
        const nmi = nextMinute[mi]!;
        if (nmi < 0) {
          h++;
          mi = s = 0;
          continue;
        }
        if (nmi !== mi) {
          mi = nmi;
          s = 0;
        }
        const ns = nextSecond[s]!;
        if (ns < 0) {
          mi++;
          s = 0;
          continue;
        }
        const day = dayNumber === dayNumber ? dayNumber : daysFromCivil(y, mo, d);
        const minute = day * SECONDS_PER_DAY + h * 3600 + mi * 60;
        this.matchedMinute = minute;
        return (minute + ns) * MS_PER_SECOND;
      }
      d++;
      h = mi = s = 0;
      dayNumber++;
    }
  }

  /** Bit d-1 set: day d of the month matches the day fields. */
  private dayMask(year: number, month: number): number {
    const key = year * 16 + month;
    if (key === this.cacheKey) return this.cacheMask;
    const f = this.f;
    const dim = daysInMonth(year, month);
    const full = dim === 31 ? 0x7fffffff : (1 << dim) - 1;
    const first = weekdayOfDays(daysFromCivil(year, month, 1));
    let dom = full;
    if (!f.domStar) {
      dom = f.domDays & full;
      let offsets = f.domLastOffsets;
      while (offsets !== 0) {
        const n = lowestBit(offsets);
        offsets &= offsets - 1;
        if (dim - n >= 1) dom |= 1 << (dim - n - 1);
      }
      let nearest = f.domNearest;
      while (nearest !== 0) {
        const day = lowestBit(nearest) + 1;
        nearest &= nearest - 1;
        if (day <= dim) dom |= 1 << (nearestWeekday(day, dim, first) - 1);
      }
      if (f.domLastWeekday) dom |= 1 << (nearestWeekday(dim, dim, first) - 1);
    }
    let dow = full;
    if (!f.dowStar) {
      dow = this.dowByFirst[first]! & full;
      for (let w = 0; w < 7; w++) {
        let nth = f.dowNth[w]!;
        if ((f.dowLast >> w) & 1) {
          const last = dim - ((first + dim - 1 - w + 7) % 7);
          dow |= 1 << (last - 1);
        }
        const firstOccurrence = 1 + ((w - first + 7) % 7);
        while (nth !== 0) {
          const k = lowestBit(nth);
          nth &= nth - 1;
          const day = firstOccurrence + 7 * k;
          if (day <= dim) dow |= 1 << (day - 1);
        }
      }
    }
    // Vixie cron: when both day fields are restricted, a day matching either one matches.
    const mask = f.domStar || f.dowStar || this.andDays ? dom & dow : dom | dow;
    this.cacheKey = key;
    this.cacheMask = mask;
    return mask;
  }
}

/**
 * The weekday (Monday-Friday) nearest day `day` without leaving the month (Quartz `W`): a Saturday
 * moves to Friday, or to Monday the 3rd when it is the 1st; a Sunday moves to Monday, or to Friday
 * when it is the last day.
 */
function nearestWeekday(day: number, dim: number, firstWeekday: number): number {
  const w = (firstWeekday + day - 1) % 7;
  if (w === 6) return day > 1 ? day - 1 : day + 2;
  if (w === 0) return day < dim ? day + 1 : day - 2;
  return day;
}
