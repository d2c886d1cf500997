/**
 * The SQLite schema and its migrations.
 *
 * `cronq_schema` lists the migrations applied to a file, one row per version. Opening a file runs
 * the missing migrations in one `BEGIN IMMEDIATE` transaction, so that two processes opening a new
 * file at once cannot both create the schema; a file whose version is newer than this code knows is
 * refused, since an older cronq would misread or damage it.
 *
 * Conventions: times are INTEGER epoch milliseconds; structured values (args, trigger, policy,
 * attempts, errors, leases, coalesced) are JSON text; booleans are 0/1.
 */
import type Database from "better-sqlite3";
import { StoreUnavailableError } from "../../core/errors.js";

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

const LIVE = "('pending', 'waiting', 'dispatched', 'running', 'retrying')";
const FINAL = "('succeeded', 'failed', 'timed-out', 'skipped', 'missed', 'cancelled')";

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "jobs, runs, the sequence counter",
    sql: `
      -- One row per named counter. 'sequence' hands out fencing tokens (job claims, run leases) and
      -- the order in which runs became final (retention); it only ever grows.
      CREATE TABLE cronq_counters (
        name TEXT PRIMARY KEY NOT NULL,
        value INTEGER NOT NULL
      ) WITHOUT ROWID;
      INSERT INTO cronq_counters (name, value) VALUES ('sequence', 0);

      CREATE TABLE cronq_jobs (
        id TEXT PRIMARY KEY NOT NULL,
        task_name TEXT NOT NULL,
        args TEXT NOT NULL,
        description TEXT,
        trigger TEXT NOT NULL,
        policy TEXT NOT NULL,
        paused INTEGER NOT NULL CHECK (paused IN (0, 1)),
        next_run_at INTEGER,
        active_runs INTEGER NOT NULL,
        run_count INTEGER NOT NULL,
        failure_count INTEGER NOT NULL,
        skipped_count INTEGER NOT NULL,
        missed_count INTEGER NOT NULL,
        -- How many final runs of the job are stored: retention deletes the oldest beyond the limit
        -- without counting them on every finish.
        final_runs INTEGER NOT NULL DEFAULT 0,
        last_run_id TEXT,
        last_run_started_at INTEGER,
        last_run_ended_at INTEGER,
        last_duration_ms INTEGER,
        last_outcome TEXT,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        version INTEGER NOT NULL,
        claim_owner TEXT,
        claim_expires_at INTEGER,
        claim_token INTEGER
      );
      -- Due jobs in firing order; id breaks ties so that a batch never sorts every due job.
      CREATE INDEX cronq_jobs_due ON cronq_jobs (next_run_at, id)
        WHERE paused = 0 AND next_run_at IS NOT NULL;
      -- The few jobs being fired right now: expiring claims, claims of a stopping owner.
      CREATE INDEX cronq_jobs_claims ON cronq_jobs (claim_expires_at, claim_owner)
        WHERE claim_token IS NOT NULL;

      CREATE TABLE cronq_runs (
        id TEXT PRIMARY KEY NOT NULL,
        job_id TEXT NOT NULL REFERENCES cronq_jobs (id) ON DELETE CASCADE,
        task_name TEXT NOT NULL,
        origin TEXT NOT NULL,
        scheduled_at INTEGER NOT NULL,
        due_at INTEGER NOT NULL,
        fired_at INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ${LIVE} OR status IN ${FINAL}),
        reason TEXT,
        args TEXT NOT NULL,
        started_at INTEGER,
        ended_at INTEGER,
        duration_ms INTEGER,
        attempts TEXT NOT NULL,
        retry TEXT NOT NULL,
        timeout_ms INTEGER,
        group_name TEXT NOT NULL,
        next_attempt_at INTEGER,
        error TEXT,
        worker TEXT,
        lease TEXT,
        coalesced TEXT,
        -- Set when the run becomes final, from the sequence: retention keeps the newest finals.
        final_seq INTEGER,
        lease_expires_at INTEGER GENERATED ALWAYS AS (json_extract(lease, '$.expiresAt')) VIRTUAL,
        CHECK ((final_seq IS NULL) = (status IN ${LIVE}))
      );
      -- A job's history, newest first (also serves the foreign key's cascade).
      CREATE INDEX cronq_runs_by_job ON cronq_runs (job_id, scheduled_at DESC, id DESC);
      -- Everybody's history, newest first. A status filter walks it too: an index on status would
      -- change on every run transition and cost the firing path about a fifth of its speed, for
      -- a history query that stops after one page anyway.
      CREATE INDEX cronq_runs_by_time ON cronq_runs (scheduled_at DESC, id DESC);
      -- Retries coming due.
      CREATE INDEX cronq_runs_retry_due ON cronq_runs (next_attempt_at, id) WHERE status = 'retrying';
      -- Leases that may expire (a dead dispatcher or executor).
      CREATE INDEX cronq_runs_lease_expiry ON cronq_runs (lease_expires_at, id)
        WHERE status IN ('pending', 'running');
      -- Retention: a job's finals in the order they became final, and finals by age.
      CREATE INDEX cronq_runs_finals ON cronq_runs (job_id, final_seq) WHERE final_seq IS NOT NULL;
      CREATE INDEX cronq_runs_final_age ON cronq_runs (coalesce(ended_at, fired_at))
        WHERE final_seq IS NOT NULL;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Brings the file's schema to {@link SCHEMA_VERSION}. Throws StoreUnavailableError when the file
 * was written by a newer cronq. `where` names the file in messages.
 */
export function migrate(db: Database.Database, where: string): void {
  db.transaction(() => {
    db.exec(
      "CREATE TABLE IF NOT EXISTS cronq_schema (version INTEGER PRIMARY KEY NOT NULL, description TEXT NOT NULL)",
    );
    const row = db
      .prepare<[], { version: number | null }>("SELECT max(version) AS version FROM cronq_schema")
      .get();
    const current = row?.version ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new StoreUnavailableError(
        `The SQLite file ${where} has cronq schema version ${current}, written by a newer cronq; ` +
          `this cronq knows versions up to ${SCHEMA_VERSION}. Upgrade cronq, or use another file.`,
      );
    }
    const record = db.prepare<[number, string]>(
      "INSERT INTO cronq_schema (version, description) VALUES (?, ?)",
    );
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.description);
    }
  }).immediate();
}
