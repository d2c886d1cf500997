/** Jobs: what clients send to create and change them, and what the API returns about them. */
import { z } from "zod";
import {
  CursorSchema,
  DateTimeSchema,
  JobIdSchema,
  TaskNameSchema,
  pageOf,
  queryInt,
  queryList,
} from "./common.js";
import {
  BACKOFF_KIND_LIST,
  CATCH_UP_POLICY_LIST,
  JOB_STATUSES,
  JOB_TYPES,
  OVERLAP_POLICY_LIST,
  RUN_STATUSES,
} from "./enums.js";
import { DurationSchema, TriggerInputSchema, TriggerSpecSchema } from "./triggers.js";

// ---- Requests -------------------------------------------------------------------------------

export const RetryInputSchema = z.strictObject({
  attempts: z
    .number()
    .int()
    .optional()
    .meta({ description: "Total attempts, the first included. Default 1." }),
  backoff: z.enum(BACKOFF_KIND_LIST).optional(),
  delay: DurationSchema.optional().meta({ description: 'Delay before the first retry. Default "1s".' }),
  maxDelay: DurationSchema.optional().meta({ description: 'Upper bound of any delay. Default "1h".' }),
  jitter: z.boolean().optional(),
});

/** The library's `JobPolicyOptions`, field for field. The scheduler checks ranges and durations. */
export const PolicyInputShape = {
  overlap: z
    .enum(OVERLAP_POLICY_LIST)
    .optional()
    .meta({ description: 'When a fire comes while the job runs. Default "skip".' }),
  maxConcurrent: z
    .number()
    .int()
    .nullable()
    .optional()
    .meta({ description: 'With overlap "allow": most runs at once; null for no limit.' }),
  maxQueued: z
    .number()
    .int()
    .optional()
    .meta({ description: 'With overlap "queue": most waiting occurrences. Default 10.' }),
  misfireGrace: DurationSchema.nullable().optional().meta({
    description: 'How late a fire may be and still count as on time; null: never late. Default "1s".',
  }),
  catchUp: z
    .enum(CATCH_UP_POLICY_LIST)
    .optional()
    .meta({ description: 'What to do with late occurrences. Default "latest".' }),
  catchUpLimit: z
    .number()
    .int()
    .optional()
    .meta({ description: 'With catch-up "all": most late occurrences run. Default 100.' }),
  retry: z
    .union([z.number().int(), RetryInputSchema])
    .optional()
    .meta({ description: "A number of attempts (1 = no retry), or the full retry options." }),
  timeout: DurationSchema.nullable()
    .optional()
    .meta({ description: "Longest an attempt may run; null for no limit." }),
  jitter: DurationSchema.optional().meta({ description: "Spread fires over [time, time + jitter)." }),
  group: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .meta({ description: 'Queue group for distributed workers. Default "default".' }),
};

export const POLICY_INPUT_KEYS: ReadonlySet<string> = new Set(Object.keys(PolicyInputShape));

const ArgsSchema = z.array(z.unknown()).max(1000).meta({
  description:
    "Arguments passed to the task, as a JSON array. Checked against the task's schema when it has one.",
});
const DescriptionSchema = z.string().max(2000).nullable();

export const CreateJobRequestSchema = z
  .strictObject({
    id: JobIdSchema,
    task: TaskNameSchema.meta({ description: "The name of a registered task (see GET /tasks)." }),
    trigger: TriggerInputSchema,
    args: ArgsSchema.optional(),
    description: DescriptionSchema.optional(),
    paused: z.boolean().optional().meta({ description: "Create the job paused. Default false." }),
    ...PolicyInputShape,
  })
  .meta({
    examples: [
      {
        id: "daily-report",
        task: "sendReport",
        trigger: { cron: "0 9 * * MON-FRI", timezone: "Europe/Berlin" },
        args: ["team@example.com"],
        retry: { attempts: 3, delay: "30s" },
        timeout: "5m",
      },
    ],
  });

/** PUT: the whole job again, as at creation; what is left out goes back to its default. */
export const ReplaceJobRequestSchema = CreateJobRequestSchema.omit({ id: true });

/** PATCH: only what changes. `trigger` replaces the whole trigger; `paused` pauses or resumes. */
export const PatchJobRequestSchema = z.strictObject({
  task: TaskNameSchema.optional(),
  trigger: TriggerInputSchema.optional(),
  args: ArgsSchema.optional(),
  description: DescriptionSchema.optional(),
  paused: z.boolean().optional(),
  ...PolicyInputShape,
});

