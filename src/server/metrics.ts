/**
 * Prometheus metrics, in a registry of their own (never prom-client's global one, so that two
 * servers in one process, or the user's own metrics, do not collide). Counters and histograms are
 * fed from the scheduler's events as they happen; gauges (jobs by status, queue depth, scheduler
 * state) are read from the scheduler when Prometheus scrapes.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { RunInfo } from "../core/jobs/info.js";
import type { Scheduler } from "../core/scheduler/scheduler.js";
import type { ClusterView } from "./cluster.js";
import { SCHEDULER_STATES } from "./schemas/scheduler.js";

export interface MetricsOptions {
  /** Where to register the metrics. @default a new Registry */
  registry?: Registry;
  /** Prefix of every metric name. @default "cronq_" */
  prefix?: string;
  /** Also collect prom-client's process metrics (CPU, memory, event loop lag). @default false */
  defaultMetrics?: boolean;
}

const LATENESS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const DURATION_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class ApiMetrics {
  readonly registry: Registry;
  readonly #offs: Array<() => void> = [];
  readonly #httpRequests: Counter<"method" | "route" | "status">;
  readonly #httpDuration: Histogram<"method" | "route">;

  constructor(scheduler: Scheduler, cluster: ClusterView, options: MetricsOptions = {}) {
    const registry = options.registry ?? new Registry();
    this.registry = registry;
    const p = options.prefix ?? "cronq_";
    const registers = [registry];
    if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: p });

    const fires = new Counter({
      name: `${p}fires_total`,
      help: "Occurrences recorded and handed to an executor, by origin (schedule, catch-up, manual).",
      labelNames: ["origin"] as const,
      registers,
    });
    const runs = new Counter({
      name: `${p}runs_total`,
      help: "Runs that reached a final outcome, by outcome (succeeded, failed, timed-out, skipped, missed, cancelled).",
      labelNames: ["outcome"] as const,
      registers,
    });
    const missed = new Counter({
      name: `${p}occurrences_missed_total`,
      help: "Occurrences not executed because they were too late, by reason (misfire, catch-up, catch-up-limit).",
      labelNames: ["reason"] as const,
      registers,
    });
    const skipped = new Counter({
      name: `${p}occurrences_skipped_total`,
      help: "Occurrences not executed because of the overlap policy, by reason (overlap, queue-full).",
      labelNames: ["reason"] as const,
      registers,
    });
    const retries = new Counter({
      name: `${p}run_retries_total`,
      help: "Attempts that failed and will be retried.",
      registers,
    });
    const lateness = new Histogram({
      name: `${p}fire_lateness_seconds`,
      help: "How late the scheduler fired scheduled occurrences, after their due time.",
      buckets: LATENESS_BUCKETS,
      registers,
    });
    const duration = new Histogram({
      name: `${p}run_duration_seconds`,
      help: "How long finished runs executed (first attempt start to end), by outcome.",
      labelNames: ["outcome"] as const,
      buckets: DURATION_BUCKETS,
      registers,
    });
    const leaseLosses = new Counter({
      name: `${p}lease_losses_total`,
      help: "Times this process lost a claim on a job or the lease on a run (another process took it over and its late write was refused).",
      registers,
    });
    const errors = new Counter({
      name: `${p}scheduler_errors_total`,
      help: "Problems the scheduler reported and worked around (store writes that failed, listeners that threw).",
      registers,
    });
    new Gauge({
      name: `${p}queue_depth`,
      help: "Runs recorded and waiting for an executor slot or a worker.",
      registers,
      async collect() {
        try {
          this.set((await cluster.snapshot()).queue.depth);
        } catch {
          // An unreachable store: no sample this scrape rather than a failed scrape.
          this.reset();
        }
      },
    });
    new Gauge({
      name: `${p}jobs`,
      help: "Jobs by status.",
      labelNames: ["status"] as const,
      registers,
      async collect() {
        try {
          const counts = await scheduler.countJobs();
          for (const [status, count] of Object.entries(counts)) this.set({ status }, count);
        } catch {
          this.reset();
        }
      },
    });
    new Gauge({
      name: `${p}scheduler_state`,
      help: "1 for the scheduler's current state, 0 for the others.",
      labelNames: ["state"] as const,
      registers,
      collect() {
        for (const state of SCHEDULER_STATES) this.set({ state }, scheduler.state === state ? 1 : 0);
      },
    });
    this.#httpRequests = new Counter({
      name: `${p}http_requests_total`,
      help: "API requests, by method, route pattern and status code.",
      labelNames: ["method", "route", "status"] as const,
      registers,
    });
    this.#httpDuration = new Histogram({
      name: `${p}http_request_duration_seconds`,
      help: "API response times, by method and route pattern.",
      labelNames: ["method", "route"] as const,
      buckets: HTTP_BUCKETS,
      registers,
    });

    const final = (run: RunInfo): void => {
      runs.inc({ outcome: run.status });
      if (run.durationMs !== null) duration.observe({ outcome: run.status }, run.durationMs / 1000);
    };
    const events = scheduler.events;
    this.#offs.push(
      events.on("run:fired", ({ run, lateMs }) => {
        fires.inc({ origin: run.origin });
        if (run.origin !== "manual") lateness.observe(lateMs / 1000);
      }),
      events.on("run:succeeded", ({ run }) => final(run)),
      events.on("run:failed", ({ run }) => final(run)),
      events.on("run:cancelled", ({ run }) => final(run)),
      events.on("run:retrying", () => retries.inc()),
      events.on("run:skipped", ({ run }) => {
        runs.inc({ outcome: "skipped" });
        skipped.inc({ reason: run.reason ?? "overlap" });
      }),
      events.on("run:missed", ({ run }) => {
        runs.inc({ outcome: "missed" });
        // A long downtime records many missed occurrences as one run: count the occurrences.
        missed.inc({ reason: run.reason ?? "misfire" }, run.coalesced?.count ?? 1);
      }),
      events.on("lease:lost", () => leaseLosses.inc()),
      events.on("error", () => errors.inc()),
    );
  }

  /** Records one answered request. `route` is the route pattern (`/jobs/:id`), never the raw URL. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.#httpRequests.inc({ method, route, status: String(status) });
    this.#httpDuration.observe({ method, route }, seconds);
  }

  /** Stops listening to the scheduler. */
  close(): void {
    for (const off of this.#offs.splice(0)) off();
  }
}
