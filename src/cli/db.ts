/**
 * Reading an embedded install's SQLite file directly (`--db ./cronq.db`), for `cronq jobs` and
 * `cronq runs` when no server runs. Read-only use of the store: it lists and gets, never writes,
 * and the SQLite driver is loaded only when this is used.
 *
 * The answers have the API's shapes, so that the same printing serves both. One difference: this
 * process has no tasks registered, so a job whose task is missing shows its stored status.
 */
import { existsSync } from "node:fs";
import { toJobInfo, toRunInfo } from "../core/jobs/info.js";
import type { JobRecord, RunStatus } from "../core/jobs/job.js";
import type { Store } from "../core/stores/store.js";
import { triggerFromSpec } from "../core/triggers/index.js";
import type { Trigger, TriggerSpecBase } from "../core/triggers/trigger.js";
import type { JobDetail, JobPage } from "../server/schemas/jobs.js";
import type { RunPage } from "../server/schemas/runs.js";
import { toJob, toRun } from "../server/serialize.js";
import { CliUsageError } from "./api-command.js";
import type { JobListQuery, RunListQuery } from "./client.js";
import { ApiError } from "./client.js";

export interface DbReader {
  listJobs(query: JobListQuery): Promise<JobPage>;
  getJob(id: string, next: number): Promise<JobDetail>;
  listRuns(query: RunListQuery): Promise<RunPage>;
  close(): Promise<void>;
}

export async function openDb(path: string): Promise<DbReader> {
  // Opening a missing file would create an empty database: a typo must not look like "no jobs".
  if (!existsSync(path))
    throw new CliUsageError(`No database file at ${path} (--db). Is this the path \`cronq start\` uses?`);
  const { SqliteStore } = await import("../stores/sqlite/index.js");
  const sqlite = new SqliteStore({ path });
  // Without retention options: the store's default, which only matters to writes.
  await sqlite.open();
  const store: Store = sqlite;
  return {
    async listJobs(query) {
      const page = await store.listJobs({
        ...(query.status
          ? { status: query.status.filter((s) => s !== "missing-task") as ["scheduled"] }
          : {}),
        ...(query.task === undefined ? {} : { taskName: query.task }),
        ...(query.search === undefined ? {} : { search: query.search }),
        ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
        limit: query.limit ?? 100,
      });
      return { items: page.items.map((job) => toJob(info(job))), nextCursor: page.nextCursor };
    },
    async getJob(id, next) {
      const job = await store.getJob(id);
      if (!job) throw new ApiError(404, "JOB_NOT_FOUND", `No job with ID ${id} exists.`);
      const trigger = triggerOf(job);
      const times: string[] = [];
      if (!job.paused && trigger) {
        for (let t = job.nextRunAt; t !== null && times.length < next; t = trigger.nextMs(t))
          times.push(new Date(t).toISOString());
      }
      return { ...toJob(info(job)), nextRunTimes: times };
    },
    async listRuns(query) {
      if (query.job !== undefined && !(await store.getJob(query.job))) {
        throw new ApiError(404, "JOB_NOT_FOUND", `No job with ID ${query.job} exists.`);
      }
      const page = await store.listRuns({
        ...(query.job === undefined ? {} : { jobId: query.job }),
        ...(query.status ? { status: query.status as RunStatus[] } : {}),
        ...(query.from === undefined ? {} : { from: Date.parse(query.from) }),
        ...(query.to === undefined ? {} : { to: Date.parse(query.to) }),
        ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
        limit: query.limit ?? 100,
      });
      return {
        items: page.items.map((run) => toRun(toRunInfo(run), { stacks: true })),
        nextCursor: page.nextCursor,
      };
    },
    close: () => store.close(),
  };
}

function triggerOf(job: JobRecord): Trigger | null {
  try {
    return triggerFromSpec(job.trigger);
  } catch {
    return null;
  }
}

function info(job: JobRecord) {
  const trigger = triggerOf(job);
  const spec = job.trigger as TriggerSpecBase & { timezone?: unknown };
  return toJobInfo(job, {
    schedule: trigger ? trigger.describe() : `a ${spec.kind} trigger this version cannot read`,
    timezone: typeof spec.timezone === "string" ? spec.timezone : null,
    recurring: trigger?.recurring ?? true,
    // No tasks are registered in this process; the job's stored status is shown.
    taskRegistered: true,
  });
}
