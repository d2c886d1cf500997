/**
 * What the dashboard's home page shows, computed from the scheduler's public API only, so that it
 * works the same on every store: run counts by outcome over a window, the upcoming occurrences
 * across all jobs, and what runs now.
 *
 * The Store port has no aggregate queries, so both scans are bounded (and say when they stopped
 * early) and their results are cached for a few seconds: a dashboard refreshing on every event
 * must not turn into a full scan per event.
 */
import type { Clock } from "../core/clock/clock.js";
import type { RunInfo } from "../core/jobs/info.js";
import type { RunStatus } from "../core/jobs/job.js";
import type { Scheduler } from "../core/scheduler/scheduler.js";
import { MinHeap } from "../core/stores/heap.js";
import { triggerFromSpec } from "../core/triggers/index.js";
import type { Trigger } from "../core/triggers/trigger.js";
import type { RunningRunState } from "./cluster.js";
import type { RunStats, UpcomingList, UpcomingRun } from "./schemas/scheduler.js";

/** Runs counted per window at most (10 pages of the largest size). */
export const MAX_RUNS_COUNTED = 10_000;
/** Jobs looked at for upcoming runs at most. */
export const MAX_JOBS_SCANNED = 10_000;
const PAGE = 1000;
const CACHE_MS = 5_000;

/** `"24h"` -> 86400000. The schemas allow 1 to 9999 of m, h or d; this caps it at 7 days. */
export function spanMs(text: string): number {
  const n = Number(text.slice(0, -1));
  const unit = text.at(-1) === "m" ? 60_000 : text.at(-1) === "h" ? 3_600_000 : 86_400_000;
  return Math.min(n * unit, 7 * 86_400_000);
}

export class Overview {
  readonly #scheduler: Scheduler;
  readonly #clock: Clock;
  readonly #statsCache = new Map<number, { at: number; value: RunStats }>();
  readonly #upcomingCache = new Map<string, { at: number; value: UpcomingList }>();
  /** Triggers rebuilt from job specs, by job id and version. */
  #triggers = new Map<string, Trigger>();

  constructor(scheduler: Scheduler) {
    this.#scheduler = scheduler;
    this.#clock = scheduler.options.clock;
  }

  /** Runs scheduled in the last `windowMs`, by status; counts at most {@link MAX_RUNS_COUNTED}. */
  async runStats(windowMs: number): Promise<RunStats> {
    const now = this.#clock.now();
    const cached = this.#statsCache.get(windowMs);
    if (cached && now - cached.at < CACHE_MS) return cached.value;
    const from = now - windowMs;
    const byStatus: Partial<Record<RunStatus, number>> = {};
    let total = 0;
    let cursor: string | null = null;
    do {
      const page = await this.#scheduler.listRuns({
        from: new Date(from),
        to: new Date(now + 1),
        limit: PAGE,
        ...(cursor === null ? {} : { cursor }),
      });
      for (const run of page.items) byStatus[run.status] = (byStatus[run.status] ?? 0) + 1;
      total += page.items.length;
      cursor = page.nextCursor;
    } while (cursor !== null && total < MAX_RUNS_COUNTED);
    const value: RunStats = {
      from: new Date(from).toISOString(),
      to: new Date(now).toISOString(),
      total,
      byStatus,
      truncated: cursor !== null,
    };
    this.#statsCache.set(windowMs, { at: now, value });
    return value;
  }

  /** The next occurrences of every job up to `windowMs` ahead, earliest first, at most `limit`. */
  async upcoming(windowMs: number, limit: number): Promise<UpcomingList> {
    const now = this.#clock.now();
    const key = `${windowMs}:${limit}`;
    const cached = this.#upcomingCache.get(key);
    if (cached && now - cached.at < CACHE_MS) return withNow(cached.value, now);
    const until = now + windowMs;
    const heap = new MinHeap();
    const jobs: Array<{
      id: string;
      taskName: string;
      trigger: Trigger | null;
      spec: unknown;
      version: number;
    }> = [];
    let scanned = 0;
    let cursor: string | null = null;
    do {
      const page = await this.#scheduler.listJobs({ limit: PAGE, ...(cursor === null ? {} : { cursor }) });
      for (const job of page.items) {
        const next = job.nextRunAt?.getTime();
        if (next === undefined || next > until) continue;
        jobs.push({
          id: job.id,
          taskName: job.taskName,
          trigger: null,
          spec: job.trigger,
          version: job.version,
        });
        // Jobs come ordered by id, and `seq` breaks ties: occurrences at the same instant list by job id.
        heap.push({ at: next, key: String(jobs.length - 1), seq: jobs.length - 1 });
      }
      scanned += page.items.length;
      cursor = page.nextCursor;
    } while (cursor !== null && scanned < MAX_JOBS_SCANNED);

    const items: UpcomingRun[] = [];
    const used = new Map<string, Trigger>();
    while (items.length < limit && heap.size > 0) {
      const top = heap.pop()!;
      const job = jobs[Number(top.key)]!;
      items.push({
        jobId: job.id,
        taskName: job.taskName,
        scheduledAt: new Date(top.at).toISOString(),
        inMs: top.at - now,
      });
      job.trigger ??= this.#trigger(job.id, job.version, job.spec);
      if (job.trigger === null) continue;
      used.set(`${job.id}\0${job.version}`, job.trigger);
      const after = job.trigger.nextMs(top.at);
      if (after !== null && after <= until) heap.push({ at: after, key: top.key, seq: top.seq });
    }
    // Keep only the triggers this scan needed: the cache never outgrows the jobs that fire soon.
    this.#triggers = used;
    const value: UpcomingList = {
      now: new Date(now).toISOString(),
      until: new Date(until).toISOString(),
      items,
      truncated: cursor !== null,
    };
    this.#upcomingCache.set(key, { at: now, value });
    if (this.#upcomingCache.size > 20) this.#upcomingCache.clear();
    return value;
  }

  /** Runs executing now, longest-running first (at most `limit`). */
  async running(limit: number): Promise<RunningRunState[]> {
    const page = await this.#scheduler.listRuns({ status: ["running"], limit: 1000 });
    return page.items
      .map(runningState)
      .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime())
      .slice(0, limit);
  }

  /** The latest failed or timed-out runs scheduled in the last `windowMs`. */
  async recentFailures(windowMs: number, limit: number): Promise<RunInfo[]> {
    const now = this.#clock.now();
    const page = await this.#scheduler.listRuns({
      status: ["failed", "timed-out"],
      from: new Date(now - windowMs),
      limit,
    });
    return page.items;
  }

  #trigger(id: string, version: number, spec: unknown): Trigger | null {
    const cached = this.#triggers.get(`${id}\0${version}`);
    if (cached) return cached;
    try {
      return triggerFromSpec(spec);
    } catch {
      // A stored spec this version cannot read: the job shows its next run only.
      return null;
    }
  }
}

export function runningState(run: RunInfo): RunningRunState {
  const current = run.attempts[run.attempts.length - 1];
  return {
    runId: run.id,
    jobId: run.jobId,
    taskName: run.taskName,
    attempt: current?.attempt ?? Math.max(1, run.attempts.length),
    startedAt: current?.startedAt ?? run.startedAt ?? run.firedAt,
    worker: run.worker,
  };
}

function withNow(list: UpcomingList, now: number): UpcomingList {
  return {
    ...list,
    now: new Date(now).toISOString(),
    items: list.items
      .filter((i) => Date.parse(i.scheduledAt) >= now)
      .map((i) => ({ ...i, inMs: Date.parse(i.scheduledAt) - now })),
  };
}
