/**
 * Jobs: the table of `GET /jobs` with search, filters by status and task, cursor pagination, and
 * pause, resume, run now and remove, for one job or for the selected ones (`POST /jobs/bulk`).
 *
 * Filters live in the URL (`#/jobs?status=paused&q=report`) so a filtered view can be shared;
 * they are written with `history.replaceState`, which does not re-create the screen, so the search
 * field keeps the focus while typing. The selection survives live reloads and page changes.
 */
import { h, link } from "../dom.js";
import { errorLine, formatCount, formatDuration, plural, truncate } from "../format.js";
import { href, jobHref } from "../routes.js";
import { JOB_STATUSES, type Job, type JobPage } from "../types.js";
import { type Ctx, type Screen, Scope, Slot, act, badge, reloader, table, timeWithCountdown } from "../ui.js";

type BulkAction = "pause" | "resume" | "run" | "delete";

const PAGE_SIZES = [25, 50, 100] as const;

export function jobsScreen(
  ctx: Ctx,
  route: { status: string | null; task: string | null; search: string | null },
): Screen {
  const scope = new Scope();
  const filter = { status: route.status, task: route.task, search: route.search };
  let pageSize: number = PAGE_SIZES[0];
  /** The cursor of each page visited so far: `cursors[page]` loads page `page`. */
  let cursors: Array<string | null> = [null];
  let page = 0;
  let current: JobPage | null = null;
  const selected = new Set<string>();

  // ---- Filters --------------------------------------------------------------------------------
  const search = h("input", {
    id: "job-search",
    type: "search",
    value: filter.search ?? "",
    placeholder: "id, task or description",
    autocomplete: "off",
  });
  const status = h(
    "select",
    { id: "job-status" },
    h("option", { value: "" }, "Any status"),
    JOB_STATUSES.map((s) => h("option", { value: s, selected: s === filter.status }, s)),
  );
  const task = h("select", { id: "job-task" }, h("option", { value: "" }, "Any task"));
  const size = h(
    "select",
    { id: "page-size" },
    PAGE_SIZES.map((n) => h("option", { value: String(n), selected: n === pageSize }, String(n))),
  );

  let searchTimer: number | undefined;
  scope.add(() => window.clearTimeout(searchTimer));
  search.addEventListener("input", () => {
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(() => applyFilter({ search: search.value.trim() || null }), 250);
  });
  status.addEventListener("change", () => applyFilter({ status: status.value || null }));
  task.addEventListener("change", () => applyFilter({ task: task.value || null }));
  size.addEventListener("change", () => {
    pageSize = Number(size.value);
    restart();
  });

  function applyFilter(change: Partial<typeof filter>): void {
    Object.assign(filter, change);
    history.replaceState(null, "", href({ name: "jobs", ...filter }));
    restart();
  }

  function restart(): void {
    cursors = [null];
    page = 0;
    void load();
  }

  const filters = h(
    "form",
    {
      class: "filters",
      role: "search",
      "aria-label": "Filter jobs",
      on: { submit: (e) => e.preventDefault() },
    },
    h("div", { class: "field" }, h("label", { for: "job-search" }, "Search"), search),
    h("div", { class: "field" }, h("label", { for: "job-status" }, "Status"), status),
    h("div", { class: "field" }, h("label", { for: "job-task" }, "Task"), task),
  );

  // ---- Selection and bulk actions -------------------------------------------------------------
  const selectionText = h("span", { class: "selection", "aria-live": "polite" });
  const bulkButtons = new Map<BulkAction, HTMLButtonElement>();
  const bulkBar = ctx.canWrite
    ? h(
        "div",
        { class: "bulk", role: "group", "aria-label": "Actions on the selected jobs" },
        selectionText,
        (
          [
            ["pause", "Pause"],
            ["resume", "Resume"],
            ["run", "Run now"],
            ["delete", "Remove"],
          ] as const
        ).map(([action, label]) => {
          const button = h(
            "button",
            { type: "button", class: action === "delete" ? "button danger" : "button", "data-bulk": action },
            label,
          );
          button.addEventListener("click", () => void bulk(action, button));
          bulkButtons.set(action, button);
          return button;
        }),
        h(
          "button",
          { type: "button", class: "button link", on: { click: () => clearSelection() } },
          "Clear selection",
        ),
      )
    : null;

  function updateSelection(): void {
    selectionText.textContent =
      selected.size === 0 ? "No job selected" : `${plural(selected.size, "job")} selected`;
    for (const button of bulkButtons.values()) button.disabled = selected.size === 0;
  }

  function clearSelection(): void {
    selected.clear();
    updateSelection();
    if (current) renderTable(current);
  }

  async function bulk(action: BulkAction, button: HTMLButtonElement): Promise<void> {
    const ids = [...selected];
    if (ids.length === 0) return;
    if (action === "delete") {
      const ok = await ctx.confirm({
        title: `Remove ${plural(ids.length, "job")}?`,
        message: h(
          "div",
          null,
          h("p", null, "These jobs and their run history will be deleted:"),
          h(
            "ul",
            { class: "id-list" },
            ids.slice(0, 20).map((id) => h("li", null, h("code", null, id))),
          ),
          ids.length > 20 ? h("p", null, `and ${ids.length - 20} more.`) : null,
        ),
        confirm: "Remove",
        danger: true,
      });
      if (!ok) return;
    }
    await act(ctx, button, async () => {
      const failures: string[] = [];
      // The API takes at most 100 ids per request.
      for (let i = 0; i < ids.length; i += 100) {
        const { results } = await ctx.api.bulk({ action, ids: ids.slice(i, i + 100) });
        for (const r of results) {
          if (r.ok) {
            if (action === "delete") selected.delete(r.id);
          } else failures.push(`${r.id}: ${r.error?.message ?? "failed"}`);
        }
      }
      const verb = { pause: "Paused", resume: "Resumed", run: "Started runs of", delete: "Removed" }[action];
      const done = ids.length - failures.length;
      ctx.notify(`${verb} ${plural(done, "job")}.`);
      if (failures.length > 0) ctx.notify(`Failed for ${failures.length}: ${failures.join("; ")}`, "error");
      updateSelection();
      reload();
    });
  }

  // ---- Table ----------------------------------------------------------------------------------
  const slot = new Slot("jobs-table");
  const prev = h("button", { type: "button", class: "button", "data-key": "prev" }, "Previous");
  const next = h("button", { type: "button", class: "button", "data-key": "next" }, "Next");
  const pageText = h("span", { class: "page-number" });
  prev.addEventListener("click", () => {
    if (page === 0) return;
    page--;
    void load();
  });
  next.addEventListener("click", () => {
    if (!current?.nextCursor) return;
    cursors[page + 1] = current.nextCursor;
    page++;
    void load();
  });

  async function load(): Promise<void> {
    try {
      const result = await ctx.api.jobs({ ...filter, cursor: cursors[page] ?? null, limit: pageSize });
      // A page emptied by removals: step back to the one before.
      if (result.items.length === 0 && page > 0) {
        page--;
        return load();
      }
      current = result;
      renderTable(result);
    } catch (error) {
      slot.fail(error);
    }
  }
  const reload = reloader(scope, load, 1000);

  function renderTable(result: JobPage): void {
    const allSelected = result.items.length > 0 && result.items.every((j) => selected.has(j.id));
    const selectAll = h("input", {
      type: "checkbox",
      "aria-label": "Select every job on this page",
      checked: allSelected,
      "data-key": "select-all",
    });
    selectAll.addEventListener("change", () => {
      for (const job of result.items) {
        if (selectAll.checked) selected.add(job.id);
        else selected.delete(job.id);
      }
      updateSelection();
      renderTable(result);
    });

    const columns = [
      ...(ctx.canWrite
        ? [
            {
              label: "Select",
              class: "select",
              cell: (job: Job) => {
                const box = h("input", {
                  type: "checkbox",
                  "aria-label": `Select job ${job.id}`,
                  checked: selected.has(job.id),
                  "data-key": `select:${job.id}`,
                });
                box.addEventListener("change", () => {
                  if (box.checked) selected.add(job.id);
                  else selected.delete(job.id);
                  updateSelection();
                });
                return box;
              },
            },
          ]
        : []),
      {
        label: "ID",
        class: "id",
        cell: (job: Job) => h("a", { href: jobHref(job.id), "data-key": `link:${job.id}` }, job.id),
      },
      { label: "Task", cell: (job: Job) => job.taskName },
      { label: "Schedule", cell: (job: Job) => job.schedule },
      { label: "Timezone", cell: (job: Job) => job.timezone ?? "—" },
      { label: "Next run", cell: (job: Job) => timeWithCountdown(job.nextRunAt, ctx.clock) },
      { label: "Status", cell: (job: Job) => badge(job.status) },
      { label: "Last outcome", cell: (job: Job) => badge(job.lastOutcome) },
      { label: "Runs", class: "num", cell: (job: Job) => formatCount(job.runCount) },
      { label: "Last duration", class: "num", cell: (job: Job) => formatDuration(job.lastDurationMs) },
      {
        label: "Last error",
        class: "error-cell",
        cell: (job: Job) =>
          job.lastError
            ? h(
                "span",
                { class: "error-text", title: errorLine(job.lastError) },
                truncate(errorLine(job.lastError), 80),
              )
            : "—",
      },
      ...(ctx.canWrite
        ? [{ label: "Actions", class: "actions-cell", cell: (job: Job) => rowActions(job) }]
        : []),
    ];

    const content = table({
      caption: "Jobs",
      columns,
      rows: result.items,
      empty: filter.search || filter.status || filter.task ? "No job matches these filters." : "No jobs yet.",
      rowKey: (job) => job.id,
    });
    if (ctx.canWrite) {
      // The header of the selection column holds the "select all" box instead of a word.
      const th = content.querySelector("th.select");
      if (th) th.replaceChildren(selectAll);
    }
    prev.disabled = page === 0;
    next.disabled = !result.nextCursor;
    pageText.textContent = `Page ${page + 1}`;
    slot.set(content);
  }

  function rowActions(job: Job): HTMLElement {
    const paused = job.paused;
    const toggle = h(
      "button",
      {
        type: "button",
        class: "button small",
        "data-key": `toggle:${job.id}`,
        "aria-label": `${paused ? "Resume" : "Pause"} ${job.id}`,
      },
      paused ? "Resume" : "Pause",
    );
    toggle.addEventListener("click", () => {
      void act(
        ctx,
        toggle,
        () => (paused ? ctx.api.resumeJob(job.id) : ctx.api.pauseJob(job.id)),
        `${paused ? "Resumed" : "Paused"} ${job.id}.`,
      ).then(reload);
    });
    const run = h(
      "button",
      {
        type: "button",
        class: "button small",
        "data-key": `run:${job.id}`,
        "aria-label": `Run ${job.id} now`,
      },
      "Run now",
    );
    run.addEventListener("click", () => {
      void act(ctx, run, () => ctx.api.runJobNow(job.id), `Started a run of ${job.id}.`).then(reload);
    });
    const remove = h(
      "button",
      {
        type: "button",
        class: "button small danger",
        "data-key": `remove:${job.id}`,
        "aria-label": `Remove ${job.id}`,
      },
      "Remove",
    );
    remove.addEventListener(
      "click",
      () => void removeJob(ctx, job.id, remove).then((ok) => ok && (selected.delete(job.id), reload())),
    );
    return h("div", { class: "row-actions" }, toggle, run, remove);
  }

  // Tasks for the filter: the registry, plus the filter's own value if it names a task no longer registered.
  ctx.api
    .tasks()
    .then((list) => {
      const names = new Set(list.items.map((t) => t.name));
      if (filter.task) names.add(filter.task);
      task.append(
        ...[...names]
          .sort()
          .map((name) => h("option", { value: name, selected: name === filter.task }, name)),
      );
    })
    .catch(() => undefined);

  updateSelection();
  void load();
  scope.live(ctx.live, (event) => {
    if (event.reload || event.name.startsWith("job:") || event.name.startsWith("run:")) reload();
  });

  const el = h(
    "div",
    null,
    h(
      "div",
      { class: "page-head" },
      h("h1", { tabindex: -1 }, "Jobs"),
      ctx.canWrite ? link("#/new", "New job") : null,
    ),
    filters,
    bulkBar,
    slot.el,
    h(
      "nav",
      { class: "pager", "aria-label": "Pages" },
      prev,
      pageText,
      next,
      h("label", { for: "page-size" }, "Per page"),
      size,
    ),
  );
  el.querySelector(".page-head a")?.classList.add("button", "primary");
  return { title: "Jobs", el, scope };
}

/** Asks, then deletes a job. Resolves to whether it was deleted. */
export async function removeJob(ctx: Ctx, id: string, button: HTMLButtonElement | null): Promise<boolean> {
  const ok = await ctx.confirm({
    title: "Remove this job?",
    message: h(
      "p",
      null,
      "The job ",
      h("code", null, id),
      " and its run history will be deleted. Runs in progress are cancelled.",
    ),
    confirm: "Remove",
    danger: true,
  });
  if (!ok) return false;
  return act(ctx, button, () => ctx.api.deleteJob(id), `Removed ${id}.`);
}
