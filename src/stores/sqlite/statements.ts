/**
 * Every statement the store runs more than once, prepared once per connection: preparing is what
 * costs, binding and stepping are cheap. Queries with optional filters are prepared on first use
 * and cached by their text ({@link StatementCache}).
 *
 * The hot queries name their index (`INDEXED BY`): without ANALYZE statistics SQLite's planner
 * may prefer a broader index to the small partial ones built for these queries (it picked an
 * index on `status` and sorted every live run on each wake-up); naming the index also makes a
 * schema change that breaks one fail at prepare time instead of turning into a slow scan.
 */
import type Database from "better-sqlite3";
import {
  JOB_COLUMNS,
  RUN_COLUMNS,
  jobRowOf,
  placeholders,
  runRowOf,
  type JobRow,
  type RunRow,
} from "./rows.js";

/**
 * What the store uses of a prepared statement. Its own interface, because better-sqlite3's typings
 * keep theirs in a namespace that declaration files cannot name. Object parameters bind `@names`.
 */
export interface Stmt<P extends unknown[] | object, R = unknown> {
  run(...params: Params<P>): Database.RunResult;
  get(...params: Params<P>): R | undefined;
  all(...params: Params<P>): R[];
}

type Params<P> = P extends unknown[] ? P : [P];

/** A SELECT whose rows come back as objects: {@link rowsOf}. */
export type Query<P extends unknown[] | object, R> = Pick<Stmt<P, R>, "get" | "all">;

/** The derived job status of {@link jobStatusOf}, in SQL. */
export const JOB_STATUS_SQL =
  "CASE WHEN paused <> 0 THEN 'paused' WHEN active_runs > 0 THEN 'running' " +
  "WHEN next_run_at IS NOT NULL THEN 'scheduled' " +
  "WHEN last_outcome IN ('failed', 'timed-out') THEN 'failed' ELSE 'completed' END";

/** Job columns without the claim and the internal final-run count: what insertJob writes. */
const JOB_INSERT_COLUMNS = JOB_COLUMNS.replace(", claim_owner, claim_expires_at, claim_token", "");

export interface JobDefinitionParams {
  id: string;
  task_name: string;
  args: string;
  description: string | null;
  trigger: string;
  policy: string;
  paused: number;
  next_run_at: number | null;
  updated_at: number;
  version: number;
}

export interface JobCounterDeltas {
  id: string;
  active: number;
  skipped: number;
  missed: number;
  finals: number;
}

export interface JobFinishParams {
  id: string;
  failed: number;
  last_run_id: string;
  last_run_started_at: number | null;
  last_run_ended_at: number;
  last_duration_ms: number | null;
  last_outcome: string;
  last_error: string | null;
}

export interface LiveRunUpdateParams {
  id: string;
  status: string;
  reason: string | null;
  started_at: number | null;
  attempts: string;
  next_attempt_at: number | null;
  error: string | null;
  worker: string | null;
  lease: string | null;
}

const UPDATE_LIVE_RUN =
  "UPDATE cronq_runs SET status = @status, reason = @reason, started_at = @started_at, " +
  "attempts = @attempts, next_attempt_at = @next_attempt_at, error = @error, worker = @worker, " +
  "lease = @lease WHERE id = @id";

export interface RunUpdateParams extends LiveRunUpdateParams {
  ended_at: number | null;
  duration_ms: number | null;
  final_seq: number | null;
}

