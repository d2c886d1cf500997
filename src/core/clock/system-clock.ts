import type { Clock, Timer, TimerOptions } from "./clock.js";

/**
 * A precise timer wakes up to this long before its due time and polls the clock once per turn of
 * the event loop for the rest: `setTimeout` alone fires 1 to 2 ms late.
 */
const PRECISE_LEAD_MS = 2;
/**
 * ...but polls for at most this share of the wait: with due times close together (10,000 jobs
 * spread over a second), polling before each would keep a core busy for a millisecond gained.
 */
const MAX_POLL_SHARE = 1 / 50;

export interface SystemClockOptions {
  /**
   * Whether pending timers keep the Node.js process alive. A started scheduler normally should.
   * @default true
   */
  keepAlive?: boolean;
}

/** The real clock: `Date.now()` and `setTimeout`. */
export class SystemClock implements Clock {
  readonly #keepAlive: boolean;

  constructor(options: SystemClockOptions = {}) {
    this.#keepAlive = options.keepAlive ?? true;
  }

  now(): number {
    return Date.now();
  }

  setTimer(callback: () => void, delayMs: number, options?: TimerOptions): Timer {
    const delay = Math.max(0, delayMs);
    if (!options?.precise) {
      const handle = setTimeout(callback, delay);
      if (!this.#keepAlive) handle.unref();
      return { cancel: () => clearTimeout(handle) };
    }
    // Below 1 ms of lead (waits under 50 ms) there is no polling: an early wake sleeps again.
    const lead = Math.min(PRECISE_LEAD_MS, delay * MAX_POLL_SHARE);
    const dueAt = Date.now() + delay;
    let timeout: NodeJS.Timeout | undefined;
    let immediate: NodeJS.Immediate | undefined;
    const check = (): void => {
      timeout = undefined;
      immediate = undefined;
      const left = dueAt - Date.now();
      if (left <= 0) {
        callback();
      } else if (left > lead || lead < 1) {
        timeout = setTimeout(check, left - lead);
        if (!this.#keepAlive) timeout.unref();
      } else {
        immediate = setImmediate(check);
        if (!this.#keepAlive) immediate.unref();
      }
    };
    timeout = setTimeout(check, delay - lead);
    if (!this.#keepAlive) timeout.unref();
    return {
      cancel: () => {
        if (timeout) clearTimeout(timeout);
        if (immediate) clearImmediate(immediate);
        timeout = undefined;
        immediate = undefined;
      },
    };
  }
}

/** A shared system clock for callers that do not inject one. */
export const systemClock: Clock = new SystemClock();
