/**
 * New job and edit job: task (from the registry), id, trigger (interval, cron with timezone, a
 * date, or "start in" plus a frequency as in the seed, or a trigger as data), arguments as JSON with
 * the task's schema, and every policy. While the schedule is typed, `POST /triggers/preview` shows
 * it in words with its next 5 run times; every error the API reports is shown at its field.
 */
import { ApiError } from "../api.js";
import { type Child, h, link } from "../dom.js";
import { browserTimeZone, jsonText } from "../format.js";
import {
  type FieldError,
  type FieldKey,
  type FormValues,
  type TriggerMode,
  TRIGGER_MODES,
  argsTemplate,
  buildBody,
  buildTrigger,
  emptyValues,
  errorsFromApi,
  parseArgs,
  valuesFromJob,
} from "../form-model.js";
import { jobHref, jobsHref } from "../routes.js";
import {
  BACKOFF_KINDS,
  CATCH_UP_POLICIES,
  OVERLAP_POLICIES,
  type Task,
  type TriggerPreview,
} from "../types.js";
import { type Ctx, type Screen, Scope, Slot, countdown, muted, time } from "../ui.js";

const TRIGGER_FIELDS: readonly FieldKey[] = [
  "interval",
  "cron",
  "cronTimezone",
  "at",
  "atTimezone",
  "startIn",
  "frequency",
  "spec",
  "trigger",
];

const OVERLAP_HELP: Record<string, string> = {
  skip: "skip: record the new occurrence as skipped",
  queue: "queue: run it when the running one ends",
  allow: "allow: run both at once",
  replace: "replace: cancel the running one, run the new one",
};
const CATCH_UP_HELP: Record<string, string> = {
  none: "none: record late occurrences as missed",
  latest: "latest: run the most recent one once",
  all: "all: run them all, oldest first",
};

export function jobFormScreen(ctx: Ctx, editId: string | null): Screen {
  const scope = new Scope();
  const slot = new Slot("job-form");
  const title = editId === null ? "New job" : `Edit ${editId}`;
  const el = h(
    "div",
    null,
    h(
      "p",
      { class: "crumbs" },
      link(jobsHref(), "Jobs"),
      " / ",
      editId === null ? null : [link(jobHref(editId), editId), " / "],
    ),
    h(
      "h1",
      { tabindex: -1 },
      editId === null ? "New job" : h("span", null, "Edit ", h("span", { class: "job-id" }, editId)),
    ),
    slot.el,
  );

  if (!ctx.canWrite) {
    slot.set(
      h(
        "p",
        { class: "notice", role: "status" },
        `The token "${ctx.me.name}" is read-only: it cannot create or change jobs.`,
      ),
    );
    return { title, el, scope };
  }

  Promise.all([ctx.api.tasks(), editId === null ? Promise.resolve(null) : ctx.api.job(editId, 0)])
    .then(([tasks, job]) => {
      const values = job ? valuesFromJob(job, browserTimeZone()) : emptyValues(browserTimeZone());
      if (!job && tasks.items.length === 1) values.task = tasks.items[0]!.name;
      slot.set(buildForm(ctx, scope, tasks.items, values, editId));
    })
    .catch((error: unknown) => slot.fail(error));
  return { title, el, scope };
}

