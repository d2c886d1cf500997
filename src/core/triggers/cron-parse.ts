/**
 * The cron expression parser: text in, precomputed lookup tables out (see `cron-next.ts`).
 *
 * Accepted: 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first; numbers,
 * `*`, `?` (day fields only), ranges `a-b`, steps `*\/n`, `a-b/n`, `a/n` (= a-max/n), lists `a,b`,
 * month names JAN-DEC and weekday names SUN-SAT in any case, Sunday as 0 or 7; in day-of-month `L`,
 * `L-n`, `nW`, `LW`; in day-of-week `nL` (last weekday n of the month) and `n#k` (k-th weekday n);
 * and the macros `@yearly @annually @monthly @weekly @daily @midnight @hourly`.
 *
 * Every mistake throws InvalidTriggerError with one message formula:
 * ``Expected the minute field (1st) to be 0-59, got "60" in "60 * * * *"``.
 */
import { InvalidTriggerError } from "../errors.js";

type FieldName = "second" | "minute" | "hour" | "day-of-month" | "month" | "day-of-week";

interface FieldSpec {
  readonly name: FieldName;
  readonly min: number;
  readonly max: number;
  /** How the allowed values read in messages. */
  readonly allowed: string;
  readonly names?: Readonly<Record<string, number>>;
}

const MONTH_NAMES: Record<string, number> = {
  JAN: 1,
  FEB: 2,
  MAR: 3,
  APR: 4,
  MAY: 5,
  JUN: 6,
  JUL: 7,
  AUG: 8,
  SEP: 9,
  OCT: 10,
  NOV: 11,
  DEC: 12,
};
const DAY_NAMES: Record<string, number> = { SUN: 0, MON: 1, TUE: 2, WED: 3, THU: 4, FRI: 5, SAT: 6 };

const SECOND: FieldSpec = { name: "second", min: 0, max: 59, allowed: "0-59" };
const MINUTE: FieldSpec = { name: "minute", min: 0, max: 59, allowed: "0-59" };
const HOUR: FieldSpec = { name: "hour", min: 0, max: 23, allowed: "0-23" };
const DAY_OF_MONTH: FieldSpec = { name: "day-of-month", min: 1, max: 31, allowed: "1-31" };
const MONTH: FieldSpec = { name: "month", min: 1, max: 12, allowed: "1-12 or JAN-DEC", names: MONTH_NAMES };
const DAY_OF_WEEK: FieldSpec = {
  name: "day-of-week",
  min: 0,
  max: 7,
  allowed: "0-7 or SUN-SAT (0 and 7 are Sunday)",
  names: DAY_NAMES,
};

const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

const ORDINALS = ["1st", "2nd", "3rd", "4th", "5th", "6th"];

/** A parsed cron expression. The `next*` tables map a value to the first allowed value >= it, or -1. */
export interface CronFields {
  /** The expression as written (trimmed). */
  readonly expression: string;
  /** The 5 or 6 fields after macro expansion, as written: what describe() reads. */
  readonly fields: readonly string[];
  readonly hasSeconds: boolean;
  readonly nextSecond: Int8Array;
  readonly nextMinute: Int8Array;
  readonly nextHour: Int8Array;
  /** Indexed 1-13; 13 is the sentinel. */
  readonly nextMonth: Int8Array;
  /** Bit d-1 set: day d of the month is listed. */
  readonly domDays: number;
  /** Bit n set: "n days before the last day" (`L` is n = 0, `L-2` is n = 2). */
  readonly domLastOffsets: number;
  /** Bit d-1 set: `dW`, the weekday nearest day d. */
  readonly domNearest: number;
  /** `LW`: the last weekday (Monday-Friday) of the month. */
  readonly domLastWeekday: boolean;
  /** Bit w set: weekday w (0 = Sunday) is listed. */
  readonly dowDays: number;
  /** `dowNth[w]` bit k-1 set: `w#k`, the k-th weekday w of the month. */
  readonly dowNth: readonly number[];
  /** Bit w set: `wL`, the last weekday w of the month. */
  readonly dowLast: number;
  /** The day-of-month field is `*` or `?`: it does not restrict days. */
  readonly domStar: boolean;
  readonly dowStar: boolean;
  /**
   * Seconds, minutes and hours have no wildcard and no step: a job at fixed times of day, which
   * classic cron moves out of DST gaps instead of skipping (see `wall-clock.ts`).
   */
  readonly fixedTime: boolean;
}

