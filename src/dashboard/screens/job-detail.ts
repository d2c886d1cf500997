/**
 * One job: everything `GET /jobs/{id}` says, its next 10 run times, a chart of its recent runs, and
 * its run history with every outcome (skipped and missed with their reason). Live: reloaded on each
 * event about this job.
 */
import { durationChart } from "../chart.js";
import { h, link } from "../dom.js";
import { durationInput, errorLine, formatCount, formatDuration, jsonText, truncate } from "../format.js";
import { href, jobsHref, runHref } from "../routes.js";
import { RUN_STATUSES, type JobDetail, type Policy, type Run } from "../types.js";
import {
  type Ctx,
  type Screen,
  Scope,
  Slot,
  act,
  badge,
  facts,
  muted,
  pre,
  reloader,
  section,
  table,
  time,
  timeWithCountdown,
} from "../ui.js";
import { ApiError } from "../api.js";
import { removeJob } from "./jobs.js";

const CHART_RUNS = 100;
const HISTORY_STEP = 25;

export function jobDetailScreen(ctx: Ctx, id: string): Screen {
  const scope = new Scope();
  const slot = new Slot("job-detail");
  const heading = h("h1", { tabindex: -1, class: "job-id" }, id);
  const actions = h("div", { class: "actions" });
  let historyLimit = HISTORY_STEP;
  let historyStatus = "";
  let gone = false;

  const outcome = h(
    "select",
    { id: "history-status" },
    h("option", { value: "" }, "Every outcome"),
    RUN_STATUSES.map((s) => h("option", { value: s }, s)),
  );
  outcome.addEventListener("change", () => {
    historyStatus = outcome.value;
    historyLimit = HISTORY_STEP;
    reload();
  });
  const more = h("button", { type: "button", class: "button", "data-key": "more" }, "Show more runs");
  more.addEventListener("click", () => {
    historyLimit = Math.min(1000, historyLimit + HISTORY_STEP);
    reload();
  });
  const historySlot = new Slot("history");
  const historyPanel = h(
    "section",
    { class: "panel wide" },
    h("h2", null, "Run history"),
    h(
      "div",
      { class: "filters" },
      h("div", { class: "field" }, h("label", { for: "history-status" }, "Filter by outcome"), outcome),
    ),
    historySlot.el,
    h("div", { class: "pager" }, more),
  );

  const load = async (): Promise<void> => {
    if (gone) return;
    try {
      const [job, recent] = await Promise.all([
        ctx.api.job(id, 10),
        ctx.api.jobRuns(id, { limit: CHART_RUNS }),
      ]);
      const history =
        historyStatus === "" && historyLimit <= CHART_RUNS
          ? {
              items: recent.items.slice(0, historyLimit),
              nextCursor: recent.items.length > historyLimit ? "more" : recent.nextCursor,
            }
          : await ctx.api.jobRuns(id, { limit: historyLimit, status: historyStatus || null });
      renderActions(job);
      slot.set(renderJob(ctx, job, recent.items));
      historySlot.set(historyTable(history.items));
      more.hidden = history.nextCursor === null;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return showGone();
      slot.fail(error);
    }
  };
  const reload = reloader(scope, load, 1000);

  function showGone(): void {
    gone = true;
    actions.replaceChildren();
    historyPanel.hidden = true;
    slot.set(
      h(
        "div",
        { class: "notice", role: "status" },
        "This job does not exist (any more). ",
        link(jobsHref(), "See all jobs."),
      ),
    );
  }

  function renderActions(job: JobDetail): void {
    if (!ctx.canWrite) {
      actions.replaceChildren(h("span", { class: "muted" }, "Read-only: no changes possible."));
      return;
    }
    const paused = job.paused;
    const toggle = h(
      "button",
      { type: "button", class: "button", "data-key": "toggle" },
      paused ? "Resume" : "Pause",
    );
    toggle.addEventListener("click", () => {
      void act(
        ctx,
        toggle,
        () => (paused ? ctx.api.resumeJob(id) : ctx.api.pauseJob(id)),
        paused ? "Resumed." : "Paused.",
      ).then(reload);
    });
    const run = h("button", { type: "button", class: "button", "data-key": "run" }, "Run now");
    run.addEventListener("click", () => {
      void act(ctx, run, () => ctx.api.runJobNow(id), "Started a run.").then(reload);
    });
    const edit = link(href({ name: "edit", id }), "Edit");
    edit.className = "button";
    const remove = h("button", { type: "button", class: "button danger", "data-key": "remove" }, "Remove");
    remove.addEventListener("click", () => {
      void removeJob(ctx, id, remove).then((ok) => {
        if (ok) ctx.navigate(jobsHref());
      });
    });
    const focused =
      document.activeElement instanceof HTMLElement && actions.contains(document.activeElement)
        ? document.activeElement.dataset.key
        : undefined;
    actions.replaceChildren(toggle, run, edit, remove);
    if (focused) actions.querySelector<HTMLElement>(`[data-key="${focused}"]`)?.focus();
  }

  function historyTable(runs: readonly Run[]): HTMLElement {
    return table({
      caption: "Runs of this job, newest first",
      rows: runs,
      empty: historyStatus ? `No ${historyStatus} runs.` : "No runs yet.",
      rowKey: (r) => r.id,
      columns: [
        {
          label: "Scheduled",
          cell: (r) => h("a", { href: runHref(r.id), "data-key": `run:${r.id}` }, time(r.scheduledAt)),
        },
        { label: "Origin", cell: (r) => r.origin },
        { label: "Outcome", cell: (r) => badge(r.status) },
        { label: "Reason", cell: (r) => r.reason ?? "—" },
        { label: "Attempts", class: "num", cell: (r) => `${r.attempts.length} of ${r.maxAttempts}` },
        { label: "Started", cell: (r) => time(r.startedAt) },
        { label: "Duration", class: "num", cell: (r) => formatDuration(r.durationMs) },
        { label: "Worker", cell: (r) => r.worker ?? "—" },
        {
          label: "Error",
          class: "error-cell",
          cell: (r) =>
            r.error
              ? h(
                  "span",
                  { class: "error-text", title: errorLine(r.error) },
                  truncate(errorLine(r.error), 100),
                )
              : "—",
        },
      ],
    });
  }

  void load();
  scope.live(ctx.live, (event) => {
    if (event.name === "job:removed" && event.jobId === id) return showGone();
    if (event.reload || event.jobId === id) reload();
  });

  const el = h(
    "div",
    null,
    h("p", { class: "crumbs" }, link(jobsHref(), "Jobs"), " / "),
    h("div", { class: "page-head" }, heading, actions),
    slot.el,
    historyPanel,
  );
  return { title: `Job ${id}`, el, scope };
}

