/**
 * The Store port: where jobs, their next fire times, the run ledger and the leases live.
 *
 * Every store (memory, SQLite, Redis) implements this contract, and the shared contract suite
 * (`cronq/testing`, `storeContract`) checks it. Each method's doc says which records it may touch,
 * what is atomic, and what it returns when it loses a race. Times are epoch milliseconds passed in
 * by the caller (`now`): stores never read a clock of their own, except that a store shared between
 * machines may measure leases on its server's clock (the Redis store does) and says so.
 *
 * Ownership: run records passed to `commitFires` and `insertRun` belong to the store afterwards (the
 * caller must not change them). Records returned by the firing methods (`claimDueJobs`,
 * `commitFires`, `claimRunsForDispatch`, `startAttempt`, `finishAttempt`) may be the store's own
 * objects: callers read them and never mutate them, and must not expect them to stay unchanged.
 * Management reads (`getJob`, `listJobs`, `getRun`, `listRuns`, `updateJob`, `insertJob`,
 * `cancelRun`) return snapshots.
 *
 * Exactly-once firing rests on two rules that every store enforces atomically:
 * 1. a job is fired only by the holder of its current claim (`claimDueJobs` / `commitFires` with
 *    the claim's fencing token), and
 * 2. a run id (`jobId@scheduledAt`) is inserted at most once: a second insert of the same id is a
 *    no-op, whoever attempts it.
 */
import { LeaseLostError, type SerializedError } from "../errors.js";
import type {
  AttemptRecord,
  JobRecord,
  JobStatus,
  Lease,
  RunOrigin,
  RunReason,
  RunRecord,
  RunStatus,
} from "../jobs/job.js";
import type { JobPolicy } from "../jobs/policies.js";

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

export interface JobQuery {
  /** Jobs whose derived status ({@link jobStatusOf}) is one of these. */
  status?: readonly Exclude<JobStatus, "missing-task">[];
  taskName?: string;
  /** Case-insensitive substring of the id, task name or description. */
  search?: string;
  /** Opaque cursor from a previous page. Jobs are ordered by id. */
  cursor?: string;
  /** @default 100 */
  limit?: number;
}

export interface RunQuery {
  jobId?: string;
  status?: readonly RunStatus[];
  /** Runs whose `scheduledAt` is at or after this instant. */
  from?: number;
  /** Runs whose `scheduledAt` is before this instant. */
  to?: number;
  /** Opaque cursor from a previous page. Runs are ordered newest first (`scheduledAt`, then id). */
  cursor?: string;
  /** @default 100 */
  limit?: number;
}

/** Fields of a job that the management API may change (`updateJob`). */
export type JobPatch = Partial<
  Pick<JobRecord, "taskName" | "args" | "description" | "trigger" | "policy" | "paused" | "nextRunAt">
>;

export interface ClaimArgs {
  now: number;
  /** The scheduler replica or worker asking. */
  owner: string;
  /** How long the claim or lease lasts if not committed or renewed. */
  leaseMs: number;
  limit: number;
}

/** What a scheduler decided when it fired one claimed job. */
export interface FireCommit {
  jobId: string;
  /** The claim's fencing token, from the record `claimDueJobs` returned. */
  claimToken: number;
  /** The job's `version` in that record: if the job changed since, `nextRunAt` is left alone. */
  jobVersion: number;
  /** The next nominal occurrence after the ones in `runs`, or null when the trigger is exhausted. */
  nextRunAt: number | null;
  /**
   * One record per occurrence processed: live ones (`pending` ones are leased to the committing
   * owner until `max(now, dueAt) + leaseMs`, so that a jittered run waiting for its due time keeps
   * its lease; `waiting` ones are not leased) and final ones (`skipped`, `missed`).
   */
  runs: RunRecord[];
  /**
   * Set on a plan made ahead of its due instant, and only for a store that `commitsIfUnchanged`:
   * the job's live runs (`activeRuns`) in the record the plan was made from. The commit is then
   * written only if the job is still as it was (this `version`, not paused, this many live runs);
   * otherwise nothing is written, the claim is released and the result is `changed`.
   */
  plannedActiveRuns?: number;
}

