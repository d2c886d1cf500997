/** Runs: one record per occurrence, executed or recorded as skipped, missed or cancelled. */
import { z } from "zod";
import {
  CursorSchema,
  DateTimeSchema,
  JobIdSchema,
  QueryDateTimeSchema,
  pageOf,
  queryInt,
  queryList,
} from "./common.js";
import { ATTEMPT_OUTCOMES, RUN_ORIGINS, RUN_REASONS, RUN_STATUSES } from "./enums.js";
import { SerializedErrorSchema } from "./jobs.js";

export const AttemptSchema = z.object({
  attempt: z.number().int(),
  startedAt: DateTimeSchema,
  endedAt: DateTimeSchema.nullable(),
  durationMs: z.number().nullable(),
  outcome: z.enum(ATTEMPT_OUTCOMES).nullable(),
  error: SerializedErrorSchema.nullable(),
  /** The scheduler or worker that executed it. */
  worker: z.string().nullable(),
});

export const RunSchema = z.object({
  /** `<job id>@<scheduled instant>`: the occurrence's identity and the task's idempotency key. */
  id: z.string(),
  jobId: z.string(),
  taskName: z.string(),
  origin: z.enum(RUN_ORIGINS),
  scheduledAt: DateTimeSchema,
  dueAt: DateTimeSchema,
  firedAt: DateTimeSchema,
  status: z.enum(RUN_STATUSES),
  /** Why it ended as it did, for every outcome but success. */
  reason: z.enum(RUN_REASONS).nullable(),
  args: z.array(z.unknown()),
  startedAt: DateTimeSchema.nullable(),
  endedAt: DateTimeSchema.nullable(),
  durationMs: z.number().nullable(),
  attempts: z.array(AttemptSchema),
  maxAttempts: z.number().int(),
  nextAttemptAt: DateTimeSchema.nullable(),
  error: SerializedErrorSchema.nullable(),
  worker: z.string().nullable(),
  /** Several missed occurrences recorded as one (a long downtime): how many, up to when. */
  coalesced: z.object({ count: z.number().int(), lastScheduledAt: DateTimeSchema }).nullable(),
});

export const RunPageSchema = pageOf(RunSchema);

const runQueryShape = {
  status: queryList(RUN_STATUSES).optional().meta({ description: "Only runs with one of these statuses." }),
  from: QueryDateTimeSchema.optional().meta({ description: "Runs scheduled at or after this instant." }),
  to: QueryDateTimeSchema.optional().meta({ description: "Runs scheduled before this instant." }),
  cursor: CursorSchema.optional(),
  limit: queryInt(1, 1000).optional().meta({ description: "Page size, 1 to 1000. Default 100." }),
};

/** GET /runs: every job's runs, newest first. */
export const RunListQuerySchema = z.strictObject({
  job: JobIdSchema.optional().meta({ description: "Only this job's runs." }),
  ...runQueryShape,
});

/** GET /jobs/{id}/runs: one job's runs, newest first. */
export const JobRunListQuerySchema = z.strictObject(runQueryShape);

export type Run = z.output<typeof RunSchema>;
export type RunPage = z.output<typeof RunPageSchema>;
export type Attempt = z.output<typeof AttemptSchema>;
