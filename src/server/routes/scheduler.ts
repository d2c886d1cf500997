/**
 * The scheduler as a whole: its status, pause and resume, the cluster of replicas and workers, and
 * the overview and upcoming runs that the dashboard's home page shows.
 */
import type { ServerContext } from "../context.js";
import type { ClusterSnapshot, RunningRunState } from "../cluster.js";
import { spanMs } from "../overview.js";
import { type RouteDefinition, defineRoute } from "../route.js";
import {
  ClusterSchema,
  OverviewQuerySchema,
  OverviewSchema,
  SchedulerStatusSchema,
  UpcomingListSchema,
  UpcomingQuerySchema,
  type Cluster,
  type Overview,
  type RunningRun,
  type SchedulerStatus,
  type UpcomingList,
} from "../schemas/scheduler.js";
import { toRun } from "../serialize.js";

const TAGS = ["scheduler"];

export function schedulerRoutes(ctx: ServerContext): RouteDefinition[] {
  const { scheduler, clock } = ctx;

  async function status(): Promise<SchedulerStatus> {
    const counts = await scheduler.countJobs();
    return {
      id: scheduler.id,
      state: scheduler.state,
      timezone: scheduler.options.timezone,
      now: new Date(clock.now()).toISOString(),
      store: { kind: scheduler.store.kind, shared: scheduler.store.shared },
      executor: { kind: scheduler.options.executor.kind },
      jobs: { total: Object.values(counts).reduce((a, b) => a + b, 0), byStatus: counts },
    };
  }

  const running = (run: RunningRunState, now: number): RunningRun => ({
    runId: run.runId,
    jobId: run.jobId,
    taskName: run.taskName,
    attempt: run.attempt,
    startedAt: run.startedAt.toISOString(),
    elapsedMs: Math.max(0, now - run.startedAt.getTime()),
    worker: run.worker,
  });

  function cluster(snapshot: ClusterSnapshot, now: number): Cluster {
    return {
      now: new Date(now).toISOString(),
      replicas: snapshot.replicas.map((r) => ({
        ...r,
        startedAt: r.startedAt?.toISOString() ?? null,
        lastHeartbeatAt: r.lastHeartbeatAt.toISOString(),
      })),
      workers: snapshot.workers.map((w) => ({
        ...w,
        lastHeartbeatAt: w.lastHeartbeatAt.toISOString(),
        running: w.running.map((r) => running(r, now)),
      })),
      queue: snapshot.queue,
    };
  }

  return [
    defineRoute({
      method: "GET",
      url: "/scheduler",
      operationId: "getScheduler",
      summary: "The scheduler's status",
      description: "State, timezone, store, job counts by status, and the server's clock.",
      tags: TAGS,
      access: "read",
      responses: { 200: { description: "The scheduler's status.", schema: SchedulerStatusSchema } },
      handler: status,
    }),
    defineRoute({
      method: "POST",
      url: "/scheduler/pause",
      operationId: "pauseScheduler",
      summary: "Pause the whole scheduler",
      description:
        "No job fires until it resumes; running tasks go on. Occurrences due meanwhile are late on resume (each job's catch-up policy applies). 409 unless it is running.",
      tags: TAGS,
      access: "write",
      responses: { 200: { description: "The scheduler's status, paused.", schema: SchedulerStatusSchema } },
      async handler() {
        scheduler.pause();
        return status();
      },
    }),
    defineRoute({
      method: "POST",
      url: "/scheduler/resume",
      operationId: "resumeScheduler",
      summary: "Resume the paused scheduler",
      description: "409 unless it is paused.",
      tags: TAGS,
      access: "write",
      responses: { 200: { description: "The scheduler's status, running.", schema: SchedulerStatusSchema } },
      async handler() {
        scheduler.resume();
        return status();
      },
    }),
    defineRoute({
      method: "GET",
      url: "/cluster",
      operationId: "getCluster",
      summary: "Scheduler replicas and workers",
      description:
        "Which replicas and workers are alive, their last heartbeat and concurrency, what each one runs with its elapsed time, and the queue depth.",
      tags: TAGS,
      access: "read",
      responses: { 200: { description: "The cluster now.", schema: ClusterSchema } },
      async handler(): Promise<Cluster> {
        const snapshot = await ctx.cluster.snapshot();
        return cluster(snapshot, clock.now());
      },
    }),
    defineRoute({
      method: "GET",
      url: "/upcoming",
      operationId: "listUpcomingRuns",
      summary: "The next occurrences of every job",
      description: "Earliest first, up to `within` ahead (paused jobs have none).",
      tags: TAGS,
      access: "read",
      query: UpcomingQuerySchema,
      responses: { 200: { description: "The upcoming occurrences.", schema: UpcomingListSchema } },
      handler({ query }): Promise<UpcomingList> {
        return ctx.overview.upcoming(spanMs(query.within ?? "24h"), query.limit ?? 100);
      },
    }),
    defineRoute({
      method: "GET",
      url: "/overview",
      operationId: "getOverview",
      summary: "Everything the dashboard's home page shows",
      description:
        "Job counts by status, runs of the last `window` by outcome, what runs now with elapsed time, the upcoming occurrences, recent failures, and the cluster. Counts are cached for a few seconds.",
      tags: TAGS,
      access: "read",
      query: OverviewQuerySchema,
      responses: { 200: { description: "The overview.", schema: OverviewSchema } },
      async handler({ query }): Promise<Overview> {
        const windowMs = spanMs(query.window ?? "24h");
        const [sched, runs, active, upcoming, failures, snapshot] = await Promise.all([
          status(),
          ctx.overview.runStats(windowMs),
          ctx.overview.running(100),
          ctx.overview.upcoming(windowMs, 50),
          ctx.overview.recentFailures(windowMs, 20),
          ctx.cluster.snapshot(),
        ]);
        const now = clock.now();
        return {
          now: new Date(now).toISOString(),
          scheduler: sched,
          runs,
          running: active.map((r) => running(r, now)),
          upcoming: upcoming.items,
          recentFailures: failures.map((r) => toRun(r, { stacks: false })),
          cluster: cluster(snapshot, now),
        };
      },
    }),
  ];
}
