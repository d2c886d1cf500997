/**
 * The SQLite store: jobs, run history and leases in one file, shared safely by every process that
 * opens it (`shared = true`).
 *
 * better-sqlite3 is synchronous, so within a process operations never interleave; across
 * processes, every write runs in a `BEGIN IMMEDIATE` transaction. IMMEDIATE matters: a deferred
 * transaction that reads and then writes can fail at the write with SQLITE_BUSY (in WAL mode,
 * SQLITE_BUSY_SNAPSHOT, which the busy timeout does not retry) when another process committed in
 * between; taking the write lock up front makes the busy timeout the only wait and leaves no
 * window between what a claim reads and what it writes.
 */
import { InvalidArgumentError, StoreUnavailableError } from "../../core/errors.js";
import type { JobRecord, JobStatus, RunRecord } from "../../core/jobs/job.js";
import { GroupCommit } from "../../core/stores/group-commit.js";
import type {
  CancelRunArgs,
  CancelRunResult,
  ClaimArgs,
  FinishAttemptArgs,
  FinishAttemptResult,
  FireCommit,
  FireCommitResult,
  JobPatch,
  JobQuery,
  Page,
  RetentionPolicy,
  RunQuery,
  StartAttemptArgs,
  Store,
  StoreOpenOptions,
} from "../../core/stores/store.js";
import { describeFile, fileIdentity, openDatabase, type FileIdentity } from "./connection.js";
import { Sequence, type StoreContext, type WriteContext } from "./context.js";
import { toStoreError } from "./errors.js";
import * as firing from "./firing.js";
import * as jobs from "./jobs.js";
import {
  resolveSqliteStoreOptions,
  type ResolvedSqliteStoreOptions,
  type SqliteStoreOptions,
} from "./options.js";
import * as queries from "./queries.js";
import * as runs from "./runs.js";
import { prepareStatements, StatementCache } from "./statements.js";

const DEFAULT_RETENTION: RetentionPolicy = { maxRunsPerJob: 100, maxAgeMs: 30 * 86_400_000 };

interface OpenState {
  ctx: StoreContext;
  identity: FileIdentity | null;
  /** `BEGIN IMMEDIATE ... COMMIT` around a callback (ROLLBACK if it throws). */
  immediate: <T>(fn: () => T) => T;
  /** `BEGIN ... COMMIT` around a callback: one snapshot for reads of several statements. */
  deferred: <T>(fn: () => T) => T;
  /** Inside a transaction: a savepoint around a callback, rolled back alone if it throws. */
  nested: <T>(fn: () => T) => T;
}

interface GroupedWrite {
  action: string;
  fn: (ctx: WriteContext) => unknown;
}

/**
 * A {@link Store} in a SQLite file:
 *
 * ```ts
 * const store = new SqliteStore({ path: "./cronq.db" });
 * const scheduler = new Scheduler({ store }); // opens it at start(); close it yourself after stop()
 * ```
 *
 * `shared` is true even for `":memory:"`, which no other process can see: the store behaves the
 * same either way (leases of live runs expire), which is what tests of the file store want.
 */
export class SqliteStore implements Store {
  readonly kind = "sqlite";
  readonly shared = true;
  readonly commitsIfUnchanged = true;
  readonly options: ResolvedSqliteStoreOptions;

  /** See {@link #grouped}. One transaction is synchronous: a group is whatever one turn asked for. */
  readonly #group = new GroupCommit<GroupedWrite, unknown>(
    (ops) => Promise.resolve(this.#writeGroup(ops)),
    Number.MAX_SAFE_INTEGER,
  );
  #state: OpenState | null = null;
  #closed = false;
  #retention: RetentionPolicy = DEFAULT_RETENTION;
  readonly #where: string;

  constructor(options: SqliteStoreOptions) {
    this.options = resolveSqliteStoreOptions(options);
    this.#where = describeFile(this.options);
  }

