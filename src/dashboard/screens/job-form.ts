/**
 * New job and edit job: task (from the registry), id, trigger (interval, cron with timezone, a
 * date, or "start in" plus a frequency as in the seed, or a trigger as data), arguments as JSON with
 * the task's schema, and every policy. While the schedule is typed, `POST /triggers/preview` shows
 * it in words with its next 5 run times; every error the API reports is shown at its field.
 */
import { ApiError } from "../api.js";
import { h, link } from "../dom.js";
import { browserTimeZone, jsonText } from "../format.js";
import {
  type FieldKey,
  type FormValues,
  type TriggerMode,
  argsTemplate,
  buildBody,
  buildTrigger,
  emptyValues,
  errorsFromApi,
  parseArgs,
  valuesFromJob,
} from "../form-model.js";
import { jobHref, jobsHref } from "../routes.js";
import type { Task } from "../types.js";
import { type Ctx, type Screen, Scope, Slot, muted } from "../ui.js";
import { Fields, input, select } from "./form-fields.js";
import { policiesFieldset } from "./job-form-policies.js";
import { renderPreview, scheduleFieldset } from "./job-form-schedule.js";

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
  const fields = new Fields<FieldKey>();
  const field = fields.field.bind(fields);

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

  const { schedule, modeGroups, previewBody, tzList } = scheduleFieldset(fields, initial);

  // ---- Arguments --------------------------------------------------------------------------------
  const args = h("textarea", { rows: 3, class: "mono", spellcheck: "false", value: initial.args });
  const schemaBox = h("div", { class: "schema" });

  const policies = policiesFieldset(fields, initial, editId === null);

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
    const value = (key: keyof FormValues): string => fields.value(key);
    const checked = (key: keyof FormValues): boolean => fields.checked(key);
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
    fields.clear(TRIGGER_FIELDS);
    if (result.kind === "incomplete") {
      previewBody.replaceChildren(muted(result.hint));
      return;
    }
    if (result.kind === "invalid") {
      fields.setError(result.error.field, result.error.message);
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
          if (!fields.setError(e.field, e.message)) fields.setError("trigger", e.message);
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
    fields.clear(["task"]);
    showTask();
  });
  let argsTimer: number | undefined;
  scope.add(() => window.clearTimeout(argsTimer));
  args.addEventListener("input", () => {
    window.clearTimeout(argsTimer);
    argsTimer = window.setTimeout(() => {
      fields.clear(["args"]);
      const parsed = parseArgs(args.value);
      if (!parsed.ok) fields.setError("args", parsed.message);
    }, 400);
  });
  // A field the user changes loses its old error (the API's errors are about what was sent).
  form.addEventListener("input", (event) => {
    const key = (event.target as HTMLElement).getAttribute("name") as FieldKey | null;
    if (key && key !== "args" && !TRIGGER_FIELDS.includes(key)) fields.clear([key]);
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    fields.clear();
    summary.hidden = true;
    const values = read();
    const built = buildBody(values, editId === null ? "create" : "edit");
    if (!built.ok) {
      fields.showErrors(summary, built.errors, "The job was not saved");
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
        fields.showErrors(
          summary,
          error instanceof ApiError
            ? errorsFromApi(error, values.mode)
            : [{ field: "form", message: error instanceof Error ? error.message : "Saving failed." }],
          "The job was not saved",
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