function buildForm(
  ctx: Ctx,
  scope: Scope,
  tasks: readonly Task[],
  initial: FormValues,
  editId: string | null,
): HTMLElement {
  const controls = new Map<FieldKey, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>();
  const errors = new Map<FieldKey, HTMLElement>();

  /** A labelled field: the label, the control, a help line and the slot for its error. */
  function field(
    key: FieldKey,
    label: string,
    control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
    help?: Child,
  ): HTMLElement {
    const id = `f-${key}`;
    control.id = id;
    control.name = key;
    const describedBy = [help ? `${id}-help` : null, `${id}-error`].filter(Boolean).join(" ");
    control.setAttribute("aria-describedby", describedBy);
    controls.set(key, control);
    const error = h("p", { id: `${id}-error`, class: "field-error" });
    errors.set(key, error);
    const isCheck = control instanceof HTMLInputElement && control.type === "checkbox";
    return h(
      "div",
      { class: isCheck ? "field check" : "field", "data-field": key },
      isCheck ? [control, h("label", { for: id }, label)] : [h("label", { for: id }, label), control],
      help ? h("p", { id: `${id}-help`, class: "help" }, help) : null,
      error,
    );
  }
  const input = (value: string, attrs: Record<string, string | boolean> = {}): HTMLInputElement =>
    h("input", { type: "text", value, autocomplete: "off", spellcheck: "false", ...attrs });
  const select = (value: string, options: ReadonlyArray<readonly [string, string]>): HTMLSelectElement =>
    h(
      "select",
      null,
      options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)),
    );
  const checkbox = (checked: boolean): HTMLInputElement => h("input", { type: "checkbox", checked });

  // ---- Job --------------------------------------------------------------------------------------
  const taskNames = tasks.map((t) => t.name);
  const taskOptions: Array<readonly [string, string]> = [
    ["", "Choose a task…"],
    ...taskNames.map((n) => [n, n] as const),
  ];
  if (initial.task !== "" && !taskNames.includes(initial.task))
    taskOptions.push([initial.task, `${initial.task} (not registered)`]);
  const taskSelect = select(initial.task, taskOptions);
  taskSelect.required = true;
  const taskHelp = h("span");
  const idInput = input(initial.id, { required: true, maxlength: "200" });
  if (editId !== null) idInput.readOnly = true;
  const description = h("textarea", { rows: 2, maxlength: 2000, value: initial.description });

  // ---- Schedule ---------------------------------------------------------------------------------
  const zones = timeZones();
  const tzList = h(
    "datalist",
    { id: "tz-list" },
    zones.map((z) => h("option", { value: z })),
  );
  const tzInput = (value: string): HTMLInputElement =>
    input(value, { list: "tz-list", placeholder: "scheduler's timezone" });
  const modeRadios = TRIGGER_MODES.map(([mode, label]) => {
    const radio = h("input", {
      type: "radio",
      name: "mode",
      value: mode,
      id: `mode-${mode}`,
      checked: mode === initial.mode,
    });
    return h("label", { class: "radio", for: `mode-${mode}` }, radio, " ", label);
  });
  const modeGroups: Record<TriggerMode, HTMLElement> = {
    interval: h(
      "div",
      { "data-mode": "interval" },
      field(
        "interval",
        "Every",
        input(initial.interval, { placeholder: "30s" }),
        'A duration: "500ms", "30s", "5m", "1h30m", "1d", or a number of seconds.',
      ),
    ),
    cron: h(
      "div",
      { "data-mode": "cron", class: "row" },
      field(
        "cron",
        "Cron expression",
        input(initial.cron, { placeholder: "0 9 * * MON-FRI" }),
        '5 fields (minute hour day month weekday), 6 with seconds first, or "@daily".',
      ),
      field(
        "cronTimezone",
        "Timezone",
        tzInput(initial.cronTimezone),
        "An IANA timezone, like Europe/Berlin. Empty: the scheduler's.",
      ),
    ),
    date: h(
      "div",
      { "data-mode": "date", class: "row" },
      field(
        "at",
        "Run once at",
        h("input", { type: "datetime-local", step: "1", value: initial.at }),
        "Wall-clock time in the timezone beside it.",
      ),
      field("atTimezone", "Timezone", tzInput(initial.atTimezone)),
    ),
    "start-in": h(
      "div",
      { "data-mode": "start-in", class: "row" },
      field(
        "startIn",
        "Start in",
        input(initial.startIn, { placeholder: "10s" }),
        "The delay before the first run.",
      ),
      field("frequency", "Then every", input(initial.frequency, { placeholder: "1m" }), "Empty: run once."),
    ),
    spec: h(
      "div",
      { "data-mode": "spec" },
      field(
        "spec",
        "Trigger as data",
        h("textarea", { rows: 6, class: "mono", spellcheck: "false", value: initial.spec }),
        'JSON, as a job\'s "trigger" field shows it: for calendar, union and intersection triggers.',
      ),
    ),
  };
  const triggerError = h("p", { id: "f-trigger-error", class: "field-error" });
  errors.set("trigger", triggerError);

  const previewBody = h(
    "div",
    { class: "preview-body" },
    muted("Type a schedule to see its next run times."),
  );
  const preview = h(
    "div",
    { class: "preview", "aria-live": "polite", "data-testid": "preview" },
    h("h3", null, "Preview"),
    previewBody,
  );
  const schedule = h(
    "fieldset",
    { class: "schedule" },
    h("legend", null, "Schedule"),
    h("div", { class: "radios", role: "radiogroup", "aria-label": "Kind of trigger" }, modeRadios),
    Object.values(modeGroups),
    triggerError,
    preview,
  );

  // ---- Arguments --------------------------------------------------------------------------------
  const args = h("textarea", { rows: 3, class: "mono", spellcheck: "false", value: initial.args });
  const schemaBox = h("div", { class: "schema" });

  // ---- Policies ---------------------------------------------------------------------------------
  const dflt = editId === null ? "Scheduler default" : "Default";
  const policies = h(
    "fieldset",
    { class: "policies" },
    h("legend", null, "Policies"),
    h(
      "div",
      { class: "policy-grid" },
      field(
        "overlap",
        "Overlap",
        select(initial.overlap, [
          ["", `${dflt} (skip)`],
          ...OVERLAP_POLICIES.map((p) => [p, OVERLAP_HELP[p] ?? p] as const),
        ]),
        "When an occurrence comes while the job still runs.",
      ),
      field(
        "maxConcurrent",
        "Most runs at once",
        input(initial.maxConcurrent, { type: "number", min: "1", step: "1", placeholder: "no limit" }),
        'With overlap "allow".',
      ),
      field(
        "maxQueued",
        "Most waiting runs",
        input(initial.maxQueued, { type: "number", min: "0", step: "1", placeholder: "10" }),
        'With overlap "queue".',
      ),
      field(
        "misfireGrace",
        "Misfire grace",
        input(initial.misfireGrace, { placeholder: "1s" }),
        "How late a run may start and still count as on time.",
      ),
      field("neverLate", "Never late (no misfire grace)", checkbox(initial.neverLate)),
      field(
        "catchUp",
        "Catch-up",
        select(initial.catchUp, [
          ["", `${dflt} (latest)`],
          ...CATCH_UP_POLICIES.map((p) => [p, CATCH_UP_HELP[p] ?? p] as const),
        ]),
        "What to do with occurrences missed while down or late.",
      ),
      field(
        "catchUpLimit",
        "Catch-up limit",
        input(initial.catchUpLimit, { type: "number", min: "1", step: "1", placeholder: "100" }),
        'With catch-up "all": the most late runs.',
      ),
      field(
        "retryAttempts",
        "Attempts",
        input(initial.retryAttempts, { type: "number", min: "1", step: "1", placeholder: "1" }),
        "Total attempts, the first included: 3 means 2 retries.",
      ),
      field(
        "retryBackoff",
        "Backoff",
        select(initial.retryBackoff, [
          ["", `${dflt} (exponential)`],
          ...BACKOFF_KINDS.map((b) => [b, b] as const),
        ]),
      ),
      field(
        "retryDelay",
        "Retry delay",
        input(initial.retryDelay, { placeholder: "1s" }),
        "Before the first retry.",
      ),
      field("retryMaxDelay", "Longest retry delay", input(initial.retryMaxDelay, { placeholder: "1h" })),
      field(
        "retryJitter",
        "Retry jitter",
        select(initial.retryJitter, [
          ["", `${dflt} (yes)`],
          ["yes", "yes"],
          ["no", "no"],
        ]),
      ),
      field(
        "timeout",
        "Timeout",
        input(initial.timeout, { placeholder: "none" }),
        "The longest an attempt may run.",
      ),
      field(
        "jitter",
        "Jitter",
        input(initial.jitter, { placeholder: "none" }),
        "Spreads each run over this span after its time.",
      ),
      field(
        "group",
        "Queue group",
        input(initial.group, { placeholder: "default" }),
        "For distributed workers.",
      ),
      field("paused", editId === null ? "Create it paused" : "Paused", checkbox(initial.paused)),
    ),
  );

  const summary = h("div", { class: "error-summary", role: "alert", hidden: true });
  const submit = h(
    "button",
    { type: "submit", class: "button primary" },
    editId === null ? "Create job" : "Save changes",
  );
  const cancel = link(editId === null ? jobsHref() : jobHref(editId), "Cancel");
  cancel.className = "button";

  const form = h(
    "form",
    { class: "job-form", novalidate: true },
    summary,
    h(
      "fieldset",
      null,
      h("legend", null, "Job"),
      h(
        "div",
        { class: "row" },
        field("task", "Task", taskSelect, taskHelp),
        field(
          "id",
          "Job ID",
          idInput,
          editId === null
            ? "Unique; shown everywhere, used in run ids. Up to 200 characters."
            : "The id cannot change: create a new job instead.",
        ),
      ),
      field("description", "Description (optional)", description),
    ),
    schedule,
    h(
      "fieldset",
      null,
      h("legend", null, "Arguments"),
      field("args", "Arguments (JSON array)", args, "Passed to the task, in order: [] for none."),
      schemaBox,
    ),
    policies,
    tzList,
    h("div", { class: "actions" }, submit, cancel),
  );

  // ---- Behaviour --------------------------------------------------------------------------------
  const read = (): FormValues => {
    const value = (key: keyof FormValues): string => (controls.get(key)?.value ?? "").toString();
    const checked = (key: keyof FormValues): boolean =>
      (controls.get(key) as HTMLInputElement | undefined)?.checked === true;
    const mode = (form.querySelector<HTMLInputElement>('input[name="mode"]:checked')?.value ??
      "interval") as TriggerMode;
    return {
      task: value("task"),
      id: value("id"),
      description: value("description"),
      mode,
      interval: value("interval"),
      cron: value("cron"),
      cronTimezone: value("cronTimezone"),
      at: value("at"),
      atTimezone: value("atTimezone"),
      startIn: value("startIn"),
      frequency: value("frequency"),
      spec: value("spec"),
      args: value("args"),
      overlap: value("overlap") as FormValues["overlap"],
      maxConcurrent: value("maxConcurrent"),
      maxQueued: value("maxQueued"),
      misfireGrace: value("misfireGrace"),
      neverLate: checked("neverLate"),
      catchUp: value("catchUp") as FormValues["catchUp"],
      catchUpLimit: value("catchUpLimit"),
      retryAttempts: value("retryAttempts"),
      retryBackoff: value("retryBackoff") as FormValues["retryBackoff"],
      retryDelay: value("retryDelay"),
      retryMaxDelay: value("retryMaxDelay"),
      retryJitter: value("retryJitter") as FormValues["retryJitter"],
      timeout: value("timeout"),
      jitter: value("jitter"),
      group: value("group"),
      paused: checked("paused"),
    };
  };

  function setError(key: FieldKey, message: string): boolean {
    const slot = errors.get(key);
    if (!slot || slot.closest("[hidden]")) return false;
    slot.textContent = slot.textContent ? `${slot.textContent} ${message}` : message;
    controls.get(key)?.setAttribute("aria-invalid", "true");
    return true;
  }

  function clearErrors(keys: Iterable<FieldKey>): void {
    for (const key of keys) {
      const slot = errors.get(key);
      if (slot) slot.textContent = "";
      controls.get(key)?.removeAttribute("aria-invalid");
    }
  }

  function showErrors(list: readonly FieldError[]): void {
    // Errors without a field of their own (or whose field is hidden) are in the summary only.
    for (const e of list) setError(e.field, e.message);
    summary.hidden = false;
    summary.replaceChildren(
      h(
        "p",
        null,
        list.length === 1 ? "The job was not saved:" : `The job was not saved: ${list.length} problems.`,
      ),
      h(
        "ul",
        null,
        list.map((e) => h("li", null, e.message)),
      ),
    );
    const first = list.map((e) => controls.get(e.field)).find((c) => c && !c.closest("[hidden]"));
    if (first) first.focus();
    else {
      summary.setAttribute("tabindex", "-1");
      summary.focus();
    }
  }

  function showMode(): void {
    const mode = read().mode;
    for (const [m, group] of Object.entries(modeGroups)) group.hidden = m !== mode;
  }

  function showTask(): void {
    const task = tasks.find((t) => t.name === taskSelect.value);
    taskHelp.replaceChildren(
      task?.description ??
        (taskSelect.value
          ? "This task is not registered in the server."
          : "The registered tasks of the server."),
    );
    const template = argsTemplate(task?.argsSchema ?? null);
    args.placeholder = template ?? "[]";
    // A fresh form takes the schema's shape; what the user wrote is never overwritten.
    if (template && editId === null && (args.value.trim() === "" || args.value.trim() === "[]"))
      args.value = template;
    schemaBox.replaceChildren(
      task?.argsSchema
        ? h(
            "details",
            { open: true },
            h("summary", null, "The task's argument schema"),
            h("pre", { class: "code" }, jsonText(task.argsSchema)),
          )
        : muted("This task declares no argument schema: any JSON array is accepted."),
    );
  }

  let previewSeq = 0;
  let previewTimer: number | undefined;
  scope.add(() => window.clearTimeout(previewTimer));
  async function updatePreview(): Promise<void> {
    const values = read();
    const result = buildTrigger(values);
    const seq = ++previewSeq;
    clearErrors(TRIGGER_FIELDS);
    if (result.kind === "incomplete") {
      previewBody.replaceChildren(muted(result.hint));
      return;
    }
    if (result.kind === "invalid") {
      setError(result.error.field, result.error.message);
      previewBody.replaceChildren(h("p", { class: "field-error" }, "Fix the schedule to see its run times."));
      return;
    }
    previewBody.setAttribute("aria-busy", "true");
    try {
      const p = await ctx.api.previewTrigger(result.trigger, 5);
      if (seq !== previewSeq) return;
      previewBody.replaceChildren(renderPreview(ctx, p));
    } catch (error) {
      if (seq !== previewSeq) return;
      if (error instanceof ApiError && error.status === 400) {
        for (const e of errorsFromApi(error, values.mode))
          if (!setError(e.field, e.message)) setError("trigger", e.message);
        previewBody.replaceChildren(
          h("p", { class: "field-error" }, "This schedule is not valid: see the error above."),
        );
      } else {
        previewBody.replaceChildren(
          h("p", { class: "field-error" }, error instanceof Error ? error.message : "The preview failed."),
        );
      }
    } finally {
      if (seq === previewSeq) previewBody.removeAttribute("aria-busy");
    }
  }
  const schedulePreview = (): void => {
    window.clearTimeout(previewTimer);
    previewTimer = window.setTimeout(() => void updatePreview(), 250);
  };

  schedule.addEventListener("input", schedulePreview);
  schedule.addEventListener("change", (event) => {
    if ((event.target as HTMLInputElement).name === "mode") {
      showMode();
      void updatePreview();
    }
  });
  taskSelect.addEventListener("change", () => {
    clearErrors(["task"]);
    showTask();
  });
  let argsTimer: number | undefined;
  scope.add(() => window.clearTimeout(argsTimer));
  args.addEventListener("input", () => {
    window.clearTimeout(argsTimer);
    argsTimer = window.setTimeout(() => {
      clearErrors(["args"]);
      const parsed = parseArgs(args.value);
      if (!parsed.ok) setError("args", parsed.message);
    }, 400);
  });
  // A field the user changes loses its old error (the API's errors are about what was sent).
  form.addEventListener("input", (event) => {
    const key = (event.target as HTMLElement).getAttribute("name") as FieldKey | null;
    if (key && key !== "args" && !TRIGGER_FIELDS.includes(key)) clearErrors([key]);
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(errors.keys());
    summary.hidden = true;
    const values = read();
    const built = buildBody(values, editId === null ? "create" : "edit");
    if (!built.ok) {
      showErrors(built.errors);
      return;
    }
    submit.disabled = true;
    const request =
      editId === null
        ? ctx.api.createJob(built.body as Parameters<typeof ctx.api.createJob>[0])
        : ctx.api.replaceJob(editId, built.body);
    request
      .then((job) => {
        ctx.notify(editId === null ? `Created job ${job.id}.` : `Saved job ${job.id}.`);
        ctx.navigate(jobHref(job.id));
      })
      .catch((error: unknown) => {
        showErrors(
          error instanceof ApiError
            ? errorsFromApi(error, values.mode)
            : [{ field: "form", message: error instanceof Error ? error.message : "Saving failed." }],
        );
      })
      .finally(() => {
        submit.disabled = false;
      });
  });

  showMode();
  showTask();
  void updatePreview();
  return form;
}

function renderPreview(ctx: Ctx, p: TriggerPreview): HTMLElement {
  return h(
    "div",
    null,
    h("p", { class: "description" }, h("strong", null, p.description)),
    p.nextRunTimes.length === 0
      ? muted("It will not fire again.")
      : h(
          "ol",
          { class: "times", "aria-label": `The next ${p.nextRunTimes.length} run times` },
          p.nextRunTimes.map((t) => h("li", null, time(t), " ", countdown(t, ctx.clock))),
        ),
    h("p", { class: "muted small" }, `Times in your timezone, ${browserTimeZone()}.`),
  );
}

function timeZones(): string[] {
  try {
    const zones = Intl.supportedValuesOf("timeZone");
    return zones.includes("UTC") ? zones : ["UTC", ...zones];
  } catch {
    return ["UTC"];
  }
}
