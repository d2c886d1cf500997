/**
 * The scheduler: one loop, one timer, a store and an executor.
 *
 * The loop sleeps until the store's next wake-up time (at most {@link MAX_SLEEP_CHUNK_MS}, or the
 * poll interval with a shared store), then, in batches: re-dispatches runs that need it (due
 * retries, work of dead processes), claims the due jobs, plans each fire ({@link planFire}), commits
 * the plans with the claims' fencing tokens, and hands the new `pending` runs to the executor. The
 * claim is committed before the dispatch, so an occurrence is recorded before anything runs it, and
 * one recorded by a scheduler that died before dispatching it is dispatched by another.
 *
 * With a store that commits conditionally (memory, SQLite, Redis), the jobs due at the next wake-up are
 * claimed and planned shortly before it (see #prepare), and committed at the due instant on the
 * condition that each job is unchanged since: the due instant costs only commits and starts.
 */
import { MAX_SLEEP_CHUNK_MS, type Timer, yieldToEventLoop } from "../clock/clock.js";
import {
  DuplicateJobError,
  InvalidArgumentError,
  InvalidOptionError,
  JobNotFoundError,
  RunNotFoundError,
  SchedulerStateError,
  TaskNotFoundError,
  describeValue,
} from "../errors.js";
import { type CronqEventName, type CronqEvents, TypedEmitter } from "../events.js";
import type { Executor, ExecutorHost } from "../executors/executor.js";
import { type JobInfo, type RunInfo, toJobInfo, toRunInfo } from "../jobs/info.js";
import {
  JOB_STATUSES,
  type JobRecord,
  LIVE_RUN_STATUSES,
  RUN_STATUSES,
  type RunRecord,
  newJobRecord,
  occurrenceId,
} from "../jobs/job.js";
import { type JobPolicyOptions, isPolicyKey, resolveJobPolicy } from "../jobs/policies.js";
import {
  type FireCommit,
  type JobPatch,
  type JobQuery,
  type Page,
  type RunQuery,
  type Store,
  newRunRecord,
} from "../stores/store.js";
import {
  type TaskArgs,
  type TaskDefinition,
  TaskRegistry,
  defineTask,
  isTaskDefinition,
  jobTaskName,
} from "../tasks.js";
import type { Trigger, TriggerOptions, TriggerSpecBase } from "../triggers/trigger.js";
import { triggerFromOptions } from "../triggers/index.js";
import { type FirePlan, planFire } from "./fire-plan.js";
import { primeFiringPath } from "./prime-sites.js";
import { TriggerPool } from "./trigger-pool.js";
import { collectYoungGeneration } from "./young-gc.js";
import { type ResolvedSchedulerOptions, type SchedulerOptions, resolveSchedulerOptions } from "./options.js";

/** Where the scheduler is in its life. */
export type SchedulerState =
  /** Constructed; jobs can be added, nothing fires. */
  | "idle"
  | "starting"
  /** Firing jobs. */
  | "running"
  /** Started, but not firing: occurrences due meanwhile are late when it resumes (catch-up applies). */
  | "paused"
  | "stopping"
  /** Stopped; `start()` may start it again. */
  | "stopped";

/** The options of `addJob`: a trigger, arguments, policies. */
export interface JobOptions<Args extends unknown[] = unknown[]> extends TriggerOptions, JobPolicyOptions {
  /** Arguments passed to the task, before its context. JSON-serialisable. @default [] */
  args?: Args;
  /** Free text shown in listings. */
  description?: string;
  /** Replace a job with the same id (keeping its history) instead of throwing DuplicateJobError. @default false */
  replaceExisting?: boolean;
  /** Add the job paused. @default false */
  paused?: boolean;
}

/** What `modifyJob` may change. The trigger changes through `rescheduleJob`. */
export interface JobChanges<Args extends unknown[] = unknown[]> extends JobPolicyOptions {
  args?: Args;
  description?: string | null;
  /** A registered task name, or a task definition to register and use. */
  task?: string | TaskDefinition;
}

export interface StopOptions {
  /** How long running tasks may finish before their signals abort. @default "10s" as 10000 */
  graceMs?: number;
}

export interface RunQueryOptions {
  jobId?: string;
  status?: RunRecord["status"][];
  from?: Date;
  to?: Date;
  cursor?: string;
  limit?: number;
}

export interface JobQueryOptions extends Omit<JobQuery, "status"> {
  status?: JobInfo["status"][];
}

