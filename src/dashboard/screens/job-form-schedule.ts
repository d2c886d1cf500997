/**
 * The job form's schedule: the kind of trigger, the fields of each kind (only the chosen kind's are
 * shown), and the preview box that `job-form.ts` fills from `POST /triggers/preview`.
 */
import { h } from "../dom.js";
import { browserTimeZone } from "../format.js";
import { type FieldKey, type FormValues, type TriggerMode, TRIGGER_MODES } from "../form-model.js";
import type { TriggerPreview } from "../types.js";
import { type Ctx, countdown, muted, time } from "../ui.js";
import { type Fields, input } from "./form-fields.js";

export function scheduleFieldset(
  fields: Fields<FieldKey>,
  initial: FormValues,
): {
  schedule: HTMLElement;
  modeGroups: Record<TriggerMode, HTMLElement>;
  previewBody: HTMLElement;
  tzList: HTMLElement;
} {
  const field = fields.field.bind(fields);
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
  const triggerError = fields.errorSlot("trigger");

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

  return { schedule, modeGroups, previewBody, tzList };
}

/** What the preview box shows: the trigger in words and its next run times, counting down. */
export function renderPreview(ctx: Ctx, p: TriggerPreview): HTMLElement {
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

/** The timezone names the browser knows, for the timezone fields' suggestions. */
function timeZones(): string[] {
  try {
    const zones = Intl.supportedValuesOf("timeZone");
    return zones.includes("UTC") ? zones : ["UTC", ...zones];
  } catch {
    return ["UTC"];
  }
}