export interface FireCommitResult {
  jobId: string;
  /**
   * `ok`: written. `lease-lost`: the claim expired and someone else holds it now; nothing was
   * written. `job-gone`: the job was removed meanwhile; nothing was written. `changed`: a
   * conditional commit (`plannedActiveRuns`) found the job changed; nothing was written and the
   * claim is released.
   */
  status: "ok" | "lease-lost" | "job-gone" | "changed";
  /** The runs actually inserted (ids that already existed are left out), with their leases. */
  inserted: RunRecord[];
}

export interface StartAttemptArgs {
  now: number;
  /** Who executes it: the lease holder from now on. */
  owner: string;
  leaseMs: number;
  /**
   * The lease token the caller holds (from `claimRunsForDispatch` or `commitFires`), or null when
   * starting a `dispatched` run taken from a queue, which has no lease.
   */
  token: number | null;
  /**
   * The run as the caller got it from this store (when it was fired or queued), if it has it. Only
   * the fields set when the run was fired are read from it, and only for its first attempt: a store
   * may build its answer from them (with {@link applyStart}) instead of reading the whole run back,
   * once it has checked the run's state itself; other stores ignore it.
   */
  record?: RunRecord;
}

export interface FinishAttemptArgs {
  now: number;
  owner: string;
  /** The token `startAttempt` returned in the run's lease. */
  token: number;
  outcome: "succeeded" | "failed" | "timed-out" | "cancelled";
  error: SerializedError | null;
  /** For a non-success: why (`error`, `timeout`, `non-retryable`, `replaced`, `shutdown`...). */
  reason: RunReason | null;
  /** When set, the run is not finished: it goes to `retrying` until this instant. */
  retryAt: number | null;
  /** Lease given to the caller on a `waiting` run that this finish promotes to `pending`. */
  leaseMs: number;
  /**
   * The run as this store returned it when the attempt started, if the caller has it. A store may
   * build its answer from it (with {@link applyFinish}) instead of reading the whole run back, once
   * it has checked the lease; other stores ignore it.
   */
  record?: RunRecord;
}

/** What is the same for every item of a batch call. */
export interface BatchArgs {
  now: number;
  owner: string;
  leaseMs: number;
}

/** One run to start in {@link Store.startAttempts}. */
export interface StartItem {
  runId: string;
  token: number | null;
  /** As {@link StartAttemptArgs.record}. */
  record?: RunRecord;
}

/** How one attempt ended: {@link FinishAttemptArgs} without what a batch shares. */
export type FinishOutcome = Omit<FinishAttemptArgs, "now" | "owner" | "leaseMs">;

/** One attempt to finish in {@link Store.finishAttempts}. */
export interface FinishItem extends FinishOutcome {
  runId: string;
}

export interface FinishAttemptResult {
  /** The run as recorded (its job's counters were updated with it; `getJob` reads them). */
  run: RunRecord;
  /**
   * Overlap `queue`: the oldest `waiting` run of the job, now `pending` and leased to the caller,
   * which must dispatch it. Null when there is none or the job still has another live run.
   */
  promoted: RunRecord | null;
}

/** Arguments of {@link Store.cancelRun}. */
export interface CancelRunArgs {
  now: number;
  reason: RunReason;
  /** Who leases a waiting run that the cancellation lets start (see {@link CancelRunResult}). */
  owner: string;
  leaseMs: number;
}

export interface CancelRunResult {
  run: RunRecord;
  /**
   * Overlap `queue`: the job's oldest `waiting` run when the cancelled run was the last live run
   * ahead of it, now `pending` and leased to the caller, which must dispatch it; else null.
   */
  promoted: RunRecord | null;
}

/** How much run history a store keeps. */
export interface RetentionPolicy {
  /** Keep at most this many final runs per job (the newest). */
  maxRunsPerJob: number;
  /** Final runs that ended longer ago than this are deleted by `pruneRuns`. */
  maxAgeMs: number;
}

export interface StoreOpenOptions {
  retention: RetentionPolicy;
}

export interface Store {
  /** `"memory"`, `"sqlite"`, `"redis"`... */
  readonly kind: string;
  /**
   * Whether other processes may change this store. A scheduler polls a shared store for jobs added
   * elsewhere, and only shared stores expire the leases of live runs (a process sharing nothing
   * cannot lose its executor without losing its store too).
   */
  readonly shared: boolean;
  /**
   * Whether `commitFires` honours `plannedActiveRuns` (conditional commits). A scheduler plans the
   * jobs due at its next wake-up shortly before it only with such a store (see `Scheduler`).
   */
  readonly commitsIfUnchanged?: boolean;

