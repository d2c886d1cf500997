/**
 * The job form's values, and the way between them and the API: a request body from what the user
 * typed, form values from an existing job, and the form field where each error the API reports
 * belongs. Pure functions (no DOM), tested under Node.
 *
 * The form sends only what the user filled in: an empty policy field means "the scheduler's
 * default", as it does for the API. Editing fills every field from the job, so that saving
 * (`PUT /jobs/{id}`, where what is left out goes back to its default) keeps what it had.
 */
import { durationInput } from "./format.js";
import type {
  BackoffKind,
  CatchUpPolicy,
  CreateJobRequest,
  ErrorDetail,
  Job,
  OverlapPolicy,
  ReplaceJobRequest,
  TriggerInput,
} from "./types.js";

/** The trigger forms the form offers. `start-in` is the seed's "start in" plus a frequency. */
export type TriggerMode = "interval" | "cron" | "date" | "start-in" | "spec";

export const TRIGGER_MODES: ReadonlyArray<readonly [TriggerMode, string]> = [
  ["interval", "Interval"],
  ["cron", "Cron"],
  ["date", "Once at a date"],
  ["start-in", "Delay, then interval"],
  ["spec", "Data (JSON)"],
];

export interface FormValues {
  task: string;
  id: string;
  description: string;
  mode: TriggerMode;
  /** interval mode: how often. */
  interval: string;
  cron: string;
  cronTimezone: string;
  /** date mode: a `datetime-local` value, wall-clock time in `atTimezone`. */
  at: string;
  atTimezone: string;
  /** start-in mode: the delay, and an optional frequency after it. */
  startIn: string;
  frequency: string;
  /** spec mode: the trigger as data, JSON text. */
  spec: string;
  /** JSON text of the arguments array. */
  args: string;
  overlap: "" | OverlapPolicy;
  maxConcurrent: string;
  maxQueued: string;
  misfireGrace: string;
  neverLate: boolean;
  catchUp: "" | CatchUpPolicy;
  catchUpLimit: string;
  retryAttempts: string;
  retryBackoff: "" | BackoffKind;
  retryDelay: string;
  retryMaxDelay: string;
  retryJitter: "" | "yes" | "no";
  timeout: string;
  jitter: string;
  group: string;
  paused: boolean;
}

/** A form field, or `trigger` (the schedule as a whole) and `form` (the form as a whole). */
export type FieldKey = keyof FormValues | "trigger" | "form";

export interface FieldError {
  field: FieldKey;
  message: string;
}

export function emptyValues(timezone: string): FormValues {
  return {
    task: "",
    id: "",
    description: "",
    mode: "interval",
    interval: "",
    cron: "",
    cronTimezone: timezone,
    at: "",
    atTimezone: timezone,
    startIn: "",
    frequency: "",
    spec: "",
    args: "[]",
    overlap: "",
    maxConcurrent: "",
    maxQueued: "",
    misfireGrace: "",
    neverLate: false,
    catchUp: "",
    catchUpLimit: "",
    retryAttempts: "",
    retryBackoff: "",
    retryDelay: "",
    retryMaxDelay: "",
    retryJitter: "",
    timeout: "",
    jitter: "",
    group: "",
    paused: false,
  };
}

type Spec = Job["trigger"] & Record<string, unknown>;