export type CreateJobRequest = z.output<typeof CreateJobRequestSchema>;
export type ReplaceJobRequest = z.output<typeof ReplaceJobRequestSchema>;
export type PatchJobRequest = z.output<typeof PatchJobRequestSchema>;

export const JobListQuerySchema = z.strictObject({
  status: queryList(JOB_STATUSES).optional(),
  task: TaskNameSchema.optional(),
  search: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .meta({ description: "Case-insensitive part of the id, task or description." }),
  cursor: CursorSchema.optional(),
  limit: queryInt(1, 1000).optional().meta({ description: "Page size, 1 to 1000. Default 100." }),
});

export const JobDetailQuerySchema = z.strictObject({
  next: queryInt(0, 100)
    .optional()
    .meta({ description: "How many next run times to include, 0 to 100. Default 10." }),
});

export const BulkJobActionRequestSchema = z.strictObject({
  action: z.enum(["pause", "resume", "run", "delete"]),
  ids: z.array(JobIdSchema).min(1).max(100),
});

export type BulkJobActionRequest = z.output<typeof BulkJobActionRequestSchema>;

// ---- Responses ------------------------------------------------------------------------------

export const SerializedErrorSchema = z.object({
  name: z.string(),
  message: z.string(),
  code: z.string().optional(),
  /** The task's stack: only in a single run's detail (GET /runs/{id}). */
  stack: z.string().optional(),
});

export const PolicySchema = z.object({
  overlap: z.enum(OVERLAP_POLICY_LIST),
  maxConcurrent: z.number().int().nullable(),
  maxQueued: z.number().int(),
  misfireGraceMs: z.number().nullable(),
  catchUp: z.enum(CATCH_UP_POLICY_LIST),
  catchUpLimit: z.number().int(),
  retry: z.object({
    attempts: z.number().int(),
    backoff: z.enum(BACKOFF_KIND_LIST),
    delayMs: z.number(),
    maxDelayMs: z.number(),
    jitter: z.boolean(),
  }),
  timeoutMs: z.number().nullable(),
  jitterMs: z.number(),
  group: z.string(),
});

export const JobSchema = z.object({
  id: z.string(),
  taskName: z.string(),
  args: z.array(z.unknown()),
  description: z.string().nullable(),
  trigger: TriggerSpecSchema,
  /** The trigger in words: "every 5 minutes", "at 09:00, Monday through Friday, Europe/Berlin". */
  schedule: z.string(),
  timezone: z.string().nullable(),
  type: z.enum(JOB_TYPES),
  status: z.enum(JOB_STATUSES),
  /** Paused by a user (also while `status` is `missing-task`, which takes precedence). */
  paused: z.boolean(),
  taskRegistered: z.boolean(),
  policy: PolicySchema,
  nextRunAt: DateTimeSchema.nullable(),
  activeRuns: z.number().int(),
  runCount: z.number().int(),
  failureCount: z.number().int(),
  skippedCount: z.number().int(),
  missedCount: z.number().int(),
  lastRunId: z.string().nullable(),
  lastRunStartedAt: DateTimeSchema.nullable(),
  lastRunEndedAt: DateTimeSchema.nullable(),
  lastDurationMs: z.number().nullable(),
  lastOutcome: z.enum(RUN_STATUSES).nullable(),
  /** The last failure's error, without its stack (see the run for that). */
  lastError: SerializedErrorSchema.nullable(),
  createdAt: DateTimeSchema,
  updatedAt: DateTimeSchema,
  version: z.number().int(),
});

export const JobDetailSchema = JobSchema.extend({
  /** The next fire times (none while paused). */
  nextRunTimes: z.array(DateTimeSchema),
});

export const JobPageSchema = pageOf(JobSchema);

export const BulkJobActionResultSchema = z.object({
  results: z.array(
    z.object({
      id: z.string(),
      ok: z.boolean(),
      /** What went wrong for this id, as the envelope's `error` would say it. */
      error: z.object({ code: z.string(), message: z.string() }).optional(),
    }),
  ),
});

export type Job = z.output<typeof JobSchema>;
export type JobDetail = z.output<typeof JobDetailSchema>;
export type JobPage = z.output<typeof JobPageSchema>;
export type Policy = z.output<typeof PolicySchema>;
export type BulkJobActionResult = z.output<typeof BulkJobActionResultSchema>;
