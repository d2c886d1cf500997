/** The date trigger: one fire at one instant. */
import { BaseTrigger, type Bounds } from "./bounds.js";
import { describeBounds } from "./describe.js";
import { parseInstant, toIso } from "./instant.js";
import { formatInZone, getTimeZone } from "./timezone.js";
import type { DateInput, DateTriggerSpec } from "./trigger.js";

export interface DateTriggerOptions {
  /** Timezone for ISO text without an offset. @default "UTC" */
  timezone?: string;
}

export class DateTrigger extends BaseTrigger {
  readonly kind = "date" as const;
  readonly recurring = false;
  readonly atMs: number;

  /** Use {@link dateTrigger}; this constructor trusts its (already validated) arguments. */
  constructor(atMs: number, bounds: Bounds) {
    super(bounds);
    this.atMs = atMs;
    Object.freeze(this);
  }

  protected rawNextMs(afterMs: number): number {
    return afterMs < this.atMs ? this.atMs : NaN;
  }

  describe(): string {
    const utc = getTimeZone("UTC");
    return `once at ${formatInZone(this.atMs, utc)}` + describeBounds(this.startMs, this.endMs, utc);
  }

  toJSON(): DateTriggerSpec {
    return { kind: "date", version: 1, at: toIso(this.atMs), ...this.boundsJSON() };
  }
}

/** Fires once, at `at` (a Date, epoch ms, or ISO 8601 text; without an offset, in `timezone`). */
export function dateTrigger(at: DateInput, options: DateTriggerOptions = {}): DateTrigger {
  const zone = getTimeZone(options.timezone ?? "UTC");
  return new DateTrigger(parseInstant(at, "at", zone), { startMs: -Infinity, endMs: Infinity });
}