/** What the form shows for an existing job. Triggers the simple modes cannot hold go to `spec`. */
export function valuesFromJob(job: Job, fallbackTimezone: string): FormValues {
  const v = emptyValues(fallbackTimezone);
  v.task = job.taskName;
  v.id = job.id;
  v.description = job.description ?? "";
  v.args = JSON.stringify(
    job.args,
    null,
    job.args.length > 0 && JSON.stringify(job.args).length > 60 ? 2 : undefined,
  );
  v.paused = job.paused;

  const spec = job.trigger as Spec;
  const only = (...keys: string[]): boolean =>
    Object.keys(spec).every((k) => k === "kind" || k === "version" || keys.includes(k));
  if (
    spec.kind === "interval" &&
    typeof spec.everyMs === "number" &&
    only("everyMs", "anchorAt", "startAt") &&
    (spec.startAt === undefined || spec.startAt === spec.anchorAt)
  ) {
    v.mode = "interval";
    v.interval = durationInput(spec.everyMs);
  } else if (spec.kind === "cron" && typeof spec.expression === "string" && only("expression", "timezone")) {
    v.mode = "cron";
    v.cron = spec.expression;
    if (typeof spec.timezone === "string") v.cronTimezone = spec.timezone;
  } else if (
    spec.kind === "date" &&
    typeof spec.at === "string" &&
    only("at", "startAt") &&
    (spec.startAt === undefined || spec.startAt === spec.at)
  ) {
    v.mode = "date";
    // The instant in UTC, as wall-clock time: what a datetime-local field holds.
    v.at = new Date(spec.at).toISOString().slice(0, 19);
    v.atTimezone = "UTC";
  } else {
    v.mode = "spec";
  }
  v.spec = JSON.stringify(job.trigger, null, 2);

  const p = job.policy;
  v.overlap = p.overlap;
  v.maxConcurrent = p.maxConcurrent === null ? "" : String(p.maxConcurrent);
  v.maxQueued = String(p.maxQueued);
  v.neverLate = p.misfireGraceMs === null;
  v.misfireGrace = p.misfireGraceMs === null ? "" : durationInput(p.misfireGraceMs);
  v.catchUp = p.catchUp;
  v.catchUpLimit = String(p.catchUpLimit);
  v.retryAttempts = String(p.retry.attempts);
  v.retryBackoff = p.retry.backoff;
  v.retryDelay = durationInput(p.retry.delayMs);
  v.retryMaxDelay = durationInput(p.retry.maxDelayMs);
  v.retryJitter = p.retry.jitter ? "yes" : "no";
  v.timeout = p.timeoutMs === null ? "" : durationInput(p.timeoutMs);
  v.jitter = p.jitterMs === 0 ? "" : durationInput(p.jitterMs);
  v.group = p.group;
  return v;
}

export type TriggerResult =
  | { kind: "ok"; trigger: TriggerInput }
  /** Not filled in far enough to ask the API: a hint, not an error. */
  | { kind: "incomplete"; hint: string }
  | { kind: "invalid"; error: FieldError };

/** The trigger of the form's current mode. */
export function buildTrigger(v: FormValues): TriggerResult {
  const t = (s: string): string => s.trim();
  switch (v.mode) {
    case "interval":
      if (t(v.interval) === "")
        return { kind: "incomplete", hint: 'Type how often it runs, like "30s", "5m" or "1h30m".' };
      return { kind: "ok", trigger: { interval: t(v.interval) } };
    case "cron":
      if (t(v.cron) === "")
        return { kind: "incomplete", hint: 'Type a cron expression, like "0 9 * * MON-FRI".' };
      return {
        kind: "ok",
        trigger: { cron: t(v.cron), ...(t(v.cronTimezone) === "" ? {} : { timezone: t(v.cronTimezone) }) },
      };
    case "date":
      if (t(v.at) === "") return { kind: "incomplete", hint: "Pick the date and time of the single run." };
      return {
        kind: "ok",
        trigger: { at: t(v.at), ...(t(v.atTimezone) === "" ? {} : { timezone: t(v.atTimezone) }) },
      };
    case "start-in":
      if (t(v.startIn) === "")
        return { kind: "incomplete", hint: 'Type when the first run is, like "10s" or "30m".' };
      return {
        kind: "ok",
        trigger: { startIn: t(v.startIn), ...(t(v.frequency) === "" ? {} : { interval: t(v.frequency) }) },
      };
    case "spec": {
      if (t(v.spec) === "")
        return {
          kind: "incomplete",
          hint: 'Write the trigger as data, like { "kind": "cron", "version": 1, "expression": "0 9 * * *" }.',
        };
      const parsed = parseJson(v.spec);
      if (!parsed.ok)
        return { kind: "invalid", error: { field: "spec", message: `Not valid JSON: ${parsed.message}` } };
      if (typeof parsed.value !== "object" || parsed.value === null || Array.isArray(parsed.value)) {
        return {
          kind: "invalid",
          error: {
            field: "spec",
            message: 'Expected a JSON object like { "kind": "interval", "version": 1, "everyMs": 60000 }.',
          },
        };
      }
      return { kind: "ok", trigger: { spec: parsed.value as NonNullable<TriggerInput["spec"]> } };
    }
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : "syntax error" };
  }
}

