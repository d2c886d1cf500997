/**
 * The interval trigger: every fixed span of elapsed time, aligned to an anchor instant.
 *
 * It fires at `anchorAt + k * every` for every integer k, within its bounds; `intervalTrigger`
 * sets `startAt` to the anchor, so the first fire is the anchor itself. Elapsed time is not
 * wall-clock time: across a DST change an hourly interval stays 60 minutes apart while the local
 * clock jumps (use a calendar or cron trigger to keep a wall-clock time).
 */
import { type Duration, parseDuration } from "../duration.js";
import { InvalidArgumentError, InvalidTriggerError } from "../errors.js";
import { BaseTrigger, type Bounds } from "./bounds.js";
import { describeBounds, describeEvery } from "./describe.js";
import { parseInstant, toIso } from "./instant.js";
import { getTimeZone } from "./timezone.js";
import type { DateInput, IntervalTriggerSpec } from "./trigger.js";

/** The shortest interval cronq accepts: 1 ms. */
export const MIN_INTERVAL_MS = 1;

export interface IntervalTriggerOptions {
  /** The first fire, and the anchor of all the others. */
  startAt: DateInput;
  /** Align fires to this instant instead of `startAt` (fires before `startAt` are still dropped). */
  anchorAt?: DateInput;
  /** No fire after this instant. */
  endAt?: DateInput;
  /** Timezone for ISO text without an offset in the dates above. @default "UTC" */
  timezone?: string;
}

export class IntervalTrigger extends BaseTrigger {
  readonly kind = "interval" as const;
  readonly recurring = true;
  readonly everyMs: number;
  readonly anchorMs: number;

  /** Use {@link intervalTrigger}; this constructor trusts its (already validated) arguments. */
  constructor(everyMs: number, anchorMs: number, bounds: Bounds) {
    super(bounds);
    this.everyMs = everyMs;
    this.anchorMs = anchorMs;
    Object.freeze(this);
  }

  protected rawNextMs(afterMs: number): number {
    const k = Math.floor((afterMs - this.anchorMs) / this.everyMs) + 1;
    return this.anchorMs + k * this.everyMs;
  }

  describe(): string {
    return describeEvery(this.everyMs) + describeBounds(-Infinity, this.endMs, getTimeZone("UTC"));
  }

  toJSON(): IntervalTriggerSpec {
    return {
      kind: "interval",
      version: 1,
      everyMs: this.everyMs,
      anchorAt: toIso(this.anchorMs),
      ...this.boundsJSON(),
    };
  }
}

/**
 * Fires at `startAt`, then every `every` (seconds, or a duration such as "1h30m"), until `endAt`.
 */
export function intervalTrigger(every: Duration, options: IntervalTriggerOptions): IntervalTrigger {
  const zone = getTimeZone(options.timezone ?? "UTC");
  const everyMs = parseIntervalMs(every, "interval");
  if ((options as Partial<IntervalTriggerOptions>).startAt === undefined) {
    throw new InvalidTriggerError("startAt", "the instant of the first fire", undefined);
  }
  const startMs = parseInstant(options.startAt, "startAt", zone);
  const anchorMs =
    options.anchorAt === undefined ? startMs : parseInstant(options.anchorAt, "anchorAt", zone);
  const endMs = options.endAt === undefined ? Infinity : parseInstant(options.endAt, "endAt", zone);
  return new IntervalTrigger(everyMs, anchorMs, { startMs, endMs });
}

/** Parses an interval: a positive {@link Duration}. */
export function parseIntervalMs(value: unknown, field: string): number {
  try {
    return parseDuration(value, { field, minMs: MIN_INTERVAL_MS, allowZero: false });
  } catch (error) {
    // parseDuration throws InvalidArgumentError; triggers report InvalidTriggerError (its subclass).
    if (error instanceof InvalidArgumentError) {
      throw new InvalidTriggerError(field, error.expected, value, { cause: error });
    }
    throw error;
  }
}
