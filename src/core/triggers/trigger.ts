/**
 * The Trigger port: when does a job fire next?
 *
 * A trigger is a pure, immutable value. `next(after)` returns the first fire time strictly after
 * `after` (never `after` itself), or null when the trigger will never fire again; successive calls
 * with the returned value are strictly increasing. `toJSON()` gives a {@link TriggerSpec}
 * (`{ kind, version: 1, ... }`) from which `triggerFromSpec` rebuilds an equal trigger, so that
 * stores, the API and other processes can carry triggers as data.
 */
import type { Duration } from "../duration.js";

export type TriggerKind = "interval" | "cron" | "date" | "calendar" | "union" | "intersection";

/** What a trigger serialises to. Every kind adds its own fields; `version` allows later migrations. */
export interface TriggerSpecBase {
  kind: TriggerKind;
  version: 1;
  /** Optional bounds on any trigger: no fire before `startAt` or after `endAt` (ISO 8601). */
  startAt?: string;
  endAt?: string;
}

/** `{ kind: "cron", expression: "0 9 * * MON-FRI", timezone: "Europe/Berlin" }` */
export interface CronTriggerSpec extends TriggerSpecBase {
  kind: "cron";
  /** 5 fields, 6 with seconds first, or a macro such as "@daily". */
  expression: string;
  /** IANA timezone or fixed offset ("+05:30"). @default "UTC" */
  timezone?: string;
  /** Only the choices the user made; the defaults depend on the expression (see {@link DstPolicy}). */
  dst?: DstPolicy;
  /** See {@link TriggerOptions.cronDayMatch}. @default "or" */
  dayMatch?: "or" | "and";
}

/** Every `everyMs` of elapsed time: at `anchorAt + k * everyMs` for every integer k, within the bounds. */
export interface IntervalTriggerSpec extends TriggerSpecBase {
  kind: "interval";
  everyMs: number;
  /** ISO 8601 instant that the fire times are aligned to. */
  anchorAt: string;
}

/** One fire at `at` (ISO 8601 instant). */
export interface DateTriggerSpec extends TriggerSpecBase {
  kind: "date";
  at: string;
}

/** Every N days/weeks/months/years at a wall-clock time, counted from the period of `anchorAt`. */
export interface CalendarTriggerSpec extends TriggerSpecBase {
  kind: "calendar";
  every: number;
  unit: "day" | "week" | "month" | "year";
  /** "HH:MM:SS". */
  time: string;
  /** For `month` and `year`: 1-31, clamped to the month's last day. */
  dayOfMonth?: number;
  /** For `year`: 1-12. */
  month?: number;
  /** For `week`: ISO weekdays, 1 (Monday) to 7 (Sunday), ascending. */
  weekdays?: number[];
  timezone?: string;
  /** ISO 8601 instant whose local date is period 0 (the first day/week/month/year). */
  anchorAt: string;
  dst?: DstPolicy;
}

/** Fires whenever any of its triggers fires, once per instant. */
export interface UnionTriggerSpec extends TriggerSpecBase {
  kind: "union";
  triggers: TriggerSpec[];
}

/** Fires at the instants where all of its triggers fire. */
export interface IntersectionTriggerSpec extends TriggerSpecBase {
  kind: "intersection";
  triggers: TriggerSpec[];
}

/** The JSON form of every trigger kind, as `toJSON()` returns it and `triggerFromSpec` reads it. */
export type TriggerSpec =
  | CronTriggerSpec
  | IntervalTriggerSpec
  | DateTriggerSpec
  | CalendarTriggerSpec
  | UnionTriggerSpec
  | IntersectionTriggerSpec;

export interface Trigger {
  readonly kind: TriggerKind;
  /** Whether the trigger can fire more than once (interval, cron, calendar) or once (date). */
  readonly recurring: boolean;
  /** The first fire time strictly after `after`, or null when there is none. */
  next(after: Date): Date | null;
  /** {@link next} on epoch milliseconds: the scheduler's hot path, allocation-free. */
  nextMs(afterMs: number): number | null;
  /** The trigger in plain English: "every 5 minutes", "at 09:00, Monday through Friday, Europe/Berlin". */
  describe(): string;
  toJSON(): TriggerSpec;
}