/** Checks the arguments text: a JSON array, or the error to show at the field. */
export function parseArgs(text: string): { ok: true; args: unknown[] } | { ok: false; message: string } {
  if (text.trim() === "") return { ok: true, args: [] };
  const parsed = parseJson(text);
  if (!parsed.ok) return { ok: false, message: `Not valid JSON: ${parsed.message}` };
  if (!Array.isArray(parsed.value)) {
    return {
      ok: false,
      message: 'Expected a JSON array of the task\'s arguments, like ["Hello"] or [] for none.',
    };
  }
  return { ok: true, args: parsed.value as unknown[] };
}

/** The body of POST /jobs (with `id`) or PUT /jobs/{id}, or the errors found before sending. */
export function buildBody(
  v: FormValues,
  mode: "create" | "edit",
): { ok: true; body: CreateJobRequest | ReplaceJobRequest } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const trigger = buildTrigger(v);
  if (trigger.kind === "invalid") errors.push(trigger.error);
  if (trigger.kind === "incomplete") errors.push({ field: triggerFieldOf(v.mode), message: trigger.hint });
  const args = parseArgs(v.args);
  if (!args.ok) errors.push({ field: "args", message: args.message });
  if (v.task === "") errors.push({ field: "task", message: "Choose the task this job runs." });
  if (mode === "create" && v.id.trim() === "")
    errors.push({ field: "id", message: "Give the job an id, like daily-report." });

  const int = (field: keyof FormValues, text: string): number | undefined => {
    const s = text.trim();
    if (s === "") return undefined;
    const n = Number(s);
    // The API checks ranges; a number field can still hold "1e3" or "1.5", which it reports too.
    if (!Number.isFinite(n)) errors.push({ field, message: "Expected a whole number." });
    return n;
  };
  const text = (s: string): string | undefined => (s.trim() === "" ? undefined : s.trim());

  const retry = {
    attempts: int("retryAttempts", v.retryAttempts),
    backoff: v.retryBackoff === "" ? undefined : v.retryBackoff,
    delay: text(v.retryDelay),
    maxDelay: text(v.retryMaxDelay),
    jitter: v.retryJitter === "" ? undefined : v.retryJitter === "yes",
  };
  const policies = {
    overlap: v.overlap === "" ? undefined : v.overlap,
    maxConcurrent: int("maxConcurrent", v.maxConcurrent),
    maxQueued: int("maxQueued", v.maxQueued),
    misfireGrace: v.neverLate ? null : text(v.misfireGrace),
    catchUp: v.catchUp === "" ? undefined : v.catchUp,
    catchUpLimit: int("catchUpLimit", v.catchUpLimit),
    retry: Object.values(retry).some((x) => x !== undefined) ? dropUndefined(retry) : undefined,
    timeout: text(v.timeout),
    jitter: text(v.jitter),
    group: text(v.group),
  };
  if (errors.length > 0 || trigger.kind !== "ok" || !args.ok) return { ok: false, errors };

  const body = dropUndefined({
    task: v.task,
    trigger: trigger.trigger,
    args: args.args,
    description: text(v.description),
    paused: v.paused ? true : mode === "edit" ? false : undefined,
    ...policies,
  }) as ReplaceJobRequest;
  return { ok: true, body: mode === "create" ? { id: v.id.trim(), ...body } : body };
}

