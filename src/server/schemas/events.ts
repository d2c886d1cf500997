/**
 * The live event stream (GET /events, server-sent events): the scheduler's events as JSON, plus
 * `hello` when a stream opens and `reset` when events were lost and the client should reload.
 */
import { z } from "zod";
import type { CronqEventName } from "../../core/events.js";
import { DateTimeSchema } from "./common.js";
import { JobSchema } from "./jobs.js";
import { RunSchema } from "./runs.js";

/**
 * Every scheduler event the stream carries. `error` stays in the server's log (it may hold
 * internals), and `lease:lost` in the metrics (`lease_losses_total`).
 */
export const STREAMED_EVENT_NAMES = [
  "scheduler:started",
  "scheduler:stopped",
  "scheduler:paused",
  "scheduler:resumed",
  "job:added",
  "job:updated",
  "job:removed",
  "job:paused",
  "job:resumed",
  "job:task-missing",
  "run:fired",
  "run:waiting",
  "run:started",
  "run:succeeded",
  "run:failed",
  "run:retrying",
  "run:skipped",
  "run:missed",
  "run:cancelled",
] as const satisfies readonly Exclude<CronqEventName, UnstreamedEvent>[];

type UnstreamedEvent = "error" | "lease:lost";

// Compiles only while the list above names every event but the unstreamed ones.
type MissingStreamedEvent = Exclude<
  Exclude<CronqEventName, UnstreamedEvent>,
  (typeof STREAMED_EVENT_NAMES)[number]
>;
const _everyEventStreamed: [MissingStreamedEvent] extends [never] ? true : MissingStreamedEvent = true;
void _everyEventStreamed;

export type StreamedEventName = (typeof STREAMED_EVENT_NAMES)[number];

export const EventsQuerySchema = z.strictObject({
  types: z
    .string()
    .max(2000)
    .regex(/^[a-z:*,-]+$/, 'event names or prefixes like "run:*", comma-separated')
    .optional()
    .meta({
      description:
        'Only these events: names or prefixes, comma-separated ("run:*,job:removed"). Default: all.',
    }),
  job: z.string().min(1).max(200).optional().meta({ description: "Only events of this job." }),
  token: z.string().min(1).max(1000).optional().meta({
    description:
      "A short-lived events token from POST /session, for clients that cannot send headers (EventSource).",
  }),
});

export const HelloEventSchema = z.object({
  now: DateTimeSchema,
  schedulerId: z.string(),
  /** Whether the events since the client's `Last-Event-ID` were replayed before this one. */
  resumed: z.boolean(),
});

export const ResetEventSchema = z.object({
  /** Why the client must reload what it shows: events were dropped or the server restarted. */
  reason: z.enum(["too-old", "server-restarted"]),
});

export const SchedulerEventSchema = z.object({ schedulerId: z.string() });
export const JobEventSchema = z.object({ job: JobSchema });
export const JobRemovedEventSchema = z.object({ jobId: z.string() });
export const TaskMissingEventSchema = z.object({ jobId: z.string(), taskName: z.string() });
export const RunEventSchema = z.object({ run: RunSchema });
export const RunFiredEventSchema = z.object({
  run: RunSchema,
  /** How late the scheduler fired it, in milliseconds. */
  lateMs: z.number(),
});

/** The `data` of each event, by name. */
export const EVENT_DATA_SCHEMAS = {
  hello: HelloEventSchema,
  reset: ResetEventSchema,
  "scheduler:started": SchedulerEventSchema,
  "scheduler:stopped": SchedulerEventSchema,
  "scheduler:paused": SchedulerEventSchema,
  "scheduler:resumed": SchedulerEventSchema,
  "job:added": JobEventSchema,
  "job:updated": JobEventSchema,
  "job:removed": JobRemovedEventSchema,
  "job:paused": JobEventSchema,
  "job:resumed": JobEventSchema,
  "job:task-missing": TaskMissingEventSchema,
  "run:fired": RunFiredEventSchema,
  "run:waiting": RunEventSchema,
  "run:started": RunEventSchema,
  "run:succeeded": RunEventSchema,
  "run:failed": RunEventSchema,
  "run:retrying": RunEventSchema,
  "run:skipped": RunEventSchema,
  "run:missed": RunEventSchema,
  "run:cancelled": RunEventSchema,
} as const satisfies Record<StreamedEventName | "hello" | "reset", z.ZodType>;

export type ServerEventName = keyof typeof EVENT_DATA_SCHEMAS;
export type ServerEventData<K extends ServerEventName> = z.output<(typeof EVENT_DATA_SCHEMAS)[K]>;
