/**
 * Triggers as clients write them (the library's `TriggerOptions`, with `spec` for a trigger given
 * as data) and the preview endpoint that the dashboard's form calls while the user types.
 *
 * zod checks shapes and types; the time engine (`triggerFromOptions`, `triggerFromSpec`) checks
 * meaning (cron syntax, timezone names, durations, dates) and names the field at fault, which the
 * API reports with the same envelope.
 */
import { z } from "zod";
import { DateTimeSchema } from "./common.js";
import { TRIGGER_KINDS } from "./enums.js";

export const DurationSchema = z.union([z.number().nonnegative(), z.string().min(1).max(100)]).meta({
  description:
    'A duration: "30s", "1h30m", "500ms", "1.5h", an ISO 8601 duration like "PT1H30M", or a number of seconds.',
  examples: ["30s", "1h30m", 90],
});

export const DateInputSchema = z.union([z.string().min(1).max(100), z.number()]).meta({
  description:
    'An instant: ISO 8601 ("2026-12-01T09:00:00Z"; without an offset it is local time in `timezone`), or epoch milliseconds.',
  examples: ["2026-12-01T09:00:00Z"],
});

export const DstPolicySchema = z
  .strictObject({
    gap: z.enum(["shift", "skip"]).optional(),
    fold: z.enum(["first", "second", "both"]).optional(),
  })
  .meta({ description: "How a fixed-time cron or calendar trigger treats DST transitions." });

export const CalendarInputSchema = z
  .strictObject({
    every: z.number().int().optional().meta({ description: "How many units between fires. Default 1." }),
    unit: z.enum(["day", "week", "month", "year"]),
    time: z
      .string()
      .max(16)
      .optional()
      .meta({ description: 'Wall-clock time "HH:MM" or "HH:MM:SS". Default "00:00".' }),
    dayOfMonth: z.number().int().optional(),
    month: z.number().int().optional(),
    weekdays: z
      .array(z.number().int())
      .max(7)
      .optional()
      .meta({ description: "ISO weekdays, 1 (Monday) to 7 (Sunday)." }),
  })
  .meta({ description: "Every N days, weeks, months or years at a wall-clock time in `timezone`." });

/** A trigger as data, as jobs return it (`{ kind, version: 1, ... }`); the time engine validates the rest. */
export const TriggerSpecSchema = z
  .looseObject({
    kind: z.enum(TRIGGER_KINDS),
    version: z.literal(1),
  })
  .meta({
    description:
      "A trigger as data, as a job's `trigger` field shows it: `{ kind, version: 1, ... }`. Unions and intersections of triggers are written this way.",
  });

/** What a client writes to say when a job fires. The keys are the library's `TriggerOptions`, plus `spec`. */
export const TriggerInputSchema = z
  .strictObject({
    interval: DurationSchema.optional().meta({ description: "Fire every fixed span of elapsed time." }),
    cron: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .meta({
        description: '5 fields, 6 with seconds first, or a macro such as "@daily".',
        examples: ["0 9 * * MON-FRI"],
      }),
    at: DateInputSchema.optional().meta({ description: "Fire once at this instant." }),
    calendar: CalendarInputSchema.optional(),
    spec: TriggerSpecSchema.optional(),
    startIn: DurationSchema.optional().meta({
      description: "Delay before the first fire (with `interval`), or before the single fire (alone).",
    }),
    startAt: DateInputSchema.optional().meta({ description: "No fire before this instant." }),
    endAt: DateInputSchema.optional().meta({ description: "No fire after this instant." }),
    timezone: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .meta({
        description: "IANA timezone of a cron or calendar trigger. Default: the scheduler's.",
        examples: ["Europe/Berlin"],
      }),
    dst: DstPolicySchema.optional(),
    cronDayMatch: z.enum(["or", "and"]).optional(),
  })
  .meta({
    description:
      "Exactly one of `interval`, `cron`, `at`, `calendar` or `spec`, or only `startIn`/`startAt` for a single run after a delay.",
  });

export type TriggerInput = z.output<typeof TriggerInputSchema>;

/** The keys of {@link TriggerInputSchema}: the library's trigger option names, plus `spec`. */
export const TRIGGER_INPUT_KEYS: ReadonlySet<string> = new Set(Object.keys(TriggerInputSchema.shape));

export const TriggerPreviewRequestSchema = z.strictObject({
  trigger: TriggerInputSchema,
  /** How many fire times to compute. */
  count: z.number().int().min(1).max(100).optional().meta({ description: "How many fire times. Default 5." }),
  /** Count from this instant instead of now. */
  after: z.iso.datetime({ offset: true }).optional(),
});

export const TriggerPreviewSchema = z.object({
  kind: z.enum(TRIGGER_KINDS),
  recurring: z.boolean(),
  /** The trigger in words: "every 5 minutes", "at 09:00, Monday through Friday, Europe/Berlin". */
  description: z.string(),
  timezone: z.string().nullable(),
  /** The trigger as data: what the job's `trigger` field will hold. */
  spec: TriggerSpecSchema,
  /** The next fire times, earliest first; fewer than asked when the trigger ends. */
  nextRunTimes: z.array(DateTimeSchema),
});

export type TriggerPreview = z.output<typeof TriggerPreviewSchema>;