  /**
   * Connects and creates the schema. Idempotent. From then on the store keeps at most
   * `retention.maxRunsPerJob` final runs per job, deleting the oldest as new ones finish.
   */
  open(options: StoreOpenOptions): Promise<void>;
  /** Releases what `open` acquired. Idempotent. */
  close(): Promise<void>;
  /** Resolves if the store is reachable now; rejects with StoreUnavailableError otherwise. */
  ping(): Promise<void>;

  // ---- Jobs -------------------------------------------------------------------------------

  /**
   * Inserts a job. If one with the same id exists: with `replace`, its definition (task, args,
   * description, trigger, policy, paused, nextRunAt) is replaced, its counters and run history
   * kept, its `version` increased; without it, throws DuplicateJobError and changes nothing.
   * Atomic. Returns the stored record.
   */
  insertJob(job: JobRecord, options: { replace: boolean; now: number }): Promise<JobRecord>;

  getJob(id: string): Promise<JobRecord | null>;

  listJobs(query?: JobQuery): Promise<Page<JobRecord>>;

  /** How many jobs have each derived status. */
  countJobs(): Promise<Record<Exclude<JobStatus, "missing-task">, number>>;

  /**
   * Applies `patch` to one job, increases its `version` and sets `updatedAt`. Atomic. Throws
   * JobNotFoundError if the job does not exist. Returns the updated record.
   */
  updateJob(id: string, patch: JobPatch, now: number): Promise<JobRecord>;

  /**
   * Deletes a job and every run of it. Live runs still executing somewhere finish into nothing
   * (`finishAttempt` returns null for them). Returns the deleted record, or null if there was none.
   */
  removeJob(id: string): Promise<JobRecord | null>;

  // ---- Firing -----------------------------------------------------------------------------

  /**
   * The earliest instant at which `claimDueJobs` or `claimRunsForDispatch` may return something
   * (a job's nextRunAt, an expiring claim, a retry's nextAttemptAt, an expiring run lease in a
   * shared store), or null when nothing is scheduled.
   */
  nextWakeAt(): Promise<number | null>;

  /**
   * Claims up to `limit` jobs that are due: not paused, `nextRunAt <= now`, and not claimed by a
   * live claim. Atomically gives each a new claim `{ owner, expiresAt: now + leaseMs, token }` with
   * a token greater than any before, and returns them (earliest nextRunAt first). Concurrent callers
   * never receive the same job. What firing reads (trigger, policy, args, nextRunAt, activeRuns,
   * version, claim) is current; the counters and last-run fields are for `getJob` to answer, and a
   * store may leave them out of date here.
   */
  claimDueJobs(args: ClaimArgs): Promise<JobRecord[]>;

  /**
   * Writes what the claim holders decided, each commit atomically on its own: if the job's claim
   * still has `claimToken` (expired or not, as long as nobody re-claimed it), inserts the runs
   * (skipping ids that exist), updates the job's counters (`activeRuns`, `skippedCount`,
   * `missedCount`) and, when `jobVersion` still matches, `nextRunAt`; then clears the claim. A job
   * paused since the claim gets the runs that would have been live as `cancelled`, reason
   * `job-paused`, ended at `now` (cancelForPause, changed in place in the returned records).
   * Otherwise writes nothing for that job and says why.
   */
  commitFires(
    commits: readonly FireCommit[],
    args: { now: number; owner: string; leaseMs: number },
  ): Promise<FireCommitResult[]>;

  /** Clears every claim `owner` holds (a stopping scheduler), so that another can fire at once. */
  releaseClaims(owner: string): Promise<void>;

  // ---- Runs -------------------------------------------------------------------------------

  /**
   * Inserts a run that no trigger produced (a manual run), live (`pending`, leased to `owner`) and
   * counted in the job's `activeRuns`. Returns null if the job does not exist, or `false` if the id
   * exists. Atomic.
   */
  insertRun(
    run: RunRecord,
    args: { now: number; owner: string; leaseMs: number },
  ): Promise<RunRecord | null | false>;

  /**
   * Claims up to `limit` runs that someone must (re)dispatch: `retrying` runs whose
   * `nextAttemptAt <= now`, and, in shared stores, `pending` or `running` runs whose lease expired
   * and whose owner is not the caller. A `running` one gets its open attempt closed as
   * `interrupted`; if it has no attempt left it is finished as `failed` (reason `interrupted`)
   * instead of being returned. Each returned run is `pending`, leased to the caller.
   */
  claimRunsForDispatch(args: ClaimArgs): Promise<RunRecord[]>;