function dropUndefined<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

/** The field holding the main value of a trigger mode. */
export function triggerFieldOf(mode: TriggerMode): FieldKey {
  return { interval: "interval", cron: "cron", date: "at", "start-in": "startIn", spec: "spec" }[
    mode
  ] as FieldKey;
}

const POLICY_FIELDS: Record<string, FieldKey> = {
  overlap: "overlap",
  maxConcurrent: "maxConcurrent",
  maxQueued: "maxQueued",
  misfireGrace: "misfireGrace",
  catchUp: "catchUp",
  catchUpLimit: "catchUpLimit",
  retry: "retryAttempts",
  "retry.attempts": "retryAttempts",
  "retry.backoff": "retryBackoff",
  "retry.delay": "retryDelay",
  "retry.maxDelay": "retryMaxDelay",
  "retry.jitter": "retryJitter",
  timeout: "timeout",
  jitter: "jitter",
  group: "group",
  id: "id",
  task: "task",
  description: "description",
  paused: "paused",
};

/**
 * The form field of an error path from the API (`trigger.cron`, `retry.attempts`, `args[0]`), in
 * the form's current trigger mode; `trigger` for the schedule as a whole, `form` when none fits.
 */
export function fieldForPath(path: string, mode: TriggerMode): FieldKey {
  if (path === "args" || path.startsWith("args[") || path.startsWith("args.")) return "args";
  if (path === "trigger.spec" || path.startsWith("trigger.spec.") || path.startsWith("trigger.spec["))
    return "spec";
  if (path === "trigger.interval")
    return mode === "start-in" ? "frequency" : mode === "interval" ? "interval" : "trigger";
  if (path === "trigger.startIn") return mode === "start-in" ? "startIn" : "trigger";
  if (path === "trigger.cron") return mode === "cron" ? "cron" : "trigger";
  if (path === "trigger.at") return mode === "date" ? "at" : "trigger";
  if (path === "trigger.timezone")
    return mode === "date" ? "atTimezone" : mode === "cron" ? "cronTimezone" : "trigger";
  if (path === "trigger" || path.startsWith("trigger.")) return "trigger";
  return POLICY_FIELDS[path] ?? "form";
}

/**
 * The API's error, field by field. One problem: the envelope's message, which is the most precise
 * ("Expected the minute field (1st) to be 0-59, got "61""). Several: each detail's own words.
 */
export function errorsFromApi(
  error: { code: string; message: string; details: readonly ErrorDetail[] },
  mode: TriggerMode,
): FieldError[] {
  if (error.code === "DUPLICATE_JOB") return [{ field: "id", message: error.message }];
  if (error.details.length === 0) return [{ field: "form", message: error.message }];
  if (error.details.length === 1)
    return [{ field: fieldForPath(error.details[0]!.path, mode), message: error.message }];
  return error.details.map((d) => ({
    field: fieldForPath(d.path, mode),
    message: `Expected ${d.expected}, got ${d.received}.`,
  }));
}

/**
 * An example arguments array from a task's JSON Schema (`prefixItems` or `items`), so the user
 * starts from the right shape: `["", 0]`.
 */
export function argsTemplate(schema: Record<string, unknown> | null): string | null {
  if (!schema) return null;
  const items = Array.isArray(schema.prefixItems) ? (schema.prefixItems as unknown[]) : null;
  if (!items) return null;
  const example = items.map((item) => {
    const type = (item as { type?: unknown } | null)?.type;
    switch (type) {
      case "string":
        return "";
      case "number":
      case "integer":
        return 0;
      case "boolean":
        return false;
      case "array":
        return [];
      case "object":
        return {};
      default:
        return null;
    }
  });
  return JSON.stringify(example);
}
