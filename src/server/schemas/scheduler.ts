/**
 * The scheduler as a whole: its status, the cluster of replicas and workers, and the overview that
 * the dashboard's home page shows (counts, what runs now, what comes next, what failed).
 */
import { z } from "zod";
import { DateTimeSchema, queryInt } from "./common.js";
import { JOB_STATUSES, RUN_STATUSES } from "./enums.js";
import { RunSchema } from "./runs.js";

export const SCHEDULER_STATES = ["idle", "starting", "running", "paused", "stopping", "stopped"] as const;

const countsOf = <const T extends readonly [string, ...string[]]>(keys: T) =>
  z.partialRecord(z.enum(keys), z.number().int());

export const SchedulerStatusSchema = z.object({
  /** This process's scheduler id (in leases, run records and logs). */
  id: z.string(),
  state: z.enum(SCHEDULER_STATES),
  /** The timezone of cron and calendar triggers that name none. */
  timezone: z.string(),
  /** The server's clock: compute countdowns and elapsed times against it, not the browser's. */
  now: DateTimeSchema,
  store: z.object({ kind: z.string(), shared: z.boolean() }),
  executor: z.object({ kind: z.string() }),
  jobs: z.object({
    total: z.number().int(),
    /** Jobs by stored status (`missing-task` is per process: filter GET /jobs by it). */
    byStatus: countsOf(JOB_STATUSES),
  }),
});

export const RunningRunSchema = z.object({
  runId: z.string(),
  jobId: z.string(),
  taskName: z.string(),
  /** 1 for the first attempt, 2 for the first retry... */
  attempt: z.number().int(),
  startedAt: DateTimeSchema,
  /** How long the run has been executing, by the server's clock. */
  elapsedMs: z.number(),
  worker: z.string().nullable(),
});

export const ReplicaSchema = z.object({
  id: z.string(),
  state: z.string(),
  /** Whether this is the process serving the API. */
  self: z.boolean(),
  host: z.string().nullable(),
  pid: z.number().int().nullable(),
  startedAt: DateTimeSchema.nullable(),
  lastHeartbeatAt: DateTimeSchema,
});

export const WorkerSchema = z.object({
  id: z.string(),
  host: z.string().nullable(),
  pid: z.number().int().nullable(),
  /** Queue groups it consumes; null for every group. */
  groups: z.array(z.string()).nullable(),
  /** Most tasks it runs at once; null when unbounded. */
  concurrency: z.number().int().nullable(),
  lastHeartbeatAt: DateTimeSchema,
  running: z.array(RunningRunSchema),
});

export const ClusterSchema = z.object({
  now: DateTimeSchema,
  replicas: z.array(ReplicaSchema),
  workers: z.array(WorkerSchema),
  queue: z.object({
    /** Runs recorded and waiting for an executor slot or a worker. */
    depth: z.number().int(),
    /** The same by queue group, when the executor knows it. */
    byGroup: z.record(z.string(), z.number().int()).nullable(),
  }),
});

export const UpcomingRunSchema = z.object({
  jobId: z.string(),
  taskName: z.string(),
  scheduledAt: DateTimeSchema,
  /** Milliseconds from the server's `now` to `scheduledAt`. */
  inMs: z.number(),
});

export const UpcomingQuerySchema = z.strictObject({
  within: z
    .string()
    .regex(/^\d{1,4}[mhd]$/, 'a span like "30m", "24h" or "7d"')
    .optional()
    .meta({ description: 'How far ahead to look: "30m", "24h", "7d" (at most 7 days). Default "24h".' }),
  limit: queryInt(1, 1000)
    .optional()
    .meta({ description: "At most this many runs, earliest first. Default 100." }),
});

export const UpcomingListSchema = z.object({
  now: DateTimeSchema,
  until: DateTimeSchema,
  items: z.array(UpcomingRunSchema),
  /** Whether more jobs exist than were looked at (10,000). */
  truncated: z.boolean(),
});

export const RunStatsSchema = z.object({
  from: DateTimeSchema,
  to: DateTimeSchema,
  total: z.number().int(),
  /** Runs scheduled in [from, to) by status, among those the run history keeps. */
  byStatus: countsOf(RUN_STATUSES),
  /** Whether more runs exist than were counted (10,000). */
  truncated: z.boolean(),
});

export const OverviewQuerySchema = z.strictObject({
  window: z
    .string()
    .regex(/^\d{1,4}[mhd]$/, 'a span like "1h", "24h" or "7d"')
    .optional()
    .meta({ description: 'The span of `runs` and `upcoming`, up to "7d". Default "24h".' }),
});

export const OverviewSchema = z.object({
  now: DateTimeSchema,
  scheduler: SchedulerStatusSchema,
  /** Runs scheduled in the last `window`, by outcome. */
  runs: RunStatsSchema,
  /** What executes now, longest-running first. */
  running: z.array(RunningRunSchema),
  /** The next occurrences within `window`, earliest first (at most 50). */
  upcoming: z.array(UpcomingRunSchema),
  /** The latest failed or timed-out runs within `window` (at most 20). */
  recentFailures: z.array(RunSchema),
  cluster: ClusterSchema,
});

export type SchedulerStatus = z.output<typeof SchedulerStatusSchema>;
export type RunningRun = z.output<typeof RunningRunSchema>;
export type Replica = z.output<typeof ReplicaSchema>;
export type Worker = z.output<typeof WorkerSchema>;
export type Cluster = z.output<typeof ClusterSchema>;
export type UpcomingRun = z.output<typeof UpcomingRunSchema>;
export type UpcomingList = z.output<typeof UpcomingListSchema>;
export type RunStats = z.output<typeof RunStatsSchema>;
export type Overview = z.output<typeof OverviewSchema>;