/**
 * How a fixed-time cron or calendar trigger treats DST transitions. Without it, cronq follows
 * classic cron (see the README): a fixed time of day that does not exist fires once at the first
 * instant after the gap; a repeated time fires once, on the first pass; jobs with a wildcard or step
 * in the minute or hour field fire at every real instant whose local time matches.
 */
export interface DstPolicy {
  /**
   * A local time that does not exist (spring forward):
   * - `'shift'`: fire once, at the first instant after the gap (classic cron);
   * - `'skip'`: do not fire that day.
   */
  gap?: "shift" | "skip";
  /**
   * A local time that happens twice (fall back):
   * - `'first'`: fire on the first pass only (classic cron);
   * - `'second'`: fire on the second pass only;
   * - `'both'`: fire on both passes.
   */
  fold?: "first" | "second" | "both";
}

/** A date as users write it: a Date, an ISO 8601 string, or epoch milliseconds. */
export type DateInput = Date | string | number;

/** Every N days, weeks, months or years at a wall-clock time in a timezone. */
export interface CalendarOptions {
  /** How many units between fires. @default 1 */
  every?: number;
  unit: "day" | "week" | "month" | "year";
  /** Wall-clock time of day, "HH:MM" or "HH:MM:SS". @default "00:00" */
  time?: string;
  /**
   * For `month` and `year`: the day of the month; months without it use their last day ("every 1
   * month on day 31" fires on Feb 28 or 29, Apr 30, ...). @default the start date's day
   */
  dayOfMonth?: number;
  /** For `year`: the month, 1-12. @default the start date's month */
  month?: number;
  /** For `week`: ISO weekdays to fire on, 1 (Monday) to 7 (Sunday). @default the start date's weekday */
  weekdays?: number[];
}

/**
 * The trigger part of the options a user writes in `addJob`. Exactly one of `interval`, `cron`,
 * `at`, `calendar` or `trigger`, or only `startIn`/`startAt` for a single run after a delay.
 */
export interface TriggerOptions {
  /** Fire every fixed span of elapsed time: a number of seconds or a duration such as "1h30m". */
  interval?: Duration;
  /** A cron expression: 5 fields, or 6 with seconds first, or a macro such as "@daily". */
  cron?: string;
  /** Fire once at this instant. ISO text without an offset is read in `timezone`. */
  at?: DateInput;
  /** Fire every N days/weeks/months/years at a wall-clock time. */
  calendar?: CalendarOptions;
  /** A prebuilt trigger (for unions, intersections) or its JSON spec. */
  trigger?: Trigger | TriggerSpecBase;
  /**
   * A delay from now. Alone: the time of the single run. With `interval`: the first fire (without
   * it, the first fire is now + interval). With `calendar`: where periods are counted from. With
   * `cron` or `trigger`: no fire before it.
   */
  startIn?: Duration;
  /** An instant, meaning what `startIn` means. Give at most one of the two. */
  startAt?: DateInput;
  /** No fire after this instant (a fire exactly at it happens). */
  endAt?: DateInput;
  /**
   * IANA timezone or fixed offset ("+05:30") in which cron and calendar triggers read wall-clock
   * times, and in which ISO text without an offset (`at`, `startAt`, `endAt`) is read.
   * @default the scheduler's timezone
   */
  timezone?: string;
  /** DST handling for cron and calendar triggers. @default classic cron, see {@link DstPolicy} */
  dst?: DstPolicy;
  /**
   * When a cron expression restricts both day of month and day of week: `'or'` fires on days
   * matching either (standard cron), `'and'` only on days matching both. @default "or"
   */
  cronDayMatch?: "or" | "and";
}

/** Resolution context for {@link TriggerOptions}: relative times are counted from `now`. */
export interface TriggerContext {
  /** Epoch milliseconds that `startIn` and the default interval anchor count from. */
  now: number;
  /** The timezone used when the options give none. */
  timezone: string;
}
