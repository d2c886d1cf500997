/**
 * The Clock port. Core code never calls `Date.now()` or `setTimeout` directly: it asks the clock, so
 * that tests drive time with {@link FakeClock} and production uses {@link SystemClock}.
 */

/** A pending one-shot timer. Cancelling twice, or after it fired, is harmless. */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** The current time in milliseconds since the Unix epoch. */
  now(): number;
  /**
   * Calls `callback` once, `delayMs` from now (a negative delay counts as 0). Callers sleep in chunks
   * of at most {@link MAX_SLEEP_CHUNK_MS} and re-check {@link Clock.now}, so that a laptop suspend or
   * a wall-clock jump is noticed within one chunk and a delay never overflows the platform timer.
   */
  setTimer(callback: () => void, delayMs: number, options?: TimerOptions): Timer;
}

export interface TimerOptions {
  /**
   * Fire as close to the due time as the platform allows, at the cost of a little CPU just before
   * it (the scheduler's wake-up for due jobs asks for this; timeouts and renewals do not). A clock
   * may ignore it. @default false
   */
  precise?: boolean;
}

/**
 * The longest single wait: after it, whoever waits re-reads the clock. Node's `setTimeout` overflows
 * past 2^31-1 ms, and a monotonic timer does not notice that the wall clock jumped.
 */
export const MAX_SLEEP_CHUNK_MS = 30_000;

/**
 * Resolves once `clock.now() >= untilMs`, waking at least every {@link MAX_SLEEP_CHUNK_MS} to re-check.
 * Rejects with the signal's reason if `signal` aborts first.
 */
export function sleepUntil(clock: Clock, untilMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let timer: Timer | undefined;
    const onAbort = (): void => {
      timer?.cancel();
      reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
    };
    if (signal?.aborted) {
      onAbort();
      return;
    }
    const check = (): void => {
      const remaining = untilMs - clock.now();
      if (remaining <= 0) {
        signal?.removeEventListener("abort", onAbort);
        resolve();
        return;
      }
      timer = clock.setTimer(check, Math.min(remaining, MAX_SLEEP_CHUNK_MS));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    check();
  });
}

/**
 * Lets pending I/O callbacks (HTTP requests, store replies) run before going on: not a wait for
 * time, so it does not go through the clock. The firing loop calls it between batches, so that a
 * burst of thousands of due jobs does not hold the event loop for the whole burst.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** {@link sleepUntil} for a relative delay in milliseconds. */
export function sleep(clock: Clock, delayMs: number, signal?: AbortSignal): Promise<void> {
  return sleepUntil(clock, clock.now() + Math.max(0, delayMs), signal);
}
