/**
 * From request bodies to the library's options, and back from the library's field names to the
 * request's paths, so that an error about `interval` points at `trigger.interval` in the body the
 * client sent (and the dashboard can show it next to the right form field).
 */
import type { JobChanges, JobOptions } from "../core/scheduler/scheduler.js";
import type { TriggerOptions } from "../core/triggers/trigger.js";
import type { FieldMapper } from "./errors.js";
import type { PatchJobRequest, ReplaceJobRequest } from "./schemas/jobs.js";
import type { TriggerInput } from "./schemas/triggers.js";

/** The library's trigger option names (the API's, with `trigger` for the API's `spec`). */
const TRIGGER_OPTION_KEYS: ReadonlySet<string> = new Set([
  "interval",
  "cron",
  "at",
  "calendar",
  "trigger",
  "startIn",
  "startAt",
  "endAt",
  "timezone",
  "dst",
  "cronDayMatch",
]);

/** The API writes a trigger given as data under `spec`; the library under `trigger`. */
export function toTriggerOptions(input: TriggerInput): TriggerOptions {
  const { spec, ...rest } = input;
  return (spec === undefined ? rest : { ...rest, trigger: spec }) as TriggerOptions;
}

/** Body of POST (without `id`) or PUT -> `addJob` options. */
export function toJobOptions(body: Omit<ReplaceJobRequest, "task">): JobOptions {
  const { trigger, ...rest } = body;
  // The schema admits exactly the library's option names; the scheduler validates their values.
  return { ...toTriggerOptions(trigger), ...rest } as JobOptions;
}

/** Body of PATCH without `trigger` and `paused` -> `modifyJob` changes. */
export function toJobChanges(body: Omit<PatchJobRequest, "trigger" | "paused">): JobChanges {
  return { ...body } as JobChanges;
}

/**
 * Maps the field of a trigger error to its path under `prefix` (`trigger.` in job bodies).
 * A trigger given as data (`spec`) reports its own fields (`expression`, `triggers[1].everyMs`);
 * they live under `<prefix>spec.`.
 */
export function triggerFieldMapper(input: TriggerInput | undefined, prefix = "trigger."): FieldMapper {
  const specMode = input?.spec !== undefined;
  const given = new Set(Object.keys(input ?? {}));
  return (field) => {
    const root = rootOf(field);
    // The library's `trigger` is the API's `spec`, or, when none of the trigger fields came, the whole trigger.
    if (field === "trigger") return specMode ? `${prefix}spec` : prefix.replace(/\.$/, "") || "trigger";
    // With a spec, a field the client did not write beside it can only be one of the spec's own.
    if (specMode && !given.has(root)) return `${prefix}spec.${field}`;
    if (field === "options") return prefix.replace(/\.$/, "") || "trigger";
    if (TRIGGER_OPTION_KEYS.has(root)) return prefix + field;
    return field;
  };
}

/** For job bodies: trigger fields under `trigger.`, everything else (policies, args) where it is. */
export function jobFieldMapper(trigger: TriggerInput | undefined): FieldMapper {
  const triggerMap = triggerFieldMapper(trigger, "trigger.");
  const NOT_TRIGGER = new Set(["id", "task", "args", "description", "paused", "changes"]);
  return (field) => {
    const root = rootOf(field);
    if (NOT_TRIGGER.has(root) || isPolicyField(root)) return field === "changes" ? "" : field;
    return triggerMap(field);
  };
}

const POLICY_FIELDS = new Set([
  "overlap",
  "maxConcurrent",
  "maxQueued",
  "misfireGrace",
  "catchUp",
  "catchUpLimit",
  "retry",
  "timeout",
  "jitter",
  "group",
]);

function isPolicyField(root: string): boolean {
  return POLICY_FIELDS.has(root);
}

function rootOf(field: string): string {
  const match = /^[^.[]*/.exec(field);
  return match ? match[0] : field;
}