  /**
   * Opens the file (creating it and its schema if needed) and sets the retention. Idempotent;
   * reopens after close(). A store that was never opened opens itself on first use, with the
   * default retention until open() sets one: a Scheduler accepts jobs before start() opens its store.
   */
  open(options?: StoreOpenOptions): Promise<void> {
    try {
      if (options !== undefined) this.#retention = validRetention(options.retention);
      if (this.#state) this.#state.ctx = { ...this.#state.ctx, retention: this.#retention };
      else this.#connect();
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(toStoreError(error, "open", this.#where));
    }
  }

  /** Closes the file. Idempotent. Operations after it reject with StoreUnavailableError until open() is called again. */
  close(): Promise<void> {
    const state = this.#state;
    this.#state = null;
    if (state) {
      this.#closed = true;
      try {
        state.ctx.db.close();
      } catch (error) {
        return Promise.reject(toStoreError(error, "close", this.#where));
      }
    }
    return Promise.resolve();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * Reads the schema version, and checks that the path still names the file that was opened: a
   * file deleted or replaced under a running store would otherwise keep "working" on the old inode.
   */
  ping(): Promise<void> {
    try {
      const state = this.#open("answer a ping");
      state.ctx.s.schemaVersion.get();
      if (state.identity) {
        const current = fileIdentity(this.options.file);
        if (!current || current.dev !== state.identity.dev || current.ino !== state.identity.ino) {
          throw new StoreUnavailableError(
            `The SQLite store ${this.#where} was ${current ? "replaced" : "deleted"} since it was opened; ` +
              "what is written now would be lost. Restart the process, or open() the store again.",
          );
        }
      }
      return Promise.resolve();
    } catch (error) {
      const mapped = toStoreError(error, "answer a ping", this.#where);
      return Promise.reject(
        mapped instanceof StoreUnavailableError
          ? mapped
          : new StoreUnavailableError(`The SQLite store ${this.#where} could not answer a ping.`, {
              cause: error,
            }),
      );
    }
  }

  // ---- Jobs -------------------------------------------------------------------------------

  insertJob(job: JobRecord, options: { replace: boolean; now: number }): Promise<JobRecord> {
    return this.#write("insert a job", (ctx) => jobs.insertJob(ctx, job, options));
  }

  getJob(id: string): Promise<JobRecord | null> {
    return this.#read("read a job", false, (ctx) => jobs.getJob(ctx, id));
  }

  listJobs(query: JobQuery = {}): Promise<Page<JobRecord>> {
    return this.#read("list jobs", false, (ctx) => queries.listJobs(ctx, query));
  }

  countJobs(): Promise<Record<Exclude<JobStatus, "missing-task">, number>> {
    return this.#read("count jobs", false, (ctx) => queries.countJobs(ctx));
  }

  updateJob(id: string, patch: JobPatch, now: number): Promise<JobRecord> {
    return this.#write("update a job", (ctx) => jobs.updateJob(ctx, id, patch, now));
  }

  removeJob(id: string): Promise<JobRecord | null> {
    return this.#write("remove a job", (ctx) => jobs.removeJob(ctx, id));
  }

  // ---- Firing -----------------------------------------------------------------------------

  nextWakeAt(): Promise<number | null> {
    return this.#read("compute the next wake-up", true, (ctx) => firing.nextWakeAt(ctx, this.shared));
  }

  claimDueJobs(args: ClaimArgs): Promise<JobRecord[]> {
    return this.#write("claim due jobs", (ctx) => firing.claimDueJobs(ctx, args));
  }

  /** All commits in one transaction: one lock and one WAL commit for the whole batch. */
  commitFires(
    commits: readonly FireCommit[],
    args: { now: number; owner: string; leaseMs: number },
  ): Promise<FireCommitResult[]> {
    return this.#write("commit fires", (ctx) => firing.commitFires(ctx, commits, args));
  }

  releaseClaims(owner: string): Promise<void> {
    return this.#write("release claims", (ctx) => firing.releaseClaims(ctx, owner));
  }

  // ---- Runs -------------------------------------------------------------------------------

  insertRun(
    run: RunRecord,
    args: { now: number; owner: string; leaseMs: number },
  ): Promise<RunRecord | null | false> {
    return this.#write("insert a run", (ctx) => runs.insertRun(ctx, run, args));
  }

  claimRunsForDispatch(args: ClaimArgs): Promise<RunRecord[]> {
    return this.#write("claim runs for dispatch", (ctx) => runs.claimRunsForDispatch(ctx, args, this.shared));
  }

  markDispatched(runIds: readonly string[], args: { now: number; owner: string }): Promise<string[]> {
    return this.#write("mark runs dispatched", (ctx) => runs.markDispatched(ctx, runIds, args));
  }

  startAttempt(runId: string, args: StartAttemptArgs): Promise<RunRecord | null> {
    return this.#grouped("start an attempt", (ctx) => runs.startAttempt(ctx, runId, args));
  }

  finishAttempt(runId: string, args: FinishAttemptArgs): Promise<FinishAttemptResult | null> {
    return this.#grouped("finish an attempt", (ctx) => runs.finishAttempt(ctx, runId, args));
  }

  renewRunLeases(
    runIds: readonly string[],
    args: { now: number; owner: string; leaseMs: number },
  ): Promise<string[]> {
    return this.#write("renew run leases", (ctx) => runs.renewRunLeases(ctx, runIds, args));
  }

  cancelRun(runId: string, args: CancelRunArgs): Promise<CancelRunResult | null> {
    return this.#write("cancel a run", (ctx) => runs.cancelRun(ctx, runId, args));
  }

  getRun(id: string): Promise<RunRecord | null> {
    return this.#read("read a run", false, (ctx) => runs.getRun(ctx, id));
  }

  listRuns(query: RunQuery = {}): Promise<Page<RunRecord>> {
    return this.#read("list runs", false, (ctx) => queries.listRuns(ctx, query));
  }

  /**
   * Deletes in chunks of a few thousand runs, each chunk its own transaction, so that pruning a
   * long history never holds the write lock for long; each chunk keeps the job counters exact.
   */
  pruneRuns(args: { now: number }): Promise<number> {
    try {
      const state = this.#open("prune runs");
      const cutoff = args.now - state.ctx.retention.maxAgeMs;
      let deleted = 0;
      for (;;) {
        const n = state.immediate(() => queries.pruneOldChunk(state.ctx, cutoff));
        deleted += n;
        if (n < queries.PRUNE_CHUNK) break;
      }
      deleted += state.immediate(() => queries.pruneExcess(state.ctx));
      return Promise.resolve(deleted);
    } catch (error) {
      return Promise.reject(toStoreError(error, "prune runs", this.#where));
    }
  }

  // ---- Internals --------------------------------------------------------------------------

  #open(action: string): OpenState {
    if (this.#state) return this.#state;
    if (this.#closed) {
      throw new StoreUnavailableError(
        `The SQLite store ${this.#where} is closed, so it cannot ${action}. Call open() to use it again.`,
      );
    }
    return this.#connect();
  }

  #connect(): OpenState {
    const { db, identity } = openDatabase(this.options);
    const run = db.transaction((fn: () => unknown) => fn());
    const state: OpenState = {
      ctx: { db, s: prepareStatements(db), queries: new StatementCache(db), retention: this.#retention },
      identity,
      immediate: <T>(fn: () => T) => run.immediate(fn) as T,
      deferred: <T>(fn: () => T) => run.deferred(fn) as T,
      nested: <T>(fn: () => T) => run(fn) as T,
    };
    this.#state = state;
    this.#closed = false;
    return state;
  }

  #write<T>(action: string, fn: (ctx: WriteContext) => T): Promise<T> {
    try {
      const state = this.#open(action);
      const ctx = state.ctx;
      return Promise.resolve(
        state.immediate(() => {
          const seq = new Sequence(ctx.s);
          const result = fn({ ...ctx, seq });
          seq.flush();
          return result;
        }),
      );
    } catch (error) {
      return Promise.reject(toStoreError(error, action, this.#where));
    }
  }

  /**
   * Group commit for the run path: starts and finishes of runs asked for in the same turn (an
   * executor starting a batch, the batch's quick tasks finishing) are written in one transaction,
   * each in its own savepoint, so that one failing (a lost lease) leaves the others alone. A
   * thousand runs cost one write lock and one WAL commit instead of a thousand; each promise still
   * settles only after the commit that holds its write.
   */
  #grouped<T>(action: string, fn: (ctx: WriteContext) => T): Promise<T> {
    return this.#group.add({ action, fn }) as Promise<T>;
  }

  /** One transaction for a group: each write's result, or the error it failed with. */
  #writeGroup(ops: GroupedWrite[]): unknown[] {
    const outcomes: unknown[] = [];
    try {
      const state = this.#open(ops[0]!.action);
      const ctx = state.ctx;
      state.immediate(() => {
        const seq = new Sequence(ctx.s);
        const write = { ...ctx, seq };
        for (const op of ops) {
          try {
            outcomes.push(state.nested(() => op.fn(write)));
          } catch (error) {
            outcomes.push(toStoreError(error, op.action, this.#where));
          }
        }
        seq.flush();
      });
    } catch (error) {
      // Nothing was committed: every operation of the group fails with the reason.
      return ops.map((op) => toStoreError(error, op.action, this.#where));
    }
    return outcomes;
  }

  /** `snapshot`: run the statements in one read transaction, for a consistent view. */
  #read<T>(action: string, snapshot: boolean, fn: (ctx: StoreContext) => T): Promise<T> {
    try {
      const state = this.#open(action);
      return Promise.resolve(snapshot ? state.deferred(() => fn(state.ctx)) : fn(state.ctx));
    } catch (error) {
      return Promise.reject(toStoreError(error, action, this.#where));
    }
  }
}

function validRetention(retention: RetentionPolicy): RetentionPolicy {
  if (typeof retention !== "object" || retention === null) {
    throw new InvalidArgumentError("retention", "an object with maxRunsPerJob and maxAgeMs", retention);
  }
  const { maxRunsPerJob, maxAgeMs } = retention;
  if (!Number.isInteger(maxRunsPerJob) || maxRunsPerJob < 0) {
    throw new InvalidArgumentError("retention.maxRunsPerJob", "a non-negative integer", maxRunsPerJob);
  }
  if (typeof maxAgeMs !== "number" || !(maxAgeMs >= 0)) {
    throw new InvalidArgumentError("retention.maxAgeMs", "a non-negative number of milliseconds", maxAgeMs);
  }
  return { maxRunsPerJob, maxAgeMs };
}