/**
 * Parses a cron expression. `field` names the option it came from in error messages (`cron`,
 * `expression`).
 */
export function parseCron(expression: unknown, field = "cron"): CronFields {
  if (typeof expression !== "string" || expression.trim() === "") {
    throw new InvalidTriggerError(
      field,
      'a cron expression such as "*/5 * * * *" (5 fields, or 6 with seconds first) or a macro such as "@daily"',
      expression,
    );
  }
  const source = expression.trim();
  let text = source;
  if (text.startsWith("@")) {
    const macro = MACROS[text.toLowerCase()];
    if (macro === undefined) {
      const reason =
        text.toLowerCase() === "@reboot"
          ? "@reboot is not supported: cronq triggers fire at times, and a scheduler start is not a boot. To run a task soon after the scheduler starts, add a job with `startIn`"
          : `Expected one of the macros ${Object.keys(MACROS).join(" ")}, got ${JSON.stringify(text)}`;
      throw new InvalidTriggerError(field, "a supported cron macro", expression, { message: reason });
    }
    text = macro;
  }
  const parts = text.split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) {
    const hint =
      parts.length === 7 ? " (a year field is not supported)" : parts.length < 5 ? "" : " (too many fields)";
    throw new InvalidTriggerError(field, "5 or 6 cron fields", expression, {
      message:
        `Expected 5 fields (minute hour day-of-month month day-of-week) or 6 (with seconds first), ` +
        `got ${parts.length} in ${JSON.stringify(source)}${hint}`,
    });
  }
  const hasSeconds = parts.length === 6;
  const specs = hasSeconds
    ? [SECOND, MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK]
    : [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK];
  const ctx = (index: number): FieldContext => ({
    spec: specs[index]!,
    position: ORDINALS[index]!,
    source,
    field,
  });
  const offset = hasSeconds ? 1 : 0;
  const secondText = hasSeconds ? parts[0]! : "0";
  const minuteText = parts[offset]!;
  const hourText = parts[offset + 1]!;
  const seconds = hasSeconds ? parseValues(secondText, ctx(0)) : 1;
  const minutes = parseValues(minuteText, ctx(offset));
  const hours = parseValues(hourText, ctx(offset + 1));
  const dom = parseDayOfMonth(parts[offset + 2]!, ctx(offset + 2));
  const months = parseValues(parts[offset + 3]!, ctx(offset + 3));
  const dow = parseDayOfWeek(parts[offset + 4]!, ctx(offset + 4));
  const isFixed = (t: string): boolean => !t.includes("*") && !t.includes("/");
  return {
    expression: source,
    fields: parts,
    hasSeconds,
    nextSecond: nextTable(seconds, 60),
    nextMinute: nextTable(minutes, 60),
    nextHour: nextTable(hours, 24),
    nextMonth: nextTable(months, 13),
    domDays: dom.days,
    domLastOffsets: dom.lastOffsets,
    domNearest: dom.nearest,
    domLastWeekday: dom.lastWeekday,
    domStar: dom.star,
    dowDays: dow.days,
    dowNth: dow.nth,
    dowLast: dow.last,
    dowStar: dow.star,
    fixedTime: isFixed(secondText) && isFixed(minuteText) && isFixed(hourText),
  };
}

interface FieldContext {
  readonly spec: FieldSpec;
  readonly position: string;
  readonly source: string;
  readonly field: string;
}