export function prepareStatements(db: Database.Database) {
  const p = <P extends unknown[] | object, R = unknown>(sql: string): Stmt<P, R> =>
    db.prepare(sql) as unknown as Stmt<P, R>;
  const jobs = <P extends unknown[] | object>(sql: string): Query<P, JobRow> => rowsOf(db, sql, jobRowOf);
  const runs = <P extends unknown[] | object>(sql: string): Query<P, RunRow> => rowsOf(db, sql, runRowOf);
  return {
    // ---- counters ----
    readSequence: p<[], { value: number }>("SELECT value FROM cronq_counters WHERE name = 'sequence'"),
    writeSequence: p<[number]>("UPDATE cronq_counters SET value = ? WHERE name = 'sequence'"),
    schemaVersion: p<[], { version: number | null }>("SELECT max(version) AS version FROM cronq_schema"),

    // ---- jobs ----
    getJob: jobs<[string]>(`SELECT ${JOB_COLUMNS} FROM cronq_jobs WHERE id = ?`),
    insertJob: p<JobRow>(
      `INSERT INTO cronq_jobs (${JOB_INSERT_COLUMNS}) VALUES (${placeholders(JOB_INSERT_COLUMNS)}) ` +
        "ON CONFLICT (id) DO NOTHING",
    ),
    writeJobDefinition: p<JobDefinitionParams>(
      "UPDATE cronq_jobs SET task_name = @task_name, args = @args, description = @description, " +
        "trigger = @trigger, policy = @policy, paused = @paused, next_run_at = @next_run_at, " +
        "updated_at = @updated_at, version = @version WHERE id = @id",
    ),
    deleteJob: p<[string]>("DELETE FROM cronq_jobs WHERE id = ?"),
    countJobs: p<[], { status: string; n: number }>(
      `SELECT ${JOB_STATUS_SQL} AS status, count(*) AS n FROM cronq_jobs GROUP BY 1`,
    ),

    // ---- firing ----
    dueJobs: jobs<{ now: number; limit: number }>(
      `SELECT ${JOB_COLUMNS} FROM cronq_jobs INDEXED BY cronq_jobs_due ` +
        "WHERE paused = 0 AND next_run_at IS NOT NULL AND next_run_at <= @now " +
        "AND (claim_token IS NULL OR claim_expires_at <= @now) " +
        "ORDER BY next_run_at, id LIMIT @limit",
    ),
    setClaim: p<[string, number, number, string]>(
      "UPDATE cronq_jobs SET claim_owner = ?, claim_expires_at = ?, claim_token = ? WHERE id = ?",
    ),
    jobForCommit: p<
      [string],
      { claim_token: number | null; version: number; paused: number; active_runs: number; final_runs: number }
    >("SELECT claim_token, version, paused, active_runs, final_runs FROM cronq_jobs WHERE id = ?"),
    releaseClaim: p<[string]>(
      "UPDATE cronq_jobs SET claim_owner = NULL, claim_expires_at = NULL, claim_token = NULL WHERE id = ?",
    ),
    commitJob: p<JobCounterDeltas & { job_version: number; next_run_at: number | null }>(
      "UPDATE cronq_jobs SET active_runs = active_runs + @active, " +
        "skipped_count = skipped_count + @skipped, missed_count = missed_count + @missed, " +
        "final_runs = final_runs + @finals, " +
        "next_run_at = CASE WHEN version = @job_version THEN @next_run_at ELSE next_run_at END, " +
        "claim_owner = NULL, claim_expires_at = NULL, claim_token = NULL WHERE id = @id",
    ),
    releaseClaims: p<[string]>(
      "UPDATE cronq_jobs INDEXED BY cronq_jobs_claims " +
        "SET claim_owner = NULL, claim_expires_at = NULL, claim_token = NULL " +
        "WHERE claim_token IS NOT NULL AND claim_owner = ?",
    ),
    nextUnclaimedJob: p<[], { at: number }>(
      "SELECT next_run_at AS at FROM cronq_jobs INDEXED BY cronq_jobs_due " +
        "WHERE paused = 0 AND next_run_at IS NOT NULL AND claim_token IS NULL ORDER BY next_run_at LIMIT 1",
    ),
    nextClaimedJob: p<[], { at: number | null }>(
      "SELECT min(max(next_run_at, claim_expires_at)) AS at FROM cronq_jobs INDEXED BY cronq_jobs_claims " +
        "WHERE claim_token IS NOT NULL AND paused = 0 AND next_run_at IS NOT NULL",
    ),
    nextRetry: p<[], { at: number }>(
      "SELECT next_attempt_at AS at FROM cronq_runs INDEXED BY cronq_runs_retry_due " +
        "WHERE status = 'retrying' AND next_attempt_at IS NOT NULL ORDER BY next_attempt_at LIMIT 1",
    ),
    nextLeaseExpiry: p<[], { at: number }>(
      "SELECT lease_expires_at AS at FROM cronq_runs INDEXED BY cronq_runs_lease_expiry " +
        "WHERE status IN ('pending', 'running') AND lease_expires_at IS NOT NULL " +
        "ORDER BY lease_expires_at LIMIT 1",
    ),

    // ---- runs ----
    getRun: runs<[string]>(`SELECT ${RUN_COLUMNS} FROM cronq_runs WHERE id = ?`),
    runExists: p<[string], { one: number }>("SELECT 1 AS one FROM cronq_runs WHERE id = ?"),
    insertRun: p<RunRow>(
      `INSERT INTO cronq_runs (${RUN_COLUMNS}) VALUES (${placeholders(RUN_COLUMNS)}) ON CONFLICT (id) DO NOTHING`,
    ),
    updateRun: p<RunUpdateParams>(
      "UPDATE cronq_runs SET status = @status, reason = @reason, started_at = @started_at, " +
        "ended_at = @ended_at, duration_ms = @duration_ms, attempts = @attempts, " +
        "next_attempt_at = @next_attempt_at, error = @error, worker = @worker, lease = @lease, " +
        "final_seq = @final_seq WHERE id = @id",
    ),
    // A live run's update leaves out the columns only final runs set (ended_at, duration_ms,
    // final_seq): SQLite maintains every index over a column named in SET, changed or not, and the
    // retention indexes would otherwise be rewritten on each start, retry and dispatch.
    updateLiveRun: p<LiveRunUpdateParams>(UPDATE_LIVE_RUN),
    /** A pending run's first start, only while it is still pending, unstarted and under `token`. */
    startPendingRun: p<LiveRunUpdateParams & { token: number }>(
      `${UPDATE_LIVE_RUN} AND status = 'pending' AND attempts = '[]' AND json_extract(lease, '$.token') = @token`,
    ),
    setRunLease: p<[string | null, string]>("UPDATE cronq_runs SET lease = ? WHERE id = ?"),
    dueRetries: runs<[number, number]>(
      `SELECT ${RUN_COLUMNS} FROM cronq_runs INDEXED BY cronq_runs_retry_due WHERE status = 'retrying' ` +
        "AND next_attempt_at IS NOT NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
    ),
    expiredLeases: runs<{ now: number; owner: string; limit: number }>(
      `SELECT ${RUN_COLUMNS} FROM cronq_runs INDEXED BY cronq_runs_lease_expiry ` +
        "WHERE status IN ('pending', 'running') " +
        "AND lease_expires_at IS NOT NULL AND lease_expires_at <= @now " +
        "AND json_extract(lease, '$.owner') IS NOT @owner ORDER BY lease_expires_at, id LIMIT @limit",
    ),
    oldestWaiting: runs<[string]>(
      `SELECT ${RUN_COLUMNS} FROM cronq_runs INDEXED BY cronq_runs_by_job WHERE job_id = ? ` +
        "AND status = 'waiting' " +
        "ORDER BY scheduled_at, id LIMIT 1",
    ),
    liveNotWaiting: p<[string], { n: number }>(
      "SELECT count(*) AS n FROM cronq_runs INDEXED BY cronq_runs_by_job WHERE job_id = ? " +
        "AND status IN ('pending', 'dispatched', 'running', 'retrying')",
    ),
    jobRunAdded: p<[string]>("UPDATE cronq_jobs SET active_runs = active_runs + 1 WHERE id = ?"),
    jobRunStarted: p<[number, string, string]>(
      "UPDATE cronq_jobs SET last_run_started_at = ?, last_run_id = ? WHERE id = ?",
    ),
    jobRunFinished: p<JobFinishParams, { active_runs: number; final_runs: number }>(
      "UPDATE cronq_jobs SET active_runs = max(0, active_runs - 1), run_count = run_count + 1, " +
        "failure_count = failure_count + @failed, last_run_id = @last_run_id, " +
        "last_run_started_at = @last_run_started_at, last_run_ended_at = @last_run_ended_at, " +
        "last_duration_ms = @last_duration_ms, last_outcome = @last_outcome, last_error = @last_error, " +
        "final_runs = final_runs + 1 WHERE id = @id RETURNING active_runs, final_runs",
    ),
    jobRunCancelled: p<[string], { active_runs: number; final_runs: number }>(
      "UPDATE cronq_jobs SET active_runs = max(0, active_runs - 1), final_runs = final_runs + 1 " +
        "WHERE id = ? RETURNING active_runs, final_runs",
    ),

    // ---- retention ----
    trimFinals: p<[string, number]>(
      "DELETE FROM cronq_runs WHERE id IN (SELECT id FROM cronq_runs " +
        "WHERE job_id = ? AND final_seq IS NOT NULL ORDER BY final_seq LIMIT ?)",
    ),
    jobFinalsRemoved: p<[number, string]>("UPDATE cronq_jobs SET final_runs = final_runs - ? WHERE id = ?"),
    pruneOld: p<[number, number], { job_id: string }>(
      "DELETE FROM cronq_runs WHERE id IN (SELECT id FROM cronq_runs " +
        "WHERE final_seq IS NOT NULL AND coalesce(ended_at, fired_at) < ? LIMIT ?) RETURNING job_id",
    ),
    jobsOverRetention: p<[number], { id: string; final_runs: number }>(
      "SELECT id, final_runs FROM cronq_jobs WHERE final_runs > ?",
    ),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;

/** Statements whose text depends on the filters of a query, prepared once per distinct text. */
/**
 * A SELECT of the columns `build` reads, in raw mode: rows come back as arrays and `build` makes
 * them objects.
 */
export function rowsOf<P extends unknown[] | object, R>(
  db: Database.Database,
  sql: string,
  build: (values: unknown[]) => R,
): Query<P, R> {
  const stmt = db.prepare<unknown[], unknown[]>(sql).raw(true);
  return {
    get: (...params: Params<P>) => {
      const values = stmt.get(...(params as unknown[]));
      return values === undefined ? undefined : build(values);
    },
    all: (...params: Params<P>) => stmt.all(...(params as unknown[])).map(build),
  };
}

/** Statements whose text depends on the filters of a query, prepared once per distinct text. */
export class StatementCache {
  readonly #db: Database.Database;
  readonly #queries = new Map<string, Query<Record<string, unknown>, unknown>>();

  constructor(db: Database.Database) {
    this.#db = db;
  }

  /** A SELECT whose raw rows `build` turns into objects, see {@link rowsOf}. */
  rows<R>(sql: string, build: (values: unknown[]) => R): Query<Record<string, unknown>, R> {
    let query = this.#queries.get(sql);
    if (!query) {
      query = rowsOf(this.#db, sql, build);
      this.#queries.set(sql, query);
    }
    return query as Query<Record<string, unknown>, R>;
  }
}

export { JOB_COLUMNS, RUN_COLUMNS };
