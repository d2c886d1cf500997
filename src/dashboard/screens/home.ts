/**
 * Home: `GET /overview` in cards: jobs by status, runs of the last 24 hours by outcome, what runs
 * now, what comes next, failures to look at, and the replicas and workers alive. Reloaded on
 * every event (at most once a second); countdowns and elapsed times tick in between.
 */
import { h, link } from "../dom.js";
import { errorLine, formatCount, formatDateTime, formatRelative, plural, truncate } from "../format.js";
import { jobHref, jobsHref, runHref } from "../routes.js";
import { JOB_STATUSES, RUN_STATUSES, type Overview, type UpcomingRun } from "../types.js";
import {
  type Ctx,
  type Screen,
  Scope,
  Slot,
  badge,
  countdown,
  elapsed,
  muted,
  reloader,
  section,
  table,
  time,
} from "../ui.js";

const UPCOMING_SHOWN = 20;

export function homeScreen(ctx: Ctx): Screen {
  const scope = new Scope();
  const slot = new Slot("home");
  const el = h("div", null, h("h1", { tabindex: -1 }, "Overview"), slot.el);

  const load = async (): Promise<void> => {
    try {
      const overview = await ctx.api.overview();
      ctx.clock.sync(overview.now);
      slot.set(render(ctx, overview));
    } catch (error) {
      slot.fail(error);
    }
  };
  const reload = reloader(scope, load, 1000);
  reload();
  scope.live(ctx.live, () => reload());
  // Heartbeats and the 24-hour window move without events.
  scope.interval(reload, 15_000);
  return { title: "Overview", el, scope };
}

function render(ctx: Ctx, o: Overview): HTMLElement {
  const byStatus = o.scheduler.jobs.byStatus;
  const jobs = section(
    "Jobs",
    h(
      "p",
      { class: "big-number" },
      formatCount(o.scheduler.jobs.total),
      " ",
      muted(o.scheduler.jobs.total === 1 ? "job" : "jobs"),
    ),
    h(
      "ul",
      { class: "counts" },
      JOB_STATUSES.filter((s) => s !== "missing-task" || (byStatus[s] ?? 0) > 0).map((status) =>
        h(
          "li",
          null,
          link(
            jobsHref({ status }),
            badge(status),
            " ",
            h("span", { class: "count" }, formatCount(byStatus[status] ?? 0)),
          ),
        ),
      ),
    ),
    h(
      "p",
      { class: "muted small" },
      `Scheduler ${o.scheduler.state}, timezone ${o.scheduler.timezone}, ${o.scheduler.store.kind} store.`,
    ),
  );

  const outcomes = RUN_STATUSES.filter((s) => (o.runs.byStatus[s] ?? 0) > 0);
  const runs = section(
    "Runs in the last 24 hours",
    h(
      "p",
      { class: "big-number" },
      formatCount(o.runs.total),
      " ",
      muted(o.runs.total === 1 ? "run" : "runs"),
    ),
    outcomes.length === 0
      ? muted("No runs yet.")
      : h(
          "ul",
          { class: "counts" },
          outcomes.map((status) =>
            h(
              "li",
              null,
              badge(status),
              " ",
              h("span", { class: "count" }, formatCount(o.runs.byStatus[status] ?? 0)),
            ),
          ),
        ),
    o.runs.truncated ? h("p", { class: "muted small" }, "Counted up to 10,000 runs.") : null,
  );

  const running = section(
    "Running now",
    table({
      caption: "Runs executing now",
      rows: o.running,
      empty: "Nothing is running.",
      columns: [
        { label: "Job", cell: (r) => link(jobHref(r.jobId), r.jobId) },
        { label: "Task", cell: (r) => r.taskName },
        { label: "Attempt", cell: (r) => String(r.attempt), class: "num" },
        { label: "Running for", cell: (r) => link(runHref(r.runId), elapsed(r.startedAt, ctx.clock)) },
        { label: "Worker", cell: (r) => r.worker ?? "—" },
      ],
    }),
  );

  const upcoming = section(
    "Next 24 hours",
    table({
      caption: "Upcoming runs, one line per job",
      rows: byJob(o.upcoming).slice(0, UPCOMING_SHOWN),
      empty: "Nothing is scheduled in the next 24 hours.",
      columns: [
        { label: "Job", cell: (u) => link(jobHref(u.jobId), u.jobId) },
        { label: "Task", cell: (u) => u.taskName },
        { label: "Next run", cell: (u) => time(u.scheduledAt) },
        { label: "In", cell: (u) => countdown(u.scheduledAt, ctx.clock) },
        {
          label: "Then",
          cell: (u) =>
            u.more === 0
              ? muted("—")
              : h("span", null, `${plural(u.more, "more run")} until `, time(u.lastAt)),
        },
      ],
    }),
    h(
      "p",
      { class: "muted small" },
      o.upcoming.length >= 50
        ? `The earliest ${o.upcoming.length} runs, up to ${formatDateTime(o.upcoming[o.upcoming.length - 1]!.scheduledAt)}; jobs due later are on the Jobs page.`
        : `All ${plural(o.upcoming.length, "run")} of the next 24 hours.`,
    ),
  );

  const failures = section(
    "Failures to look at",
    table({
      caption: "Failed and timed-out runs of the last 24 hours",
      rows: o.recentFailures,
      empty: "No failures in the last 24 hours.",
      columns: [
        { label: "Job", cell: (r) => link(jobHref(r.jobId), r.jobId) },
        { label: "Scheduled", cell: (r) => link(runHref(r.id), time(r.scheduledAt)) },
        { label: "Outcome", cell: (r) => badge(r.status) },
        {
          label: "Error",
          cell: (r) =>
            h("span", { class: "error-text", title: errorLine(r.error) }, truncate(errorLine(r.error), 120)),
        },
      ],
    }),
  );

  const now = Date.parse(o.now);
  const cluster = section(
    "Replicas and workers",
    h(
      "p",
      null,
      link(
        "#/workers",
        plural(o.cluster.replicas.length, "replica"),
        ", ",
        plural(o.cluster.workers.length, "worker"),
      ),
      ` alive; ${plural(o.cluster.queue.depth, "run")} waiting for a slot.`,
    ),
    h(
      "ul",
      { class: "plain" },
      o.cluster.workers.map((w) =>
        h(
          "li",
          null,
          h("code", null, w.id),
          " ",
          muted(
            `${w.running.length} running${w.concurrency === null ? "" : ` of ${w.concurrency}`}, last heartbeat ${formatRelative(Date.parse(w.lastHeartbeatAt), now)}`,
          ),
        ),
      ),
    ),
  );

  return h("div", { class: "grid two" }, jobs, runs, running, upcoming, failures, cluster);
}

interface UpcomingJob extends UpcomingRun {
  /** How many more of this job's runs the list holds after the first. */
  more: number;
  lastAt: string;
}

/**
 * The upcoming runs, one line per job at its first run: a job that fires every second would
 * otherwise fill the whole list, and hide the one that fires tonight.
 */
export function byJob(runs: readonly UpcomingRun[]): UpcomingJob[] {
  const jobs = new Map<string, UpcomingJob>();
  for (const run of runs) {
    const seen = jobs.get(run.jobId);
    if (seen) {
      seen.more++;
      seen.lastAt = run.scheduledAt;
    } else jobs.set(run.jobId, { ...run, more: 0, lastAt: run.scheduledAt });
  }
  return [...jobs.values()];
}
