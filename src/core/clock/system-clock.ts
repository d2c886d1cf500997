import type { Clock, Timer } from "./clock.js";

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

  setTimer(callback: () => void, delayMs: number): Timer {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    if (!this.#keepAlive) handle.unref();
    return { cancel: () => clearTimeout(handle) };
  }
}

/** A shared system clock for callers that do not inject one. */
export const systemClock: Clock = new SystemClock();
