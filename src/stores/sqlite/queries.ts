/**
 * Listing, counting and pruning: the operations whose SQL depends on their arguments. The WHERE
 * clause is assembled from fixed fragments only (values are always bound), and each distinct text
 * is prepared once ({@link StatementCache}).
 */
import { InvalidArgumentError } from "../../core/errors.js";
import type { JobRecord, JobStatus, RunRecord } from "../../core/jobs/job.js";
import { decodeRunCursor, encodeRunCursor } from "../../core/stores/memory.js";
import type { JobQuery, Page, RunQuery } from "../../core/stores/store.js";
import { trimFinals, type StoreContext } from "./context.js";
import { jobFromRow, jobRowOf, runFromRow, runRowOf } from "./rows.js";
import { JOB_COLUMNS, JOB_STATUS_SQL, RUN_COLUMNS } from "./statements.js";

type CountedStatus = Exclude<JobStatus, "missing-task">;

/** Rows deleted per transaction by pruneRuns, so that a large prune never holds the lock for long. */
const PRUNE_CHUNK = 5_000;

export function listJobs(ctx: StoreContext, query: JobQuery): Page<JobRecord> {
  const limit = pageLimit(query.limit);
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: limit + 1 };
  if (query.cursor !== undefined) {
    where.push("id > @cursor");
    params.cursor = query.cursor;
  }
  if (query.taskName !== undefined) {
    where.push("task_name = @taskName");
    params.taskName = query.taskName;
  }
  if (query.status !== undefined) {
    // One statement text for any list of statuses: they are bound as one JSON array.
    where.push(`(${JOB_STATUS_SQL}) IN (SELECT value FROM json_each(@statuses))`);
    params.statuses = JSON.stringify(query.status);
  }
  if (query.search !== undefined) {
    where.push(
      "(cronq_contains(id, @search) OR cronq_contains(task_name, @search) " +
        "OR cronq_contains(description, @search))",
    );
    params.search = query.search.toLowerCase();
  }
  const sql =
    `SELECT ${JOB_COLUMNS} FROM cronq_jobs` +
    (where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "") +
    " ORDER BY id LIMIT @limit";
  const rows = ctx.queries.rows(sql, jobRowOf).all(params);
  const items = rows.slice(0, limit).map(jobFromRow);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}

export function countJobs(ctx: StoreContext): Record<CountedStatus, number> {
  const counts: Record<CountedStatus, number> = {
    scheduled: 0,
    running: 0,
    paused: 0,
    completed: 0,
    failed: 0,
  };
  for (const row of ctx.s.countJobs.all()) counts[row.status as CountedStatus] = row.n;
  return counts;
}

export function listRuns(ctx: StoreContext, query: RunQuery): Page<RunRecord> {
  const limit = pageLimit(query.limit);
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: limit + 1 };
  if (query.jobId !== undefined) {
    where.push("job_id = @jobId");
    params.jobId = query.jobId;
  }
  if (query.status !== undefined) {
    where.push("status IN (SELECT value FROM json_each(@statuses))");
    params.statuses = JSON.stringify(query.status);
  }
  if (query.from !== undefined) {
    where.push("scheduled_at >= @from");
    params.from = query.from;
  }
  if (query.to !== undefined) {
    where.push("scheduled_at < @to");
    params.to = query.to;
  }
  if (query.cursor !== undefined) {
    const cursor = decodeRunCursor(query.cursor);
    if (!cursor) {
      throw new InvalidArgumentError("cursor", "the `nextCursor` of a previous page of runs", query.cursor);
    }
    // Newest first, so the next page holds what sorts below the last item; the row value
    // comparison lets SQLite seek the index instead of filtering.
    where.push("(scheduled_at, id) < (@cursorAt, @cursorId)");
    params.cursorAt = cursor.scheduledAt;
    params.cursorId = cursor.id;
  }
  const sql =
    `SELECT ${RUN_COLUMNS} FROM cronq_runs` +
    (where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "") +
    " ORDER BY scheduled_at DESC, id DESC LIMIT @limit";
  const rows = ctx.queries.rows(sql, runRowOf).all(params);
  const items = rows.slice(0, limit).map(runFromRow);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeRunCursor(last) : null };
}

/** One chunk of age-based pruning; returns how many runs it deleted (less than a chunk: done). */
export function pruneOldChunk(ctx: StoreContext, cutoff: number): number {
  const perJob = new Map<string, number>();
  const deleted = ctx.s.pruneOld.all(cutoff, PRUNE_CHUNK);
  for (const { job_id } of deleted) perJob.set(job_id, (perJob.get(job_id) ?? 0) + 1);
  for (const [jobId, n] of perJob) ctx.s.jobFinalsRemoved.run(n, jobId);
  return deleted.length;
}

export { PRUNE_CHUNK };

/** Deletes the finals beyond `maxRunsPerJob` of every job (after the limit was lowered). */
export function pruneExcess(ctx: StoreContext): number {
  let deleted = 0;
  for (const job of ctx.s.jobsOverRetention.all(ctx.retention.maxRunsPerJob)) {
    deleted += trimFinals(ctx, job.id, job.final_runs);
  }
  return deleted;
}

function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return 100;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InvalidArgumentError("limit", "a positive integer", limit);
  }
  return limit;
}
