/** The job form's policies: every one, empty meaning the scheduler's default. */
import type { FieldKey, FormValues } from "../form-model.js";
import { h } from "../dom.js";
import { BACKOFF_KINDS, CATCH_UP_POLICIES, OVERLAP_POLICIES } from "../types.js";
import { type Fields, checkbox, input, select } from "./form-fields.js";

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

export function policiesFieldset(
  fields: Fields<FieldKey>,
  initial: FormValues,
  creating: boolean,
): HTMLElement {
  const field = fields.field.bind(fields);
  const dflt = creating ? "Scheduler default" : "Default";
  return h(
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
      field("paused", creating ? "Create it paused" : "Paused", checkbox(initial.paused)),
    ),
  );
}
