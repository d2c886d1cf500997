import { triggerFromSpec } from "./spec.js";
import type { Trigger, TriggerSpecBase } from "./trigger.js";

/** A trigger, or its JSON spec, in plain English: "every 5 minutes", "at 09:00, Monday through Friday, Europe/Berlin". */
export function describeTrigger(trigger: Trigger | TriggerSpecBase): string {
  const t =
    typeof (trigger as Partial<Trigger>).describe === "function"
      ? (trigger as Trigger)
      : triggerFromSpec(trigger);
  return t.describe();
}