function renderJob(ctx: Ctx, job: JobDetail, recent: readonly Run[]): HTMLElement {
  const summary = section(
    "Job",
    facts([
      ["Status", badge(job.status)],
      [
        "Task",
        h(
          "span",
          null,
          job.taskName,
          job.taskRegistered
            ? null
            : h("span", { class: "warning" }, " (not registered in this process: runs fail until it is)"),
        ),
      ],
      ["Description", job.description ?? muted("—")],
      ["Schedule", job.schedule],
      ["Type", job.type],
      ["Timezone", job.timezone ?? muted("—")],
      ["Next run", timeWithCountdown(job.nextRunAt, ctx.clock)],
      ["Running now", formatCount(job.activeRuns)],
      ["Arguments", pre(jsonText(job.args))],
    ]),
  );

  const history = section(
    "Runs",
    facts([
      ["Runs", formatCount(job.runCount)],
      ["Failures", formatCount(job.failureCount)],
      ["Skipped", formatCount(job.skippedCount)],
      ["Missed", formatCount(job.missedCount)],
      ["Last outcome", badge(job.lastOutcome)],
      ["Last started", time(job.lastRunStartedAt)],
      ["Last ended", time(job.lastRunEndedAt)],
      ["Last duration", formatDuration(job.lastDurationMs)],
      ["Last run", job.lastRunId ? link(runHref(job.lastRunId), "Open the last run") : muted("—")],
      [
        "Last error",
        job.lastError ? h("span", { class: "error-text" }, errorLine(job.lastError)) : muted("—"),
      ],
    ]),
  );

  const next = section(
    "Next 10 run times",
    job.nextRunTimes.length === 0
      ? muted(job.paused ? "None while the job is paused." : "None: the trigger will not fire again.")
      : h(
          "ol",
          { class: "times" },
          job.nextRunTimes.map((t) => h("li", null, timeWithCountdown(t, ctx.clock))),
        ),
  );

  const policy = section("Policies", policyFacts(job.policy));

  const trigger = section(
    "Trigger",
    facts([
      ["Kind", job.trigger.kind],
      ["As data", pre(JSON.stringify(job.trigger, null, 2))],
      ["Created", time(job.createdAt)],
      ["Updated", time(job.updatedAt)],
      ["Version", String(job.version)],
    ]),
  );

  const chart = h(
    "section",
    { class: "panel wide" },
    h("h2", null, "Durations and outcomes"),
    durationChart(recent),
  );
  return h("div", { class: "grid" }, summary, history, next, policy, trigger, chart);
}

function policyFacts(p: Policy): HTMLElement {
  const ms = (value: number | null, none: string): string => (value === null ? none : durationInput(value));
  return facts([
    ["Overlap", p.overlap],
    p.overlap === "allow"
      ? ["Most at once", p.maxConcurrent === null ? "no limit" : String(p.maxConcurrent)]
      : null,
    p.overlap === "queue" ? ["Most waiting", String(p.maxQueued)] : null,
    ["Misfire grace", ms(p.misfireGraceMs, "never late")],
    ["Catch-up", p.catchUp],
    p.catchUp === "all" ? ["Catch-up limit", String(p.catchUpLimit)] : null,
    [
      "Retries",
      p.retry.attempts <= 1
        ? "none (1 attempt)"
        : `${p.retry.attempts} attempts, ${p.retry.backoff} backoff from ${durationInput(p.retry.delayMs)} up to ${durationInput(p.retry.maxDelayMs)}${p.retry.jitter ? ", with jitter" : ""}`,
    ],
    ["Timeout", ms(p.timeoutMs, "none")],
    ["Jitter", p.jitterMs === 0 ? "none" : durationInput(p.jitterMs)],
    ["Group", p.group],
  ]);
}