function fail(ctx: FieldContext, expected: string, got: string, what = "the"): never {
  throw new InvalidTriggerError(ctx.field, expected, ctx.source, {
    message: `Expected ${what} ${ctx.spec.name} field (${ctx.position}) to be ${expected}, got ${JSON.stringify(got)} in ${JSON.stringify(ctx.source)}`,
  });
}

/**
 * A field of plain values: `*`, numbers, names, ranges, steps and lists. Returns the allowed
 * values as a boolean array indexed by value. (The `1` returned for an absent seconds field means
 * "only 0".)
 */
function parseValues(text: string, ctx: FieldContext): boolean[] {
  const { spec } = ctx;
  const set = new Array<boolean>(spec.max + 1).fill(false);
  for (const item of splitList(text, ctx)) {
    if (item === "?") {
      fail(ctx, `${spec.allowed} (? is only allowed in the day fields)`, item);
    }
    addItem(item, ctx, set);
  }
  return set;
}

function splitList(text: string, ctx: FieldContext): string[] {
  const items = text.split(",");
  for (const item of items) {
    if (item === "") fail(ctx, `${ctx.spec.allowed}, without empty list items`, text);
  }
  return items;
}

/** `*`, `*\/n`, `a`, `a-b`, `a-b/n`, `a/n` into `set`. */
function addItem(item: string, ctx: FieldContext, set: boolean[]): void {
  const { spec } = ctx;
  // Sunday may be written 7, but only 0-6 are weekdays: ranges over 0-7 land on 0-6.
  const top = spec.name === "day-of-week" ? 6 : spec.max;
  const slash = item.indexOf("/");
  const rangeText = slash < 0 ? item : item.slice(0, slash);
  let step = 1;
  if (slash >= 0) {
    const stepText = item.slice(slash + 1);
    const span = top - spec.min + 1;
    step = toInteger(stepText);
    if (!(step >= 1 && step <= span)) {
      fail(ctx, `1-${span}`, stepText, "the step in the");
    }
  }
  let low: number;
  let high: number;
  if (rangeText === "*" || rangeText === "?") {
    low = spec.min;
    high = top;
  } else {
    const dash = rangeText.indexOf("-", 1);
    if (dash < 0) {
      low = readValue(rangeText, ctx);
      // `a/n` runs from a to the end of the field, as in Vixie cron and Quartz.
      high = slash >= 0 ? top : low;
    } else {
      low = readValue(rangeText.slice(0, dash), ctx);
      high = readValue(rangeText.slice(dash + 1), ctx, true);
      // SUN ends a range as 7 (FRI-SUN), except SUN-SUN, which is Sunday alone.
      if (low === 0 && high === 7 && Number.isNaN(toInteger(rangeText.slice(dash + 1)))) high = 0;
      if (low > high) {
        fail(ctx, `a range from low to high within ${spec.allowed}`, rangeText, "a range in the");
      }
    }
  }
  for (let v = low; v <= high; v += step) set[spec.name === "day-of-week" && v === 7 ? 0 : v] = true;
}

/** A number or a name in the field's range. `rangeEnd`: SUN ends a weekday range as 7 (FRI-SUN). */
function readValue(text: string, ctx: FieldContext, rangeEnd = false): number {
  const { spec } = ctx;
  let value = toInteger(text);
  if (Number.isNaN(value) && spec.names !== undefined) {
    const named = spec.names[text.toUpperCase()];
    if (named !== undefined) value = named === 0 && rangeEnd ? 7 : named;
  }
  if (Number.isNaN(value)) {
    if (/^h/i.test(text)) {
      fail(ctx, `${spec.allowed} (H, hashed values, is not supported)`, text);
    }
    fail(ctx, spec.allowed, text);
  }
  if (value < spec.min || value > spec.max) fail(ctx, spec.allowed, text);
  return value;
}

/** Digits only: parseInt would read "15W" as 15 and "3*" as 3. */
function toInteger(text: string): number {
  return /^\d{1,4}$/.test(text) ? Number(text) : NaN;
}

