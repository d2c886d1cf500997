/**
 * A clock that only moves when a test moves it. Timers fire in due order, each at its own due time,
 * and after each one the promises it started are given a chance to settle, so that a test can
 * `await clock.advance(1000)` and then assert on what the scheduler recorded.
 */
import { InvalidArgumentError } from "../errors.js";
import { parseDuration } from "../duration.js";
import type { Clock, Timer } from "./clock.js";

interface PendingTimer {
  readonly id: number;
  readonly dueMs: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/** How many macrotask turns to yield after each timer so that promise chains and I/O callbacks run. */
const SETTLE_TURNS = 5;

export class FakeClock implements Clock {
  #nowMs: number;
  #nextId = 1;
  #timers: PendingTimer[] = [];

  /** @param start the initial time: a Date, an ISO 8601 string or epoch milliseconds. @default 0 */
  constructor(start: Date | string | number = 0) {
    this.#nowMs = toMs(start, "start");
  }

  now(): number {
    return this.#nowMs;
  }

  setTimer(callback: () => void, delayMs: number): Timer {
    const timer: PendingTimer = {
      id: this.#nextId++,
      dueMs: this.#nowMs + Math.max(0, Number.isFinite(delayMs) ? delayMs : 0),
      callback,
      cancelled: false,
    };
    this.#timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Timers that are still pending. */
  get pendingTimers(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  /** The current time as a Date. */
  get date(): Date {
    return new Date(this.#nowMs);
  }

  /**
   * Moves time forward, firing due timers in order at their own due times. A number is
   * milliseconds; a string is a duration such as `"1h30m"`.
   */
  async advance(by: number | string): Promise<void> {
    const ms = typeof by === "number" ? by : parseDuration(by, { field: "by" });
    if (!Number.isFinite(ms) || ms < 0) {
      throw new InvalidArgumentError("by", "a non-negative number of milliseconds or a duration", by);
    }
    await this.advanceTo(this.#nowMs + ms);
  }

  /** Moves time forward to `time`, firing due timers in order at their own due times. */
  async advanceTo(time: Date | string | number): Promise<void> {
    const target = toMs(time, "time");
    if (target < this.#nowMs) {
      throw new InvalidArgumentError(
        "time",
        `an instant not before the clock's time ${this.date.toISOString()}`,
        time,
      );
    }
    await this.#runUntil(target, false);
  }

  /**
   * Sets the clock to `time` at once, forward or backward, as a wall-clock jump or a suspended
   * laptop does: timers due by then fire late, all at the new time, in due order.
   */
  async jumpTo(time: Date | string | number): Promise<void> {
    this.#nowMs = toMs(time, "time");
    await this.#runUntil(this.#nowMs, true);
  }

  /**
   * Fires every timer due by `target` (including ones that the fired callbacks set), letting
   * promises settle after each, until nothing is due and the clock reads `target`. With `late`,
   * timers fire at the current time instead of their own due time.
   */
  async #runUntil(target: number, late: boolean): Promise<void> {
    for (;;) {
      await settle();
      const next = this.#nextDue(target);
      if (next) {
        if (!late) this.#nowMs = Math.max(this.#nowMs, next.dueMs);
        this.#fire(next);
        continue;
      }
      if (this.#nowMs === target) return;
      this.#nowMs = target;
    }
  }

  /** Lets pending promise chains settle without moving time. */
  async flush(): Promise<void> {
    await this.advanceTo(this.#nowMs);
  }

  #nextDue(limit: number): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const t of this.#timers) {
      if (t.cancelled || t.dueMs > limit) continue;
      if (!best || t.dueMs < best.dueMs || (t.dueMs === best.dueMs && t.id < best.id)) best = t;
    }
    return best;
  }

  #fire(timer: PendingTimer): void {
    timer.cancelled = true;
    this.#timers = this.#timers.filter((t) => !t.cancelled);
    timer.callback();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < SETTLE_TURNS; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

function toMs(value: Date | string | number, field: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === "string" ? Date.parse(value) : value;
  if (typeof ms !== "number" || !Number.isFinite(ms)) {
    throw new InvalidArgumentError(field, "a Date, an ISO 8601 string or epoch milliseconds", value);
  }
  return ms;
}
