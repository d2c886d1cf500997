/**
 * V8's young-generation collection (a scavenge), run on purpose while the scheduler waits for a
 * burst it planned ahead (see Scheduler#prepare).
 *
 * Why: the plans made ahead of a burst (a run record and its commit per job) are live, young
 * objects. Left alone, the burst's first allocations fill the young generation and the scavenge that
 * follows copies all of them, in the middle of the burst: 8-16 ms at 10,000 jobs, nearly every
 * second, which was most of the gap between the first and the last task to start (measured
 * 2026-11-27, bench/scheduler/runner.mjs with PER_SECOND=1). Collected in the lead time instead,
 * the same copying happens while nothing is due, and the burst starts with an empty young
 * generation.
 *
 * How: V8 exposes `gc` only to contexts created while its `--expose-gc` flag is set. The flag is
 * set, one new context is made to hand its `gc` over, and the flag is cleared again, so no other
 * context (the global one included) gets a `gc` (the way Jest's leak detector obtains it). Where
 * that is not possible (another engine, a locked-down runtime), there is nothing to call and the
 * scheduler works as before.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

type V8Gc = (options?: { type?: "major" | "minor"; execution?: "sync" | "async" }) => void;

let v8Gc: V8Gc | null | undefined;

/** V8's `gc`, obtained once; null where it cannot be. */
function obtain(): V8Gc | null {
  if (v8Gc !== undefined) return v8Gc;
  // Started with --expose-gc: the global one, and the flag stays as the user set it.
  const global: unknown = (globalThis as { gc?: unknown }).gc;
  if (typeof global === "function") return (v8Gc = global as V8Gc);
  try {
    setFlagsFromString("--expose-gc");
    try {
      const gc: unknown = runInNewContext("gc");
      v8Gc = typeof gc === "function" ? (gc as V8Gc) : null;
    } finally {
      setFlagsFromString("--no-expose-gc");
    }
  } catch {
    v8Gc = null;
  }
  return v8Gc;
}

/**
 * Collects V8's young generation, synchronously; does nothing where V8's `gc` cannot be had. The
 * first call obtains it: a scheduler that never meets a burst never touches V8's flags.
 */
export function collectYoungGeneration(): void {
  obtain()?.({ type: "minor" });
}
