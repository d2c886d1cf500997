/**
 * What every trigger kind shares: the `startAt`/`endAt` bounds, `next(Date)` on top of `nextMs`,
 * and input checks. A kind implements `rawNextMs` (its own rule, unbounded) and `toJSON`.
 */
import { InvalidArgumentError, InvalidTriggerError } from "../errors.js";
import { toIso } from "./instant.js";
import { MAX_SUPPORTED_MS, MIN_SUPPORTED_MS } from "./timezone.js";
import type { Trigger, TriggerKind, TriggerSpec } from "./trigger.js";

/** Bounds in epoch milliseconds; absent bounds are -Infinity / Infinity. */
export interface Bounds {
  readonly startMs: number;
  readonly endMs: number;
}

export const NO_BOUNDS: Bounds = { startMs: -Infinity, endMs: Infinity };

export function checkBounds(bounds: Bounds): Bounds {
  if (bounds.startMs > bounds.endMs) {
    throw new InvalidTriggerError(
      "endAt",
      `an instant at or after startAt (${toIso(bounds.startMs)})`,
      toIso(bounds.endMs),
    );
  }
  return bounds;
}

/** The bounds of `a` narrowed by `b`. */
export function intersectBounds(a: Bounds, b: Bounds): Bounds {
  return { startMs: Math.max(a.startMs, b.startMs), endMs: Math.min(a.endMs, b.endMs) };
}

export abstract class BaseTrigger implements Trigger {
  abstract readonly kind: TriggerKind;
  abstract readonly recurring: boolean;
  /** No fire before this instant (inclusive). */
  readonly startMs: number;
  /** No fire after this instant (inclusive). */
  readonly endMs: number;

  protected constructor(bounds: Bounds) {
    checkBounds(bounds);
    this.startMs = bounds.startMs;
    this.endMs = bounds.endMs;
  }

  /**
   * The kind's own next fire time strictly after `afterMs`, ignoring the bounds, or NaN when there
   * is none. Called with any finite number.
   */
  protected abstract rawNextMs(afterMs: number): number;

  abstract describe(): string;
  abstract toJSON(): TriggerSpec;

  nextMs(afterMs: number): number | null {
    if (afterMs !== afterMs) {
      throw new InvalidArgumentError("after", "a number of epoch milliseconds", afterMs);
    }
    // Fire times are whole milliseconds, so searching after `startMs - 1` allows a fire at `startMs`.
    let from = afterMs < this.startMs ? this.startMs - 1 : afterMs;
    // Triggers fire within 1900-9999 (see timezone.ts); -Infinity means "from the beginning".
    if (from < MIN_SUPPORTED_MS - 1) from = MIN_SUPPORTED_MS - 1;
    const at = this.rawNextMs(from);
    return at <= this.endMs && at < MAX_SUPPORTED_MS ? at : null;
  }

  next(after: Date): Date | null {
    if (!(after instanceof Date) || Number.isNaN(after.getTime())) {
      throw new InvalidArgumentError("after", "a valid Date", after);
    }
    const at = this.nextMs(after.getTime());
    return at === null ? null : new Date(at);
  }

  /** The bounds as spec fields. */
  protected boundsJSON(): { startAt?: string; endAt?: string } {
    const out: { startAt?: string; endAt?: string } = {};
    if (this.startMs !== -Infinity) out.startAt = toIso(this.startMs);
    if (this.endMs !== Infinity) out.endAt = toIso(this.endMs);
    return out;
  }
}