  /**
   * `pending` -> `dispatched` for runs the caller (holding their lease) handed to a queue. Runs
   * whose lease the caller lost are left alone and their ids returned.
   */
  markDispatched(runIds: readonly string[], args: { now: number; owner: string }): Promise<string[]>;

  /**
   * Starts the next attempt of a `pending` (leased to the caller with `token`), `dispatched`
   * (`token` null) or `retrying` run: status `running`, a new attempt record, a new lease for
   * `owner`. The first attempt sets the run's `startedAt` and the job's `lastRunStartedAt` and
   * `lastRunId`. Returns null if the run does not exist or is not in one of those states (already
   * started elsewhere, cancelled); throws LeaseLostError when the token is stale.
   */
  startAttempt(runId: string, args: StartAttemptArgs): Promise<RunRecord | null>;

  /**
   * Ends the open attempt of a `running` run held by `owner` with `token`: to `retrying` if
   * `retryAt` is set, otherwise to the final outcome, updating the job's counters and last-run
   * fields and promoting its oldest `waiting` run when no other live run is left. Atomic. Returns
   * null if the run no longer exists; throws LeaseLostError if the caller's lease is stale.
   */
  finishAttempt(runId: string, args: FinishAttemptArgs): Promise<FinishAttemptResult | null>;

  /**
   * Optional batch form of {@link startAttempt}: one result per item, in order, each exactly what
   * `startAttempt` would have returned, except that a lost lease is a LeaseLostError value in the
   * array instead of a rejection. Items are independent: one failing does not undo the others.
   * Stores implement it when one call is much cheaper than many (one transaction, one round trip);
   * callers use {@link startAttemptsOf} to get it or its equivalent.
   */
  startAttempts?(
    items: readonly StartItem[],
    args: BatchArgs,
  ): Promise<Array<RunRecord | null | LeaseLostError>>;

  /** Optional batch form of {@link finishAttempt}, on the same terms as {@link startAttempts}. */
  finishAttempts?(
    items: readonly FinishItem[],
    args: BatchArgs,
  ): Promise<Array<FinishAttemptResult | null | LeaseLostError>>;

  /**
   * Extends the leases `owner` holds on `running` or `pending` runs to `now + leaseMs`. Returns the
   * ids whose lease the owner no longer holds.
   */
  renewRunLeases(
    runIds: readonly string[],
    args: { now: number; owner: string; leaseMs: number },
  ): Promise<string[]>;

  /**
   * Finishes a live run that is not executing (`pending`, `waiting`, `dispatched`, `retrying`) as
   * `cancelled` with `reason`, updating the job's counters, and promotes the job's oldest waiting
   * run when no other live run is ahead of it (as a finish does). Returns the run and the promoted
   * one, or null if the run does not exist or is executing or final (an executing run is cancelled
   * by its executor).
   */
  cancelRun(runId: string, args: CancelRunArgs): Promise<CancelRunResult | null>;

  getRun(id: string): Promise<RunRecord | null>;

  listRuns(query?: RunQuery): Promise<Page<RunRecord>>;

  /**
   * Deletes final runs that ended before `now - retention.maxAgeMs`, and any beyond
   * `maxRunsPerJob` per job; never touches live runs. Returns how many it deleted.
   */
  pruneRuns(args: { now: number }): Promise<number>;
}

/** {@link Store.startAttempts}, or the same through `startAttempt` for a store without it. */
export function startAttemptsOf(
  store: Store,
  items: readonly StartItem[],
  args: BatchArgs,
): Promise<Array<RunRecord | null | LeaseLostError>> {
  if (store.startAttempts) return store.startAttempts(items, args);
  return Promise.all(
    items.map(({ runId, token, record }) =>
      store.startAttempt(runId, { ...args, token, ...(record ? { record } : {}) }).catch(leaseLostOrThrow),
    ),
  );
}

/** {@link Store.finishAttempts}, or the same through `finishAttempt` for a store without it. */
export function finishAttemptsOf(
  store: Store,
  items: readonly FinishItem[],
  args: BatchArgs,
): Promise<Array<FinishAttemptResult | null | LeaseLostError>> {
  if (store.finishAttempts) return store.finishAttempts(items, args);
  return Promise.all(
    items.map(({ runId, token, outcome, error, reason, retryAt, record }) =>
      store
        .finishAttempt(runId, {
          token,
          outcome,
          error,
          reason,
          retryAt,
          ...args,
          ...(record ? { record } : {}),
        })
        .catch(leaseLostOrThrow),
    ),
  );
}