function nextTable(values: boolean[] | 1, size: number): Int8Array {
  const table = new Int8Array(size + 1).fill(-1);
  let next = -1;
  for (let v = size - 1; v >= 0; v--) {
    if (values === 1 ? v === 0 : values[v] === true) next = v;
    table[v] = next;
  }
  return table;
}

function toMask(values: boolean[], from: number, to: number): number {
  let mask = 0;
  for (let v = from; v <= to; v++) if (values[v]) mask |= 1 << (v - from);
  return mask;
}

interface DayOfMonth {
  days: number;
  lastOffsets: number;
  nearest: number;
  lastWeekday: boolean;
  star: boolean;
}

function parseDayOfMonth(text: string, ctx: FieldContext): DayOfMonth {
  const out: DayOfMonth = { days: 0, lastOffsets: 0, nearest: 0, lastWeekday: false, star: false };
  if (text === "*" || text === "?") {
    out.star = true;
    out.days = 0x7fffffff;
    return out;
  }
  const set = new Array<boolean>(32).fill(false);
  for (const item of splitList(text, ctx)) {
    const upper = item.toUpperCase();
    if (upper === "L") {
      out.lastOffsets |= 1;
    } else if (upper === "LW") {
      out.lastWeekday = true;
    } else if (upper.startsWith("L-")) {
      const n = toInteger(upper.slice(2));
      if (!(n >= 1 && n <= 30)) fail(ctx, "L-n with n from 1 to 30", item);
      out.lastOffsets |= 1 << n;
    } else if (upper.endsWith("W")) {
      const day = toInteger(upper.slice(0, -1));
      if (!(day >= 1 && day <= 31)) fail(ctx, "nW with n from 1 to 31 (the weekday nearest day n)", item);
      out.nearest |= 1 << (day - 1);
    } else if (/[#]/.test(item) || /^\d+L$/i.test(item)) {
      fail(ctx, `${ctx.spec.allowed}, L, L-n, nW or LW (# and nL belong in the day-of-week field)`, item);
    } else if (item === "?") {
      fail(ctx, `${ctx.spec.allowed} (? stands alone)`, item);
    } else {
      addItem(item, ctx, set);
    }
  }
  out.days = toMask(set, 1, 31);
  return out;
}

interface DayOfWeek {
  days: number;
  nth: number[];
  last: number;
  star: boolean;
}

function parseDayOfWeek(text: string, ctx: FieldContext): DayOfWeek {
  const out: DayOfWeek = { days: 0, nth: [0, 0, 0, 0, 0, 0, 0], last: 0, star: false };
  if (text === "*" || text === "?") {
    out.star = true;
    out.days = 0x7f;
    return out;
  }
  const set = new Array<boolean>(8).fill(false);
  for (const item of splitList(text, ctx)) {
    const hash = item.indexOf("#");
    if (hash >= 0) {
      const weekday = readValue(item.slice(0, hash), ctx) % 7;
      const nthText = item.slice(hash + 1);
      if (nthText.toUpperCase() === "L") {
        out.last |= 1 << weekday;
        continue;
      }
      const n = toInteger(nthText);
      if (!(n >= 1 && n <= 5)) fail(ctx, "w#n with n from 1 to 5 (the n-th weekday w of the month)", item);
      out.nth[weekday]! |= 1 << (n - 1);
    } else if (item.length > 1 && /l$/i.test(item) && !/[-/*]/.test(item)) {
      out.last |= 1 << (readValue(item.slice(0, -1), ctx) % 7);
    } else if (item.toUpperCase() === "L") {
      fail(ctx, `${ctx.spec.allowed}, nL (the last weekday n) or n#k; write 6 or SAT for Saturday`, item);
    } else if (/w$/i.test(item) && /^\d/.test(item)) {
      fail(ctx, `${ctx.spec.allowed}, nL or n#k (W belongs in the day-of-month field)`, item);
    } else if (item === "?") {
      fail(ctx, `${ctx.spec.allowed} (? stands alone)`, item);
    } else {
      addItem(item, ctx, set);
    }
  }
  out.days = toMask(set, 0, 6);
  return out;
}