const TRIGGER_KEYS = new Set<string>([
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
const JOB_KEYS = new Set<string>(["args", "description", "replaceExisting", "paused"]);
const CHANGE_KEYS = new Set<string>(["args", "description", "task"]);

const MAX_JOB_ID_LENGTH = 200;
const MAX_NEXT_RUN_TIMES = 1000;
const PRUNE_EVERY_MS = 60_000;
const MAX_RETRY_DELAY_MS = 30_000;
const IDLE_RETRY_MS = 50;
/** Bounds of how long ahead of a due instant its jobs are claimed and planned (see #prepare). */
const MIN_PREPARE_LEAD_MS = 20;
const MAX_PREPARE_LEAD_MS = 1_000;
/**
 * How many of the last preparations the lead is sized by (their longest). On a busy host the same
 * preparation took 9 ms one second and 47 ms a few seconds later (10,000 jobs, 2026-11-27): a lead
 * sized by the last one alone often started too late, and the burst with it.
 */
const PREPARE_LEAD_WINDOW = 8;
/**
 * The most jobs planned ahead of one instant (more are planned at the instant), and the most fired
 * by the last tick for the next to be planned ahead at all. Plans held for long outlive the heap's
 * young generation: with 100,000 jobs due at once, planning all of them ahead more than doubled
 * the garbage-collection time, and planning the first 20,000 of them ahead still cost 13% more
 * time to start the 99th percentile task and 20% more CPU per burst (measured 2026-11-27).
 */
const MAX_PREPARED = 20_000;
/**
 * The fewest jobs planned ahead of one instant for the young generation to be collected before it
 * (the `gcBeforeBurst` option): at 1,000 a burst allocates about 1.3 MB, enough to meet a scavenge
 * in it now and then; below that the collection would cost more than it saves.
 */
const GC_BEFORE_BURST_MIN_PLANS = 1_000;

/** Jobs claimed and planned ahead of the instant `at` (see Scheduler#prepare). */
interface Prepared {
  at: number;
  jobs: JobRecord[];
  plans: FirePlan[];
}

/**
 * Whether a plan made as if at `plannedAt` still holds at `now`: no occurrence in it has become
 * late meanwhile, and the next one is not due yet.
 */
function stillHolds(commit: FireCommit, graceMs: number | null, plannedAt: number, now: number): boolean {
  if (now === plannedAt) return true;
  if (commit.nextRunAt !== null && commit.nextRunAt <= now) return false;
  if (graceMs === null) return true;
  for (const run of commit.runs)
    if (now - run.dueAt > graceMs && plannedAt - run.dueAt <= graceMs) return false;
  return true;
}

export class Scheduler {
  readonly id: string;
  readonly options: ResolvedSchedulerOptions;
  readonly tasks: TaskRegistry;
  /** Task names registered for jobs' anonymous functions, each owned by its job (see #registerJobTask). */
  readonly #jobTasks = new Set<string>();
  readonly events = new TypedEmitter<CronqEvents>();

  readonly #store: Store;
  readonly #executor: Executor;
  #state: SchedulerState = "idle";
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  #timer: Timer | undefined;
  #tick: Promise<void> | undefined;
  #tickAgain = false;
  /** Whether the last tick claimed anything, and the time it last asked the store for due jobs. */
  #tickWorked = false;
  #lastClaimAt = -Infinity;
  #failures = 0;
  #lastPruneAt = -Infinity;
  /** Jobs claimed and planned for the next due instant, not committed yet (see #prepare). */
  #prepared: Prepared | undefined;
  /** How long (on the clock) the last preparations took, up to PREPARE_LEAD_WINDOW of them. */
  readonly #prepareMs: number[] = [];
  /** How many jobs the last tick that fired any fired. */
  #lastFired = 0;
  /** Whether the timer that woke the loop was set to plan the next instant's jobs ahead. */
  #wokeToPrepare = false;
  /** Parsed triggers by job id, valid for one job version. */
  /** Equal triggers, policies and descriptions are shared between jobs: see {@link TriggerPool}. */
  readonly #pool = new TriggerPool();
  /** Triggers of jobs whose stored spec is read anew each time, by job id (see #triggerOf). */
  readonly #triggers = new Map<string, { version: number; trigger: Trigger }>();
  #opening: Promise<Store> | undefined;
  /** Manual runs recorded before `start()`, dispatched when it starts. */
  #undispatched: RunRecord[] = [];

  constructor(options: SchedulerOptions = {}) {
    this.options = resolveSchedulerOptions(options);
    this.id = this.options.id;
    this.#store = this.options.store;
    this.#executor = this.options.executor;
    this.tasks = new TaskRegistry(this.options.tasks);
  }

  get state(): SchedulerState {
    return this.#state;
  }

  get store(): Store {
    return this.#store;
  }

  // ---- Events -----------------------------------------------------------------------------

  on<K extends CronqEventName>(event: K, listener: (payload: CronqEvents[K]) => unknown): () => void {
    return this.events.on(event, listener);
  }

  off<K extends CronqEventName>(event: K, listener: (payload: CronqEvents[K]) => unknown): void {
    this.events.off(event, listener);
  }

  once<K extends CronqEventName>(
    event: K,
    options: { filter?: (payload: CronqEvents[K]) => boolean; signal?: AbortSignal } = {},
  ): Promise<CronqEvents[K]> {
    return this.events.once(event, options);
  }

  // ---- Tasks ------------------------------------------------------------------------------

  /** Registers a named task so that jobs (stored ones too) can refer to it by name. */
  registerTask(task: TaskDefinition): void {
    if (!isTaskDefinition(task)) throw new InvalidArgumentError("task", "a defineTask() result", task);
    this.tasks.register(task);
  }

  // ---- Jobs -------------------------------------------------------------------------------

  /**
   * Adds a job: `task` is a function, a `defineTask()` definition, or the name of a registered task.
   * Throws DuplicateJobError if the id exists (unless `replaceExisting`), and a typed error naming
   * the field for any invalid input; nothing changes when it throws.
   */
  async addJob<F extends (...args: never[]) => unknown>(
    id: string,
    task: F,
    options: JobOptions<TaskArgs<F>>,
  ): Promise<JobInfo>;
  async addJob<A extends unknown[]>(
    id: string,
    task: TaskDefinition<A>,
    options: JobOptions<A>,
  ): Promise<JobInfo>;
  async addJob(id: string, task: string, options: JobOptions): Promise<JobInfo>;
  async addJob(id: string, task: unknown, options: JobOptions<unknown[]>): Promise<JobInfo> {
    validateJobId(id);
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw new InvalidOptionError(
        "options",
        'an object with a trigger such as { interval: 30 } or { cron: "0 9 * * *" }',
        options,
      );
    }
    for (const key of Object.keys(options)) {
      if (!TRIGGER_KEYS.has(key) && !JOB_KEYS.has(key) && !isPolicyKey(key))
        throw unknownOption(key, "addJob");
    }
    const { definition, own } = await this.#resolveNewTask(id, task, options.replaceExisting === true);
    const args = validateArgs(options.args ?? [], definition, "args");
    const now = this.options.clock.now();
    const trigger = this.#pool.trigger(
      triggerFromOptions(pickTriggerOptions(options), { now, timezone: this.options.timezone }),
    );
    const policy = resolveJobPolicy(pickPolicyOptions(options), this.options.jobDefaults);
    const description = validateDescription(options.description);
    if (options.paused !== undefined && typeof options.paused !== "boolean") {
      throw new InvalidOptionError("paused", "true or false", options.paused);
    }
    if (options.replaceExisting !== undefined && typeof options.replaceExisting !== "boolean") {
      throw new InvalidOptionError("replaceExisting", "true or false", options.replaceExisting);
    }
    const record = newJobRecord(
      {
        id,
        taskName: definition.name,
        args,
        description,
        trigger: this.#pool.spec(trigger),
        policy: this.#pool.policy(policy),
        paused: options.paused ?? false,
        nextRunAt: firstRunAt(trigger, now),
      },
      now,
    );
    // Only now, with every input valid, does anything change.
    const store = await this.#opened();
    const stored = await this.#writeWithTask(id, { definition, own }, () =>
      store.insertJob(record, { replace: options.replaceExisting ?? false, now }),
    );
    const info = this.#info(stored, trigger);
    this.events.emit("job:added", { job: info });
    this.#poke();
    return info;
  }

  /**
   * Declares a job: adds it if no job has this id, otherwise changes what differs from `options`
   * and leaves the rest, its schedule included, alone. Relative times (`startIn`, an interval's
   * first fire) count from the job's creation, so declaring the same job at every start of a
   * process neither moves its next run nor skips the catch-up of what it missed while down.
   */
  async ensureJob<F extends (...args: never[]) => unknown>(
    id: string,
    task: F,
    options: JobOptions<TaskArgs<F>>,
  ): Promise<{ job: JobInfo; action: "added" | "updated" | "unchanged" }>;
  async ensureJob(
    id: string,
    task: string | TaskDefinition,
    options: JobOptions,
  ): Promise<{ job: JobInfo; action: "added" | "updated" | "unchanged" }>;
  async ensureJob(
    id: string,
    task: unknown,
    options: JobOptions,
  ): Promise<{ job: JobInfo; action: "added" | "updated" | "unchanged" }> {
    validateJobId(id);
    const existing = await (await this.#opened()).getJob(id);
    if (!existing) {
      return { job: await this.addJob(id, task as string, options), action: "added" };
    }
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw new InvalidOptionError("options", "an object with a trigger such as { interval: 30 }", options);
    }
    for (const key of Object.keys(options)) {
      if (!TRIGGER_KEYS.has(key) && !JOB_KEYS.has(key) && !isPolicyKey(key))
        throw unknownOption(key, "ensureJob");
    }
    const { definition, own } = this.#resolveTask(id, task, "task");
    const args = validateArgs(options.args ?? [], definition, "args");
    const trigger = triggerFromOptions(pickTriggerOptions(options), {
      now: existing.createdAt,
      timezone: this.options.timezone,
    });
    const policy = resolveJobPolicy(pickPolicyOptions(options), this.options.jobDefaults);
    const description = validateDescription(options.description);
    const patch: JobPatch = {};
    const spec = trigger.toJSON();
    if (JSON.stringify(spec) !== JSON.stringify(existing.trigger)) {
      patch.trigger = this.#pool.spec(this.#pool.trigger(trigger));
      patch.nextRunAt = firstRunAt(trigger, this.options.clock.now());
    }
    if (definition.name !== existing.taskName) patch.taskName = definition.name;
    if (JSON.stringify(args) !== JSON.stringify(existing.args)) patch.args = args;
    if (description !== existing.description) patch.description = description;
    if (JSON.stringify(policy) !== JSON.stringify(existing.policy)) patch.policy = this.#pool.policy(policy);
    if (options.paused !== undefined && options.paused !== existing.paused) {
      patch.paused = options.paused;
      if (!options.paused) patch.nextRunAt ??= resumedNextRunAt(existing, trigger, this.options.clock.now());
    }
    if (Object.keys(patch).length === 0) {
      this.#registerJobTask(definition, own);
      return { job: this.#info(existing), action: "unchanged" };
    }
    let job = await this.#writeWithTask(id, { definition, own }, () => this.#update(id, patch));
    if (patch.paused === true) job = await this.#cancelNotStarted(job);
    const info = this.#info(job);
    this.events.emit("job:updated", { job: info });
    this.#poke();
    return { job: info, action: "updated" };
  }

  /**
   * Removes a job and its run history; JobNotFoundError for an unknown id. Its live runs go with it:
   * a task running here or on a worker has its signal aborted (reason `job-removed`) and finishes
   * into nothing, and one waiting to start never starts.
   */
  async removeJob(id: string): Promise<void> {
    validateJobId(id);
    const live: string[] = [];
    for await (const run of this.#runsOf(id, [...LIVE_RUN_STATUSES])) live.push(run.id);
    const removed = await (await this.#opened()).removeJob(id);
    this.#triggers.delete(id);
    if (!removed) throw new JobNotFoundError(id);
    this.#releaseJobTask(id, null);
    for (const runId of live) this.#executor.cancel(runId, "job-removed");
    this.events.emit("job:removed", { jobId: id });
  }

  /** The job, or null if there is none with this id. */
  async getJob(id: string): Promise<JobInfo | null> {
    validateJobId(id);
    const job = await (await this.#opened()).getJob(id);
    return job ? this.#info(job) : null;
  }

  async listJobs(query: JobQueryOptions = {}): Promise<Page<JobInfo>> {
    validateQuery(query, "listJobs", JOB_QUERY_KEYS);
    validateStatuses(query.status, JOB_STATUSES);
    for (const field of ["taskName", "search", "cursor"] as const)
      validateOptionalString(query[field], field);
    const { status, ...rest } = query;
    validateLimit(rest.limit);
    const wantsMissing = status?.includes("missing-task") ?? false;
    const storeStatuses = status?.filter((s): s is Exclude<typeof s, "missing-task"> => s !== "missing-task");
    const page = await (
      await this.#opened()
    ).listJobs({
      ...rest,
      ...(storeStatuses && !wantsMissing ? { status: storeStatuses } : {}),
    });
    let items = page.items.map((job) => this.#info(job));
    if (status) items = items.filter((job) => status.includes(job.status));
    return { items, nextCursor: page.nextCursor };
  }

  /**
   * Pauses a job: no occurrence until `resumeJob`. Occurrences during the pause are not recorded;
   * its runs that have not started are cancelled (reason `job-paused`), a running one goes on.
   */
  async pauseJob(id: string): Promise<JobInfo> {
    validateJobId(id);
    const job = await this.#cancelNotStarted(await this.#update(id, { paused: true }));
    const info = this.#info(job);
    this.events.emit("job:paused", { job: info });
    return info;
  }

  /**
   * Resumes a paused job. A recurring job goes on from now: its next run is its trigger's first fire
   * time after now, and the occurrences of the pause are not replayed. A one-off job that has not run
   * keeps its time: if that passed during the pause, it is due at once and late, and its catch-up
   * policy runs it or records it missed. Resuming a job that is not paused changes nothing.
   */
  async resumeJob(id: string): Promise<JobInfo> {
    validateJobId(id);
    const current = await this.#requireJob(id);
    if (!current.paused) return this.#info(current);
    const job = await this.#update(id, {
      paused: false,
      nextRunAt: resumedNextRunAt(current, this.#triggerOf(current), this.options.clock.now()),
    });
    const info = this.#info(job);
    this.events.emit("job:resumed", { job: info });
    this.#poke();
    return info;
  }

  /** Changes a job's arguments, description, task or policies; its trigger and next run stay. */
  async modifyJob(id: string, changes: JobChanges): Promise<JobInfo> {
    validateJobId(id);
    if (typeof changes !== "object" || changes === null || Array.isArray(changes)) {
      throw new InvalidOptionError("changes", "an object such as { args: [...] } or { retry: 3 }", changes);
    }
    for (const key of Object.keys(changes)) {
      if (TRIGGER_KEYS.has(key)) {
        throw new InvalidOptionError(key, "changed with rescheduleJob()", key, {
          message: `\`${key}\` is part of the trigger: change it with rescheduleJob(id, { ${key}: ... })`,
        });
      }
      if (!CHANGE_KEYS.has(key) && !isPolicyKey(key)) throw unknownOption(key, "modifyJob");
    }
    const current = await this.#requireJob(id);
    const patch: JobPatch = {};
    const task = changes.task === undefined ? null : this.#resolveTask(id, changes.task, "task");
    const definition = task?.definition;
    if (definition) patch.taskName = definition.name;
    const argsTask = definition ?? this.tasks.get(current.taskName);
    if (changes.args !== undefined) patch.args = validateArgs(changes.args, argsTask, "args");
    else if (definition) validateArgs(current.args, definition, "args");
    if (changes.description !== undefined) patch.description = validateDescription(changes.description);
    const policyChanges = pickPolicyOptions(changes);
    if (Object.keys(policyChanges).length > 0)
      patch.policy = this.#pool.policy(resolveJobPolicy(policyChanges, current.policy));
    const job = await this.#writeWithTask(id, task, () => this.#update(id, patch));
    const info = this.#info(job);
    this.events.emit("job:updated", { job: info });
    return info;
  }

  /** Gives a job a new trigger; its next run is the new trigger's first fire time after now. */
  async rescheduleJob(id: string, triggerOptions: TriggerOptions): Promise<JobInfo> {
    validateJobId(id);
    if (typeof triggerOptions !== "object" || triggerOptions === null || Array.isArray(triggerOptions)) {
      throw new InvalidOptionError(
        "trigger",
        'an object such as { cron: "0 9 * * *" } or { interval: "30s" }',
        triggerOptions,
      );
    }
    for (const key of Object.keys(triggerOptions)) {
      if (!TRIGGER_KEYS.has(key)) throw unknownOption(key, "rescheduleJob");
    }
    const now = this.options.clock.now();
    const trigger = this.#pool.trigger(
      triggerFromOptions(triggerOptions, { now, timezone: this.options.timezone }),
    );
    await this.#requireJob(id);
    const job = await this.#update(id, {
      trigger: this.#pool.spec(trigger),
      nextRunAt: firstRunAt(trigger, now),
    });
    const info = this.#info(job, trigger);
    this.events.emit("job:updated", { job: info });
    this.#poke();
    return info;
  }

  /**
   * Runs a job now, outside its schedule (its overlap policy does not apply; its retry and timeout
   * policies do). Returns the new run. Before `start()`, the run waits and starts with the scheduler;
   * with a shared store, whichever scheduler replica looks next dispatches it.
   */
  async runJobNow(id: string): Promise<RunInfo> {
    validateJobId(id);
    const job = await this.#requireJob(id);
    const now = this.options.clock.now();
    // A run id is the job's id and a scheduled time: a manual run takes the first free millisecond
    // from now as its identity, and is due now all the same.
    for (let at = now; at < now + 1000; at++) {
      const run = newRunRecord({
        id: occurrenceId(id, at),
        jobId: id,
        taskName: job.taskName,
        origin: "manual",
        scheduledAt: at,
        dueAt: now,
        firedAt: now,
        status: "pending",
        args: job.args,
        policy: job.policy,
      });
      const started = this.#state === "running" || this.#state === "paused";
      // A scheduler that is not firing (an API process next to replicas on a shared store) records
      // the run with a lease that has already expired: the next replica to look dispatches it.
      const handOver = !started && this.#store.shared;
      const inserted = await (
        await this.#opened()
      ).insertRun(run, {
        now,
        owner: this.id,
        leaseMs: handOver ? 0 : this.options.leaseMs,
      });
      if (inserted === null) throw new JobNotFoundError(id);
      if (inserted === false) continue;
      if (started) this.#executor.dispatch([inserted]);
      else if (!handOver) this.#undispatched.push(inserted);
      const info = toRunInfo(inserted);
      this.events.emit("run:fired", { run: info, lateMs: 0 });
      return info;
    }
    throw new SchedulerStateError(`Could not find a free run id for job ${id}.`);
  }

  /** The next `count` fire times of a job (none while it is paused). */
  async nextRunTimes(id: string, count = 5): Promise<Date[]> {
    validateJobId(id);
    if (!Number.isInteger(count) || count < 1 || count > MAX_NEXT_RUN_TIMES) {
      throw new InvalidArgumentError("count", `an integer from 1 to ${MAX_NEXT_RUN_TIMES}`, count);
    }
    const job = await this.#requireJob(id);
    if (job.paused || job.nextRunAt === null) return [];
    const trigger = this.#triggerOf(job);
    const out: Date[] = [];
    for (let t: number | null = job.nextRunAt; t !== null && out.length < count; t = trigger.nextMs(t)) {
      out.push(new Date(t));
    }
    return out;
  }

  // ---- Runs -------------------------------------------------------------------------------

  async getRun(id: string): Promise<RunInfo | null> {
    validateRunId(id);
    const run = await (await this.#opened()).getRun(id);
    return run ? toRunInfo(run) : null;
  }

  async listRuns(query: RunQueryOptions = {}): Promise<Page<RunInfo>> {
    validateQuery(query, "listRuns", RUN_QUERY_KEYS);
    validateStatuses(query.status, RUN_STATUSES);
    for (const field of ["jobId", "cursor"] as const) validateOptionalString(query[field], field);
    validateLimit(query.limit);
    const storeQuery: RunQuery = {};
    if (query.jobId !== undefined) storeQuery.jobId = query.jobId;
    if (query.status !== undefined) storeQuery.status = query.status;
    if (query.from !== undefined) storeQuery.from = validDate(query.from, "from").getTime();
    if (query.to !== undefined) storeQuery.to = validDate(query.to, "to").getTime();
    if (query.cursor !== undefined) storeQuery.cursor = query.cursor;
    if (query.limit !== undefined) storeQuery.limit = query.limit;
    const page = await (await this.#opened()).listRuns(storeQuery);
    return { items: page.items.map(toRunInfo), nextCursor: page.nextCursor };
  }

  /**
   * Cancels a live run: an executing one is aborted through its signal if it runs in this process
   * (its record turns `cancelled` as soon as the attempt is recorded, a moment later), a waiting or
   * pending one is recorded as cancelled at once. Returns the run as it is afterwards. Throws
   * RunNotFoundError for an unknown id; a final run is returned unchanged.
   */
  async cancelRun(id: string): Promise<RunInfo> {
    validateRunId(id);
    const run = await (await this.#opened()).getRun(id);
    if (!run) throw new RunNotFoundError(id);
    if (!this.#executor.cancel(id, "user") && run.status !== "running") await this.#cancelStored(id, "user");
    const after = await (await this.#opened()).getRun(id);
    if (!after) throw new RunNotFoundError(id);
    return toRunInfo(after);
  }

  /** How many jobs have each status (as stored; `missing-task` is per process, see `listJobs`). */
  async countJobs(): Promise<Record<Exclude<JobInfo["status"], "missing-task">, number>> {
    return (await this.#opened()).countJobs();
  }

  // ---- Lifecycle --------------------------------------------------------------------------

  /** Opens the store, starts the executor and the loop. Idempotent: returns the start in flight. */
  start(): Promise<void> {
    if (this.#state === "running" || this.#state === "paused") return Promise.resolve();
    if (this.#starting) return this.#starting;
    if (this.#state === "stopping") {
      return Promise.reject(
        new SchedulerStateError("The scheduler is stopping; await stop() before starting it again."),
      );
    }
    this.#state = "starting";
    this.#starting = (async () => {
      try {
        await this.#opened();
        // With V8's collection when the scheduler may call it (gcBeforeBurst: true); a function
        // given instead is for bursts.
        await primeFiringPath(
          this.options.gcBeforeBurst === collectYoungGeneration ? collectYoungGeneration : null,
        );
        const host: ExecutorHost = {
          store: this.#store,
          clock: this.options.clock,
          tasks: this.tasks,
          events: this.events,
          owner: this.id,
          leaseMs: this.options.leaseMs,
          logger: this.options.logger,
          wake: () => this.#poke(),
          busy: () => this.#tick !== undefined,
        };
        await this.#executor.start(host);
        this.#state = "running";
        this.events.emit("scheduler:started", { schedulerId: this.id });
        await this.#reportMissingTasks();
        const manual = this.#undispatched;
        this.#undispatched = [];
        if (manual.length > 0) this.#executor.dispatch(manual);
        this.#poke();
      } catch (error) {
        this.#state = "idle";
        throw error;
      } finally {
        this.#starting = undefined;
      }
    })();
    return this.#starting;
  }

  /**
   * Stops firing, lets running tasks finish for up to `graceMs`, then aborts them (recorded as
   * cancelled, reason `shutdown`). Idempotent: returns the stop in flight.
   */
  stop(options: StopOptions = {}): Promise<void> {
    if (this.#stopping) return this.#stopping;
    if (this.#state === "idle" || this.#state === "stopped") return Promise.resolve();
    const graceMs = options.graceMs ?? 10_000;
    if (!Number.isFinite(graceMs) || graceMs < 0)
      throw new InvalidArgumentError("graceMs", "a number of milliseconds >= 0", graceMs);
    if (!this.#starting) this.#state = "stopping";
    this.#stopping = (async () => {
      await this.#starting?.catch(() => undefined);
      this.#state = "stopping";
      this.#timer?.cancel();
      this.#timer = undefined;
      await this.#tick;
      // Prepared plans were never committed: their claims go with the others below.
      this.#prepared = undefined;
      try {
        await this.#executor.stop({ graceMs });
        await this.#store.releaseClaims(this.id);
        if (this.options.ownsStore) {
          await this.#store.close();
          this.#opening = undefined;
        }
      } finally {
        this.#state = "stopped";
        this.#stopping = undefined;
        this.events.emit("scheduler:stopped", { schedulerId: this.id });
      }
    })();
    return this.#stopping;
  }

  /** Stops firing until `resume()`; running tasks go on. Occurrences due meanwhile are late on resume. */
  pause(): void {
    if (this.#state !== "running")
      throw new SchedulerStateError(`Cannot pause a scheduler that is ${this.#state}.`);
    this.#state = "paused";
    this.#timer?.cancel();
    this.#timer = undefined;
    this.events.emit("scheduler:paused", { schedulerId: this.id });
  }

  resume(): void {
    if (this.#state !== "paused")
      throw new SchedulerStateError(`Cannot resume a scheduler that is ${this.#state}.`);
    this.#state = "running";
    this.events.emit("scheduler:resumed", { schedulerId: this.id });
    this.#poke();
  }

  /** Resolves when no fire is being processed and no task is running or waiting here. */
  async onIdle(): Promise<void> {
    for (;;) {
      if (this.#tick) {
        await this.#tick;
        continue;
      }
      if (this.#executor.load > 0) {
        await this.#executor.onIdle();
        continue;
      }
      return;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  // ---- The loop ---------------------------------------------------------------------------

  /** Asks the loop to look at the store again now (a job was added, a run finished...). */
  #poke(): void {
    if (this.#state !== "running") return;
    if (this.#tick) {
      this.#tickAgain = true;
      return;
    }
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#runTick();
  }

  #runTick(): void {
    this.#tick = this.#fire()
      .then(
        () => {
          this.#failures = 0;
        },
        (error: unknown) => {
          this.#failures++;
          this.events.emit("error", { error: asError(error), context: "scheduler loop" });
        },
      )
      .then(() => this.#arm())
      .catch((error: unknown) => {
        this.#failures++;
        this.events.emit("error", {
          error: asError(error),
          context: "scheduler loop: computing the next wake-up",
        });
        this.#setTimer(Math.min(MAX_RETRY_DELAY_MS, 100 * 2 ** this.#failures));
      })
      .finally(() => {
        this.#tick = undefined;
        if (this.#tickAgain && this.#state === "running") {
          this.#tickAgain = false;
          this.#timer?.cancel();
          this.#timer = undefined;
          this.#runTick();
        }
      });
  }

  async #fire(): Promise<void> {
    const { clock, batchSize, leaseMs } = this.options;
    const owner = this.id;
    this.#tickAgain = false;
    this.#tickWorked = false;
    let fired = 0;
    const prepared = this.#prepared;
    if (prepared && clock.now() >= prepared.at) {
      this.#prepared = undefined;
      fired = prepared.plans.length;
      await this.#commitPrepared(prepared);
    }
    for (;;) {
      if (this.#state !== "running") return;
      const now = clock.now();
      const runs = await this.#store.claimRunsForDispatch({ now, owner, leaseMs, limit: batchSize });
      if (runs.length > 0) {
        this.#tickWorked = true;
        this.#executor.dispatch(runs);
      }
      if (runs.length < batchSize) break;
    }
    for (;;) {
      if (this.#state !== "running") return;
      const now = clock.now();
      this.#lastClaimAt = now;
      const claimed = await this.#store.claimDueJobs({ now, owner, leaseMs, limit: batchSize });
      if (claimed.length === 0) break;
      this.#tickWorked = true;
      fired += claimed.length;
      const plans = claimed.map((job) => planFire(job, this.#triggerOf(job), now));
      await this.#commit(plans, now);
      if (claimed.length < batchSize) break;
      await yieldToEventLoop();
    }
    if (fired > 0) this.#lastFired = fired;
    const now = clock.now();
    if (now - this.#lastPruneAt >= PRUNE_EVERY_MS) {
      this.#lastPruneAt = now;
      await this.#store.pruneRuns({ now });
    }
  }

  /** Commits plans made at `now` and hands their new `pending` runs to the executor. */
  async #commit(plans: readonly FirePlan[], now: number): Promise<void> {
    const owner = this.id;
    const results = await this.#store.commitFires(
      plans.map((p) => p.commit),
      { now, owner, leaseMs: this.options.leaseMs },
    );
    const dispatch: RunRecord[] = [];
    for (let i = 0; i < results.length; i++) {
      const result = results[i]!;
      if (result.status === "lease-lost")
        this.events.emit("lease:lost", { kind: "job", id: result.jobId, owner });
      if (result.status !== "ok") continue;
      for (const run of result.inserted) {
        if (run.status === "pending") dispatch.push(run);
        this.#emitFired(run, now);
      }
      if (plans[i]!.replaceLive) await this.#cancelLiveRuns(result.jobId, result.inserted);
    }
    if (dispatch.length > 0) this.#executor.dispatch(dispatch);
  }

  /** How long before a due instant its jobs are claimed and planned: twice the longest of the last preparations' times, within bounds. */
  #prepareLeadMs(): number {
    return Math.min(MAX_PREPARE_LEAD_MS, MIN_PREPARE_LEAD_MS + 2 * Math.max(0, ...this.#prepareMs));
  }

  /**
   * Claims and plans the jobs due at `at`, a wake-up a little ahead (see {@link #prepareLeadMs}),
   * so that at `at` only their commits and starts are left. Plans are made as if at `at`; the
   * commits are conditional (`plannedActiveRuns`): a job changed meanwhile (paused, modified, run
   * by hand, a run finished) is refused by the store and fired as usual.
   */
  async #prepare(at: number): Promise<void> {
    const { clock, batchSize, leaseMs } = this.options;
    const started = clock.now();
    const jobs: JobRecord[] = [];
    const plans: FirePlan[] = [];
    try {
      for (;;) {
        const claimed = await this.#store.claimDueJobs({
          now: at,
          owner: this.id,
          leaseMs,
          limit: batchSize,
        });
        for (const job of claimed) {
          const plan = planFire(job, this.#triggerOf(job), at);
          plan.commit.plannedActiveRuns = job.activeRuns;
          jobs.push(job);
          plans.push(plan);
        }
        if (claimed.length < batchSize || jobs.length >= MAX_PREPARED || this.#state !== "running") break;
        await yieldToEventLoop();
      }
      // The plans are young and live: collected now, they are not copied in the middle of the
      // burst. Counted in the preparation's time, so the lead makes room for it.
      if (plans.length >= GC_BEFORE_BURST_MIN_PLANS) this.#gcBeforeBurst();
    } finally {
      // What was claimed before a failure is committed at `at` all the same.
      this.#prepared = { at, jobs, plans };
      if (this.#prepareMs.push(clock.now() - started) > PREPARE_LEAD_WINDOW) this.#prepareMs.shift();
    }
  }

  /** The `gcBeforeBurst` option's collection; one that throws is reported, and the burst goes on. */
  #gcBeforeBurst(): void {
    try {
      this.options.gcBeforeBurst?.();
    } catch (error) {
      this.events.emit("error", { error: asError(error), context: "gcBeforeBurst" });
    }
  }

  /**
   * Commits prepared plans, in batches. A plan made as if at `at` still holds at `now` unless the
   * delay made one of its occurrences late (past its misfire grace) or made the next one due:
   * such a job is planned again, at `now`, still conditional on the job as it was when prepared.
   */
  async #commitPrepared({ at, jobs, plans }: Prepared): Promise<void> {
    const { clock, batchSize } = this.options;
    for (let from = 0; from < plans.length; from += batchSize) {
      if (this.#state !== "running") {
        // Paused: the rest waits for the resume (a stop releases their claims).
        this.#prepared = { at, jobs: jobs.slice(from), plans: plans.slice(from) };
        return;
      }
      const now = clock.now();
      const batch = plans.slice(from, from + batchSize);
      for (let i = 0; i < batch.length; i++) {
        const { commit } = batch[i]!;
        const job = jobs[from + i]!;
        if (stillHolds(commit, job.policy.misfireGraceMs, at, now)) {
          for (const run of commit.runs) {
            run.firedAt = now;
            if (run.endedAt !== null) run.endedAt = now;
          }
          continue;
        }
        const again = planFire(job, this.#triggerOf(job), now);
        again.commit.jobVersion = commit.jobVersion;
        again.commit.plannedActiveRuns = commit.plannedActiveRuns!;
        batch[i] = again;
      }
      this.#tickWorked = true;
      await this.#commit(batch, now);
      if (from + batchSize < plans.length) await yieldToEventLoop();
    }
  }

  async #arm(): Promise<void> {
    if (this.#state !== "running") return;
    const { clock, pollIntervalMs } = this.options;
    let wakeAt = await this.#store.nextWakeAt();
    if (this.#state !== "running" || this.#tickAgain) return;
    let now = clock.now();
    const wokeToPrepare = this.#wokeToPrepare;
    this.#wokeToPrepare = false;
    // Shortly before a due instant, claim and plan its jobs; before that, wake up in time to. Only
    // when woken up for it: jobs due one after another (each within the lead of the one before)
    // are fired at their instants as they come, planning ahead would save them nothing.
    let lead = 0;
    if (
      this.#prepared === undefined &&
      this.#store.commitsIfUnchanged &&
      this.#lastFired <= MAX_PREPARED &&
      wakeAt !== null &&
      wakeAt > now
    ) {
      lead = this.#prepareLeadMs();
      if (wakeAt - now <= lead) {
        lead = 0;
        if (wokeToPrepare) {
          await this.#prepare(wakeAt);
          if (this.#state !== "running" || this.#tickAgain) return;
          now = clock.now();
          // Preparing took until the due instant: fire now rather than through a timer.
          if (wakeAt <= now) {
            this.#tickAgain = true;
            return;
          }
        }
      }
    }
    if (this.#prepared) wakeAt = wakeAt === null ? this.#prepared.at : Math.min(wakeAt, this.#prepared.at);
    let delay = wakeAt === null ? MAX_SLEEP_CHUNK_MS : Math.max(0, wakeAt - lead - now);
    delay = Math.min(delay, MAX_SLEEP_CHUNK_MS);
    if (this.#store.shared) delay = Math.min(delay, pollIntervalMs);
    if (this.#failures > 0) delay = Math.max(delay, Math.min(MAX_RETRY_DELAY_MS, 100 * 2 ** this.#failures));
    // Something is due but this tick could claim nothing (say, a lease of ours whose renewal
    // failed, which only its owner could act on): wait a little instead of spinning.
    if (wakeAt !== null && wakeAt <= this.#lastClaimAt && !this.#tickWorked)
      delay = Math.max(delay, IDLE_RETRY_MS);
    // Waking for a due time (not a poll, a back-off, a chunk of a long sleep or a preparation): be on time.
    const dueAt = wakeAt ?? Infinity;
    this.#setTimer(delay, delay === dueAt - now, lead > 0 && delay === dueAt - lead - now);
  }

  /** Wakes the loop after `delayMs`; `precise` for the due time of jobs, which should fire on time. */
  #setTimer(delayMs: number, precise = false, toPrepare = false): void {
    this.#timer?.cancel();
    this.#timer = this.options.clock.setTimer(
      () => {
        this.#timer = undefined;
        this.#wokeToPrepare = toPrepare;
        if (this.#state === "running" && !this.#tick) this.#runTick();
      },
      delayMs,
      { precise },
    );
  }

  #emitFired(run: RunRecord, now: number): void {
    switch (run.status) {
      case "pending":
        if (this.events.has("run:fired"))
          this.events.emit("run:fired", { run: toRunInfo(run), lateMs: Math.max(0, now - run.dueAt) });
        break;
      case "waiting":
        if (this.events.has("run:waiting")) this.events.emit("run:waiting", { run: toRunInfo(run) });
        break;
      case "skipped":
        if (this.events.has("run:skipped")) this.events.emit("run:skipped", { run: toRunInfo(run) });
        break;
      case "missed":
        if (this.events.has("run:missed")) this.events.emit("run:missed", { run: toRunInfo(run) });
        break;
      case "cancelled":
        if (this.events.has("run:cancelled")) this.events.emit("run:cancelled", { run: toRunInfo(run) });
        break;
      default:
        break;
    }
  }

  /** Overlap `replace`: cancels the job's live runs other than the ones just inserted. */
  async #cancelLiveRuns(jobId: string, inserted: readonly RunRecord[]): Promise<void> {
    const fresh = new Set(inserted.map((r) => r.id));
    const page = await (
      await this.#opened()
    ).listRuns({
      jobId,
      status: ["pending", "waiting", "dispatched", "running", "retrying"],
      limit: 1000,
    });
    for (const run of page.items) {
      if (fresh.has(run.id)) continue;
      if (this.#executor.cancel(run.id, "replaced")) continue;
      await this.#cancelStored(run.id, "replaced");
    }
  }

  /**
   * A job just paused (pauseJob, ensureJob): its runs that have not started an attempt are cancelled
   * (reason `job-paused`), so that nothing of a paused job starts: one waiting for its jittered due
   * time, for a concurrency slot, in a queue for a worker, or behind a running run (overlap
   * `queue`). Waiting runs go first, so that cancelling the run ahead of them promotes none. A
   * running run goes on, retries included. Returns the job as it is afterwards.
   */
  async #cancelNotStarted(job: JobRecord): Promise<JobRecord> {
    if (job.activeRuns === 0) return job;
    let cancelled = 0;
    for (const status of [["waiting"], ["pending", "dispatched"]] as const) {
      for await (const run of this.#runsOf(job.id, status)) {
        cancelled++;
        // Recorded first, so that the job returned says so; then the executor lets go of it (or
        // aborts it, if it started meanwhile: the store refused to cancel a running run).
        await this.#cancelStored(run.id, "job-paused");
        this.#executor.cancel(run.id, "job-paused");
      }
    }
    return cancelled > 0 ? ((await (await this.#opened()).getJob(job.id)) ?? job) : job;
  }

  /** Every run of a job with one of these statuses, page after page. */
  async *#runsOf(jobId: string, status: readonly RunRecord["status"][]): AsyncGenerator<RunRecord> {
    const store = await this.#opened();
    let cursor: string | null = null;
    do {
      const page: Page<RunRecord> = await store.listRuns({
        jobId,
        status,
        limit: 1000,
        ...(cursor === null ? {} : { cursor }),
      });
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor !== null);
  }

  /**
   * Cancels a live run in the store (which refuses a running one), reports it, and dispatches the
   * waiting run (overlap `queue`) that the cancellation lets start, if any.
   */
  async #cancelStored(runId: string, reason: "user" | "replaced" | "job-paused"): Promise<void> {
    const result = await (
      await this.#opened()
    ).cancelRun(runId, {
      now: this.options.clock.now(),
      reason,
      owner: this.id,
      leaseMs: this.options.leaseMs,
    });
    if (!result) return;
    if (this.events.has("run:cancelled")) this.events.emit("run:cancelled", { run: toRunInfo(result.run) });
    if (result.promoted) this.#executor.dispatch([result.promoted]);
  }

  async #reportMissingTasks(): Promise<void> {
    let cursor: string | undefined;
    do {
      const page = await (
        await this.#opened()
      ).listJobs({ limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
      for (const job of page.items) {
        if (!this.tasks.has(job.taskName))
          this.events.emit("job:task-missing", { jobId: job.id, taskName: job.taskName });
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }

  // ---- Helpers ----------------------------------------------------------------------------

  /**
   * A job's trigger, built once: found by the job's stored spec object when the store hands out the
   * same one each time (the memory store does; SQLite and Redis do for up to 2,000 distinct specs),
   * else by the job's id and version (interval jobs each have their own anchor, so 10,000 of them
   * on a shared store are 10,000 specs parsed anew on every read).
   */
  #triggerOf(job: JobRecord): Trigger {
    const bySpec = this.#pool.cachedFromSpec(job.trigger);
    if (bySpec) return bySpec;
    const cached = this.#triggers.get(job.id);
    if (cached && cached.version === job.version) return cached.trigger;
    const trigger = this.#pool.fromSpec(job.trigger);
    this.#triggers.set(job.id, { version: job.version, trigger });
    return trigger;
  }

  #info(job: JobRecord, trigger: Trigger = this.#triggerOf(job)): JobInfo {
    const spec = job.trigger as TriggerSpecBase & { timezone?: unknown };
    return toJobInfo(job, {
      schedule: this.#pool.describe(trigger),
      timezone: typeof spec.timezone === "string" ? spec.timezone : null,
      recurring: trigger.recurring,
      taskRegistered: this.tasks.has(job.taskName),
    });
  }

  /**
   * The store, opened. Jobs can be managed before `start()`, so the first call to touch the store
   * opens it (once; a stopped scheduler that closed its own store opens it again).
   */
  #opened(): Promise<Store> {
    this.#opening ??= this.#store.open({ retention: this.options.retention }).then(
      () => this.#store,
      (error: unknown) => {
        this.#opening = undefined;
        throw error;
      },
    );
    return this.#opening;
  }

  async #requireJob(id: string): Promise<JobRecord> {
    const job = await (await this.#opened()).getJob(id);
    if (!job) throw new JobNotFoundError(id);
    return job;
  }

  async #update(id: string, patch: JobPatch): Promise<JobRecord> {
    return (await this.#opened()).updateJob(id, patch, this.options.clock.now());
  }

  /**
   * {@link #resolveTask} for `addJob`. A job id that is taken (and not to be replaced) is reported as
   * DuplicateJobError, also when the task is a function whose name another task has.
   */
  async #resolveNewTask(
    jobId: string,
    task: unknown,
    replace: boolean,
  ): Promise<{ definition: TaskDefinition; own: boolean }> {
    try {
      return this.#resolveTask(jobId, task, "task");
    } catch (error) {
      if (!replace && typeof task === "function" && (await (await this.#opened()).getJob(jobId)))
        throw new DuplicateJobError(jobId);
      throw error;
    }
  }

  /**
   * Registers the task a job is given. A job's own task (see {@link #resolveTask}) takes the place of
   * the function registered for the job before; the returned function puts that one back, for a
   * change that then fails. Any other task is registered as `registerTask` does (DuplicateTaskError
   * for a different task under a taken name), and stays.
   */
  #registerJobTask(definition: TaskDefinition, own: boolean): () => void {
    const { name } = definition;
    const previous = this.tasks.get(name);
    if (!own || (previous && previous.fn !== definition.fn && !this.#jobTasks.has(name))) {
      this.tasks.register(definition);
      return () => undefined;
    }
    this.tasks.replace(definition);
    const wasOwn = this.#jobTasks.has(name);
    this.#jobTasks.add(name);
    return () => {
      if (previous) this.tasks.replace(previous);
      else this.tasks.delete(name);
      if (!wasOwn) this.#jobTasks.delete(name);
    };
  }

  /**
   * Writes a job with the task it is given (`task`; null: its task stays): the task registered first
   * ({@link #registerJobTask}), the registry put back if the write fails, and the job's own task
   * unregistered once the job runs another ({@link #releaseJobTask}).
   */
  async #writeWithTask(
    id: string,
    task: { definition: TaskDefinition; own: boolean } | null,
    write: () => Promise<JobRecord>,
  ): Promise<JobRecord> {
    const undo = task ? this.#registerJobTask(task.definition, task.own) : () => undefined;
    let job: JobRecord;
    try {
      job = await write();
    } catch (error) {
      undo();
      throw error;
    }
    this.#releaseJobTask(id, job.taskName);
    return job;
  }

  /** Unregisters the job's own task once the job no longer runs it (`taskName`: its task now, null once removed). */
  #releaseJobTask(jobId: string, taskName: string | null): void {
    const name = jobTaskName(jobId);
    if (name !== taskName && this.#jobTasks.delete(name)) this.tasks.delete(name);
  }

  /**
   * The task a job is given. `own`: an anonymous function, registered under the job's own name
   * ({@link jobTaskName}), which belongs to that job alone: giving the job another function
   * replaces it there (see {@link #registerJobTask}).
   */
  #resolveTask(jobId: string, task: unknown, field: string): { definition: TaskDefinition; own: boolean } {
    if (typeof task === "string") {
      const known = this.tasks.get(task);
      if (!known)
        throw new TaskNotFoundError(
          task,
          this.tasks.list().map((t) => t.name),
        );
      return { definition: known, own: false };
    }
    if (isTaskDefinition(task)) return { definition: task, own: false };
    if (typeof task === "function") {
      // A plain function is known by its own name, or by the job's own name when it has none.
      const named = task.name && /^[A-Za-z0-9_.:/-]{1,128}$/.test(task.name) && task.name !== "anonymous";
      const name = named ? task.name : jobTaskName(jobId);
      const existing = this.tasks.get(name);
      if (existing && existing.fn === task) return { definition: existing, own: !named };
      if (existing && named) {
        throw new InvalidArgumentError(
          field,
          `a function whose name is not taken; a different task named "${name}" is registered (use defineTask("other-name", fn))`,
          task,
        );
      }
      return { definition: defineTask(name, task as (...args: never[]) => unknown), own: !named };
    }
    throw new InvalidArgumentError(
      field,
      "a function, a defineTask() definition or a registered task name",
      task,
    );
  }
}

/** A resumed job's next run (see `resumeJob`): from now, or a one-off's own time. */
function resumedNextRunAt(job: JobRecord, trigger: Trigger, now: number): number | null {
  return trigger.recurring ? trigger.nextMs(now) : job.nextRunAt;
}

function firstRunAt(trigger: Trigger, now: number): number | null {
  const next = trigger.nextMs(now - 1);
  if (next !== null) return next;
  // A one-off date in the past is still due (and late): the catch-up policy decides its fate.
  if (!trigger.recurring) {
    const at = (trigger.toJSON() as TriggerSpecBase & { at?: unknown }).at;
    const ms = typeof at === "string" ? Date.parse(at) : NaN;
    if (Number.isFinite(ms)) return ms;
  }
  return null;
}

function validateRunId(id: unknown): asserts id is string {
  if (typeof id !== "string" || id.length === 0)
    throw new InvalidArgumentError("id", 'a run id like "job1@2026-01-01T00:00:00.000Z"', id);
}

function validateJobId(id: unknown): asserts id is string {
  if (
    typeof id !== "string" ||
    id.length === 0 ||
    id.length > MAX_JOB_ID_LENGTH ||
    hasControlCharacter(id) ||
    id.trim() !== id
  ) {
    throw new InvalidArgumentError(
      "id",
      `a job ID of 1 to ${MAX_JOB_ID_LENGTH} characters without control characters or surrounding spaces`,
      id,
    );
  }
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function validateLimit(limit: unknown): void {
  if (
    limit !== undefined &&
    (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > 1000)
  ) {
    throw new InvalidArgumentError("limit", "an integer from 1 to 1000", limit);
  }
}

const JOB_QUERY_KEYS = new Set<string>(["status", "taskName", "search", "cursor", "limit"]);
const RUN_QUERY_KEYS = new Set<string>(["jobId", "status", "from", "to", "cursor", "limit"]);

/** A query is an object of known keys (a misspelt filter would silently match everything). */
function validateQuery(query: unknown, method: string, keys: ReadonlySet<string>): void {
  if (typeof query !== "object" || query === null || Array.isArray(query))
    throw new InvalidArgumentError("query", `an object of ${[...keys].join(", ")}`, query);
  for (const key of Object.keys(query)) if (!keys.has(key)) throw unknownOption(key, method);
}

function validateStatuses(value: unknown, allowed: readonly string[]): void {
  if (value === undefined) return;
  const expected = `an array of statuses among ${allowed.join(", ")}`;
  if (!Array.isArray(value)) throw new InvalidArgumentError("status", expected, value);
  const unknown: unknown = value.find((status) => !allowed.includes(status as string));
  if (unknown !== undefined) throw new InvalidArgumentError("status", expected, unknown);
}

function validateOptionalString(value: unknown, field: string): void {
  if (value !== undefined && typeof value !== "string")
    throw new InvalidArgumentError(field, "a string", value);
}

function validDate(value: unknown, field: string): Date {
  if (value instanceof Date && Number.isFinite(value.getTime())) return value;
  throw new InvalidArgumentError(field, "a valid Date", value);
}

function validateDescription(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string" && value.length <= 2000) return value;
  throw new InvalidOptionError("description", "a string of at most 2000 characters", value);
}

/** Args must survive a trip through JSON unchanged: stores and queues carry them as JSON. */
function validateArgs(args: unknown, task: TaskDefinition | undefined, field: string): unknown[] {
  if (!Array.isArray(args))
    throw new InvalidArgumentError(field, "an array of JSON values (the task's arguments)", args);
  const problem = findNonJson(args, field, 0);
  if (problem)
    throw new InvalidArgumentError(
      problem.path,
      "a JSON value (string, number, boolean, null, array or plain object)",
      problem.value,
    );
  if (task?.argsSchema) {
    const result = task.argsSchema.safeParse(args);
    if (!result.success) {
      throw new InvalidArgumentError(
        field,
        `arguments accepted by task "${task.name}": ${result.error.message}`,
        args,
      );
    }
  }
  return JSON.parse(JSON.stringify(args)) as unknown[];
}

function findNonJson(value: unknown, path: string, depth: number): { path: string; value: unknown } | null {
  if (depth > 64) return { path, value: "nested more than 64 levels" };
  if (value === null || typeof value === "string" || typeof value === "boolean") return null;
  if (typeof value === "number") return Number.isFinite(value) ? null : { path, value };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = findNonJson(value[i], `${path}[${i}]`, depth + 1);
      if (p) return p;
    }
    return null;
  }
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return { path, value };
    for (const [k, v] of Object.entries(value)) {
      const p = findNonJson(v, `${path}.${k}`, depth + 1);
      if (p) return p;
    }
    return null;
  }
  return { path, value };
}

function pickTriggerOptions(options: object): TriggerOptions {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options))
    if (TRIGGER_KEYS.has(key) && value !== undefined) out[key] = value;
  return out;
}

function pickPolicyOptions(options: object): JobPolicyOptions {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options))
    if (isPolicyKey(key) && value !== undefined) out[key] = value;
  return out;
}

function unknownOption(key: string, method: string): InvalidOptionError {
  return new InvalidOptionError(key, `an option of ${method}()`, key, {
    message: `Unknown option \`${key}\` (${describeValue(key)}) in ${method}(); see the README for the allowed options`,
  });
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
