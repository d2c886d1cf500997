import { FakeClock } from "../../../src/core/clock/fake-clock.js";
import type { RunStatus } from "../../../src/core/jobs/job.js";
import { Scheduler } from "../../../src/core/scheduler/scheduler.js";
import type { SchedulerOptions } from "../../../src/core/scheduler/options.js";
import { MemoryStore } from "../../../src/core/stores/memory.js";

export const T0 = Date.parse("2026-03-02T00:00:00.000Z");

export interface Harness {
  clock: FakeClock;
  store: MemoryStore;
  scheduler: Scheduler;
}

/** A scheduler on a fake clock at T0, UTC, with a memory store the test can inspect. */
export function harness(options: SchedulerOptions = {}, start = T0): Harness {
  const clock = new FakeClock(start);
  const store = (options.store as MemoryStore | undefined) ?? new MemoryStore();
  const scheduler = new Scheduler({ timezone: "UTC", ...options, clock, store });
  return { clock, store, scheduler };
}

/** A promise the test resolves or rejects by hand: a task that runs as long as the test wants. */
export function deferred<T = void>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** `"HH:MM:SS status"` for every run of a job, oldest first: compact to assert on. */
export async function history(scheduler: Scheduler, jobId: string): Promise<string[]> {
  const page = await scheduler.listRuns({ jobId, limit: 1000 });
  return page.items
    .slice()
    .reverse()
    .map((r) => `${r.scheduledAt.toISOString().slice(11, 19)} ${r.status}${r.reason ? `/${r.reason}` : ""}`);
}

export async function statuses(scheduler: Scheduler, jobId: string): Promise<RunStatus[]> {
  const page = await scheduler.listRuns({ jobId, limit: 1000 });
  return page.items.map((r) => r.status).reverse();
}
