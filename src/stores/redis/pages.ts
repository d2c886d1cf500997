/**
 * Listing, counting and pruning: operations over many records, done as a series of bounded script
 * calls (each reads at most a few thousand index entries) so that a listing over a large history
 * never blocks Redis for long. A page is therefore not one atomic snapshot, as with any paginated
 * API; each record in it is read atomically.
 */
import type { Redis } from "ioredis";
import { InvalidArgumentError } from "../../core/errors.js";
import type { JobRecord, JobStatus, RunRecord, RunStatus } from "../../core/jobs/job.js";
import { LIVE_RUN_STATUSES } from "../../core/jobs/job.js";
import { decodeRunCursor, encodeRunCursor } from "../../core/stores/memory.js";
import type { JobQuery, Page, RunQuery } from "../../core/stores/store.js";
import { jobFromHash, lexMember, lexTime, runFromHash, toHash } from "./codec.js";
import { runScript } from "./scripts.js";

/** Index entries one script call reads at most. */
const BUDGET = 2000;
/** Runs deleted by one pruning script call. */
const PRUNE_CHUNK = 1000;

type CountedStatus = Exclude<JobStatus, "missing-task">;

export async function listJobs(client: Redis, prefix: string, query: JobQuery): Promise<Page<JobRecord>> {
  const limit = pageLimit(query.limit);
  const statuses = query.status ? query.status.join(",") : "";
  const search = query.search?.toLowerCase() ?? "";
  const items: JobRecord[] = [];
  let after = query.cursor ?? "";
  while (items.length <= limit) {
    const reply = (await runScript(client, "list_jobs", [
      prefix,
      after,
      limit + 1 - items.length,
      query.taskName ?? "",
      statuses,
      search,
      BUDGET,
    ])) as unknown[];
    for (const flat of reply.slice(2)) items.push(jobFromHash(toHash(flat)));
    after = String(reply[1]);
    if (after === "") break;
  }
  const page = items.slice(0, limit);
  return { items: page, nextCursor: items.length > limit ? page[page.length - 1]!.id : null };
}

export async function countJobs(client: Redis, prefix: string): Promise<Record<CountedStatus, number>> {
  const counts: Record<CountedStatus, number> = {
    scheduled: 0,
    running: 0,
    paused: 0,
    completed: 0,
    failed: 0,
  };
  let after = "";
  do {
    const reply = (await runScript(client, "count_jobs", [prefix, after, BUDGET])) as unknown[];
    counts.scheduled += Number(reply[2]);
    counts.running += Number(reply[3]);
    counts.paused += Number(reply[4]);
    counts.completed += Number(reply[5]);
    counts.failed += Number(reply[6]);
    after = String(reply[1]);
  } while (after !== "");
  return counts;
}

export async function listRuns(client: Redis, prefix: string, query: RunQuery): Promise<Page<RunRecord>> {
  const limit = pageLimit(query.limit);
  // The smallest index that holds every run the query can match.
  const onlyLive =
    query.status !== undefined && query.status.every((s: RunStatus) => LIVE_RUN_STATUSES.has(s));
  const index = query.jobId !== undefined && !onlyLive ? "job" : onlyLive ? "live" : "all";
  // Newest first: read downwards from the lower of the cursor and `to` (both exclusive) to `from`.
  let max = query.to === undefined ? "+" : `(${lexTime(Math.ceil(query.to))}`;
  if (query.cursor !== undefined) {
    const cursor = decodeRunCursor(query.cursor);
    if (!cursor) {
      throw new InvalidArgumentError("cursor", "the `nextCursor` of a previous page of runs", query.cursor);
    }
    const bound = `(${lexMember(cursor)}`;
    if (max === "+" || bound < max) max = bound;
  }
  const min = query.from === undefined ? "-" : `[${lexTime(Math.ceil(query.from))}`;
  const statuses = query.status ? query.status.join(",") : "";
  const items: RunRecord[] = [];
  while (items.length <= limit) {
    const reply = (await runScript(client, "list_runs", [
      prefix,
      index,
      query.jobId ?? "",
      max,
      min,
      statuses,
      limit + 1 - items.length,
      BUDGET,
    ])) as unknown[];
    for (const flat of reply.slice(2)) items.push(runFromHash(toHash(flat)));
    const last = String(reply[1]);
    if (last === "") break;
    max = `(${last}`;
  }
  const page = items.slice(0, limit);
  const lastItem = page[page.length - 1];
  return { items: page, nextCursor: items.length > limit && lastItem ? encodeRunCursor(lastItem) : null };
}

/** Age first (in chunks), then the per-job count (after the retention was lowered). */
export async function pruneRuns(
  client: Redis,
  prefix: string,
  cutoff: number,
  maxRunsPerJob: number,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const reply = (await runScript(client, "prune_runs", [prefix, cutoff, PRUNE_CHUNK])) as unknown[];
    const n = Number(reply[1]);
    deleted += n;
    if (n < PRUNE_CHUNK) break;
  }
  let after = "";
  do {
    const reply = (await runScript(client, "prune_excess", [
      prefix,
      after,
      BUDGET,
      maxRunsPerJob,
    ])) as unknown[];
    deleted += Number(reply[2]);
    after = String(reply[1]);
  } while (after !== "");
  return deleted;
}

function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return 100;
  if (!Number.isInteger(limit) || limit < 1)
    throw new InvalidArgumentError("limit", "a positive integer", limit);
  return limit;
}
