/**
 * The time engine: triggers answer "when does this job fire next?". Explicit named exports only.
 */
export type {
  CalendarOptions,
  CalendarTriggerSpec,
  CronTriggerSpec,
  DateInput,
  DateTriggerSpec,
  DstPolicy,
  IntersectionTriggerSpec,
  IntervalTriggerSpec,
  Trigger,
  TriggerContext,
  TriggerKind,
  TriggerOptions,
  TriggerSpec,
  TriggerSpecBase,
  UnionTriggerSpec,
} from "./trigger.js";
export { triggerFromOptions } from "./options.js";
export { triggerFromSpec, boundTrigger, MAX_SPEC_DEPTH } from "./spec.js";
export { cronTrigger, CronTrigger, type CronTriggerOptions } from "./cron.js";
export { intervalTrigger, IntervalTrigger, type IntervalTriggerOptions } from "./interval.js";
export { dateTrigger, DateTrigger, type DateTriggerOptions } from "./date.js";
export {
  calendarTrigger,
  CalendarTrigger,
  type CalendarTriggerOptions,
  type CalendarRule,
} from "./calendar-interval.js";
export {
  unionTrigger,
  intersectionTrigger,
  UnionTrigger,
  IntersectionTrigger,
  type CombineOptions,
  MAX_COMBINED_TRIGGERS,
  MAX_INTERSECTION_STEPS,
} from "./combine.js";
export { jitterOffsetMs } from "./jitter.js";
export { parseCron, type CronFields } from "./cron-parse.js";
export { getTimeZone, formatInZone, type TimeZone } from "./timezone.js";
export { describeTrigger } from "./describe-trigger.js";
