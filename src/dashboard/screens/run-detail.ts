/**
 * One run: `GET /runs/{id}` with every attempt (start, end, worker, outcome, error and the task's
 * stack), and Cancel while it is live. Live: reloaded on each event about this run.
 */
import { ApiError } from "../api.js";
import { h, link } from "../dom.js";
import { errorLine, formatDuration, jsonText } from "../format.js";
import { jobHref, jobsHref } from "../routes.js";
import { LIVE_RUN_STATUSES, type Attempt, type Run } from "../types.js";
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

export function runDetailScreen(ctx: Ctx, id: string): Screen {
  const scope = new Scope();
  const slot = new Slot("run-detail");
  const crumbs = h("p", { class: "crumbs" }, link(jobsHref(), "Jobs"), " / ");
  const actions = h("div", { class: "actions" });

  const load = async (): Promise<void> => {
    try {
      const run = await ctx.api.run(id);
      crumbs.replaceChildren(link(jobsHref(), "Jobs"), " / ", link(jobHref(run.jobId), run.jobId), " / ");
      renderActions(run);
      slot.set(render(ctx, run));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        actions.replaceChildren();
        slot.set(
          h(
            "div",
            { class: "notice", role: "status" },
            "This run does not exist (any more): its job may have been removed, or the history trimmed.",
          ),
        );
        return;
      }
      slot.fail(error);
    }
  };
  const reload = reloader(scope, load, 500);

  function renderActions(run: Run): void {
    if (!ctx.canWrite || !LIVE_RUN_STATUSES.has(run.status)) {
      actions.replaceChildren();
      return;
    }
    const cancel = h(
      "button",
      { type: "button", class: "button danger", "data-key": "cancel" },
      "Cancel run",
    );
    cancel.addEventListener("click", () => {
      void ctx
        .confirm({
          title: "Cancel this run?",
          message: h("p", null, "Its task is aborted through its signal."),
          confirm: "Cancel run",
          danger: true,
        })
        .then((ok) => (ok ? act(ctx, cancel, () => ctx.api.cancelRun(id), "Cancelling the run.") : false))
        .then(reload);
    });
    actions.replaceChildren(cancel);
  }

  void load();
  scope.live(ctx.live, (event) => {
    if (
      event.reload ||
      event.run?.id === id ||
      (event.name === "job:removed" && id.startsWith(`${event.jobId}@`))
    )
      reload();
  });

  const el = h(
    "div",
    null,
    crumbs,
    h("div", { class: "page-head" }, h("h1", { tabindex: -1, class: "run-id" }, id), actions),
    slot.el,
  );
  return { title: `Run ${id}`, el, scope };
}

function render(ctx: Ctx, run: Run): HTMLElement {
  const summary = section(
    "Run",
    facts([
      ["Outcome", badge(run.status)],
      ["Reason", run.reason ?? muted("—")],
      ["Job", link(jobHref(run.jobId), run.jobId)],
      ["Task", run.taskName],
      ["Origin", run.origin],
      ["Scheduled", time(run.scheduledAt)],
      ["Due", time(run.dueAt)],
      ["Fired", time(run.firedAt)],
      ["Started", time(run.startedAt)],
      ["Ended", time(run.endedAt)],
      ["Duration (last attempt)", formatDuration(run.durationMs)],
      ["Attempts", `${run.attempts.length} of ${run.maxAttempts}`],
      run.nextAttemptAt ? ["Next attempt", timeWithCountdown(run.nextAttemptAt, ctx.clock)] : null,
      ["Worker", run.worker ?? muted("—")],
      run.coalesced
        ? ["Coalesced", `${run.coalesced.count} missed occurrences up to ${run.coalesced.lastScheduledAt}`]
        : null,
      ["Arguments", pre(jsonText(run.args))],
    ]),
  );

  const error = run.error
    ? h(
        "section",
        { class: "panel wide" },
        h("h2", null, "Error"),
        h("p", { class: "error-text" }, errorLine(run.error)),
        run.error.stack ? pre(run.error.stack, "code stack") : null,
      )
    : null;

  const attempts = h(
    "section",
    { class: "panel wide" },
    h("h2", null, "Attempts"),
    table<Attempt>({
      caption: "Attempts of this run",
      rows: run.attempts,
      empty:
        run.status === "skipped" || run.status === "missed"
          ? `Not executed: ${run.status} (${run.reason ?? "no reason"}).`
          : "No attempt yet.",
      columns: [
        { label: "#", class: "num", cell: (a) => String(a.attempt) },
        { label: "Started", cell: (a) => time(a.startedAt) },
        { label: "Ended", cell: (a) => time(a.endedAt) },
        { label: "Duration", class: "num", cell: (a) => formatDuration(a.durationMs) },
        { label: "Outcome", cell: (a) => badge(a.outcome ?? "running") },
        { label: "Worker", cell: (a) => a.worker ?? "—" },
        {
          label: "Error",
          class: "error-cell",
          cell: (a) =>
            a.error
              ? h(
                  "div",
                  null,
                  h("span", { class: "error-text" }, errorLine(a.error)),
                  a.error.stack
                    ? h("details", null, h("summary", null, "Stack"), pre(a.error.stack, "code stack"))
                    : null,
                )
              : "—",
        },
      ],
    }),
  );

  return h("div", { class: "grid" }, summary, error, attempts);
}
