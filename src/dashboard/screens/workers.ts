/**
 * Workers: the scheduler's state (with pause and resume of the whole scheduler), its replicas and
 * workers from `GET /cluster` with their heartbeat, concurrency and what each runs now. Reloaded on
 * run events, and every 5 seconds for heartbeats, which arrive without events.
 */
import { h, link } from "../dom.js";
import { formatCount, formatRelative } from "../format.js";
import { jobHref, runHref } from "../routes.js";
import type { Cluster, Replica, SchedulerStatus, Worker } from "../types.js";
import {
  type Ctx,
  type Screen,
  Scope,
  Slot,
  act,
  badge,
  elapsed,
  facts,
  muted,
  reloader,
  section,
  table,
  time,
} from "../ui.js";

export function workersScreen(ctx: Ctx): Screen {
  const scope = new Scope();
  const slot = new Slot("workers");

  const load = async (): Promise<void> => {
    try {
      const [status, cluster] = await Promise.all([ctx.api.scheduler(), ctx.api.cluster()]);
      ctx.clock.sync(cluster.now);
      slot.set(render(status, cluster));
    } catch (error) {
      slot.fail(error);
    }
  };
  const reload = reloader(scope, load, 1000);

  function render(status: SchedulerStatus, cluster: Cluster): HTMLElement {
    const now = Date.parse(cluster.now);
    let control: HTMLElement | null = null;
    if (ctx.canWrite && (status.state === "running" || status.state === "paused")) {
      const paused = status.state === "paused";
      const button = h(
        "button",
        { type: "button", class: paused ? "button primary" : "button", "data-key": "scheduler-toggle" },
        paused ? "Resume the scheduler" : "Pause the scheduler",
      );
      button.addEventListener("click", () => {
        const run = (): Promise<unknown> => (paused ? ctx.api.resumeScheduler() : ctx.api.pauseScheduler());
        void (
          paused
            ? act(ctx, button, run, "Scheduler resumed.")
            : ctx
                .confirm({
                  title: "Pause the whole scheduler?",
                  message: h(
                    "p",
                    null,
                    "No job fires until it is resumed; running tasks go on. Occurrences due meanwhile follow each job's catch-up policy on resume.",
                  ),
                  confirm: "Pause the scheduler",
                  danger: true,
                })
                .then((ok) => (ok ? act(ctx, button, run, "Scheduler paused.") : false))
        ).then(reload);
      });
      control = h("div", { class: "actions" }, button);
    }

    const scheduler = section(
      "Scheduler",
      facts([
        ["State", badge(status.state)],
        ["Id", h("code", null, status.id)],
        ["Timezone", status.timezone],
        ["Store", `${status.store.kind}${status.store.shared ? " (shared)" : ""}`],
        ["Executor", status.executor.kind],
        ["Jobs", formatCount(status.jobs.total)],
        ["Queue depth", `${formatCount(cluster.queue.depth)} waiting for a slot`],
      ]),
      control,
    );

    const replicas = h(
      "section",
      { class: "panel wide" },
      h("h2", null, "Scheduler replicas"),
      table<Replica>({
        caption: "Scheduler replicas alive",
        rows: cluster.replicas,
        empty: "No replica is alive.",
        columns: [
          {
            label: "Id",
            cell: (r) => h("span", null, h("code", null, r.id), r.self ? muted(" (serves this API)") : null),
          },
          { label: "State", cell: (r) => badge(r.state) },
          { label: "Host", cell: (r) => r.host ?? "—" },
          { label: "PID", class: "num", cell: (r) => (r.pid === null ? "—" : String(r.pid)) },
          { label: "Started", cell: (r) => time(r.startedAt) },
          { label: "Last heartbeat", cell: (r) => formatRelative(Date.parse(r.lastHeartbeatAt), now) },
        ],
      }),
    );

    const workers = h(
      "section",
      { class: "panel wide" },
      h("h2", null, "Workers"),
      table<Worker>({
        caption: "Workers alive and what each runs",
        rows: cluster.workers,
        empty: "No worker is alive.",
        columns: [
          { label: "Id", cell: (w) => h("code", null, w.id) },
          { label: "Host", cell: (w) => w.host ?? "—" },
          { label: "PID", class: "num", cell: (w) => (w.pid === null ? "—" : String(w.pid)) },
          { label: "Groups", cell: (w) => (w.groups === null ? "every group" : w.groups.join(", ")) },
          {
            label: "Concurrency",
            class: "num",
            cell: (w) => `${w.running.length} of ${w.concurrency === null ? "unbounded" : w.concurrency}`,
          },
          { label: "Last heartbeat", cell: (w) => formatRelative(Date.parse(w.lastHeartbeatAt), now) },
          {
            label: "Running",
            cell: (w) =>
              w.running.length === 0
                ? muted("idle")
                : h(
                    "ul",
                    { class: "plain" },
                    w.running.map((r) =>
                      h(
                        "li",
                        null,
                        link(jobHref(r.jobId), r.jobId),
                        " ",
                        link(runHref(r.runId), "attempt ", String(r.attempt)),
                        ", for ",
                        elapsed(r.startedAt, ctx.clock),
                      ),
                    ),
                  ),
          },
        ],
      }),
    );

    return h("div", { class: "grid" }, scheduler, replicas, workers);
  }

  void load();
  scope.live(ctx.live, (event) => {
    if (
      event.reload ||
      event.name.startsWith("scheduler:") ||
      event.name === "run:started" ||
      event.run !== null
    )
      reload();
  });
  scope.interval(reload, 5000);

  const el = h("div", null, h("h1", { tabindex: -1 }, "Replicas and workers"), slot.el);
  return { title: "Workers", el, scope };
}