/** A batch item's answer: a lost lease is the item's result, any other error fails the batch. */
function leaseLostOrThrow(error: unknown): LeaseLostError {
  if (error instanceof LeaseLostError) return error;
  throw error;
}

/** A job's status as far as its record tells (the scheduler adds `missing-task`). */
export function jobStatusOf(
  job: Pick<JobRecord, "paused" | "activeRuns" | "nextRunAt" | "lastOutcome">,
): Exclude<JobStatus, "missing-task"> {
  if (job.paused) return "paused";
  if (job.activeRuns > 0) return "running";
  if (job.nextRunAt !== null) return "scheduled";
  return job.lastOutcome === "failed" || job.lastOutcome === "timed-out" ? "failed" : "completed";
}

/**
 * The attempts of a run that has not started: one frozen list for all of them (a store gives a run
 * a list of its own when it starts), so that firing 100,000 runs does not allocate 100,000 empty
 * arrays. Frozen: code that would push onto it throws instead of sharing an attempt.
 */
const NO_ATTEMPTS = Object.freeze([]) as unknown as AttemptRecord[];

/**
 * Starts the next attempt of a startable run, in place, as every store records it: `running`, held
 * by `owner` under `lease`, with a new open attempt; the first attempt also sets the run's start.
 */
export function applyStart(run: RunRecord, now: number, owner: string, lease: Lease): void {
  const attempt: AttemptRecord = {
    attempt: run.attempts.length + 1,
    startedAt: now,
    endedAt: null,
    durationMs: null,
    outcome: null,
    error: null,
    worker: owner,
  };
  run.status = "running";
  run.nextAttemptAt = null;
  run.worker = owner;
  run.lease = lease;
  // A one-element literal is sized for one; pushing onto an empty array would reserve room for 17.
  if (attempt.attempt === 1) {
    run.startedAt = now;
    run.attempts = [attempt];
  } else run.attempts.push(attempt);
}

/**
 * Ends the open attempt of a `running` run, in place, as every store records it: the attempt's end,
 * duration, outcome and error; then either `retrying` until `retryAt`, or the final outcome with the
 * run's end and duration (the last attempt's). The lease is dropped either way.
 */
export function applyFinish(run: RunRecord, item: FinishOutcome, now: number): void {
  const open = run.attempts[run.attempts.length - 1]!;
  const durationMs = Math.max(0, now - open.startedAt);
  open.endedAt = now;
  open.durationMs = durationMs;
  open.outcome = item.outcome;
  open.error = item.error;
  run.error = item.error;
  run.lease = null;
  if (item.retryAt !== null) {
    run.status = "retrying";
    run.reason = item.reason;
    run.nextAttemptAt = item.retryAt;
    return;
  }
  run.status = item.outcome;
  run.reason = item.outcome === "succeeded" ? null : item.reason;
  run.endedAt = now;
  run.durationMs = durationMs;
  run.nextAttemptAt = null;
}

/** A fresh run record, with the fields every store and executor expects. */
export function newRunRecord(fields: {
  id: string;
  jobId: string;
  taskName: string;
  origin: RunOrigin;
  scheduledAt: number;
  dueAt: number;
  firedAt: number;
  status: RunStatus;
  reason?: RunReason | null;
  args: unknown[];
  policy: Pick<JobPolicy, "retry" | "timeoutMs" | "group">;
  coalesced?: RunRecord["coalesced"];
}): RunRecord {
  return {
    id: fields.id,
    jobId: fields.jobId,
    taskName: fields.taskName,
    origin: fields.origin,
    scheduledAt: fields.scheduledAt,
    dueAt: fields.dueAt,
    firedAt: fields.firedAt,
    status: fields.status,
    reason: fields.reason ?? null,
    args: fields.args,
    startedAt: null,
    endedAt: fields.status === "skipped" || fields.status === "missed" ? fields.firedAt : null,
    durationMs: null,
    attempts: NO_ATTEMPTS,
    retry: fields.policy.retry,
    timeoutMs: fields.policy.timeoutMs,
    group: fields.policy.group,
    nextAttemptAt: null,
    error: null,
    worker: null,
    lease: null,
    coalesced: fields.coalesced ?? null,
  };
}
