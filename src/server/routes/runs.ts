/** /runs and /jobs/{id}/runs: the run history, newest first; one run in full; cancelling a live run. */
import { JobNotFoundError, RunNotFoundError } from "../../core/errors.js";
import type { RunQueryOptions } from "../../core/scheduler/scheduler.js";
import type { ServerContext } from "../context.js";
import { type RouteDefinition, defineRoute } from "../route.js";
import { JobIdParamsSchema, RunIdParamsSchema } from "../schemas/common.js";
import {
  JobRunListQuerySchema,
  RunListQuerySchema,
  RunPageSchema,
  RunSchema,
  type RunPage,
} from "../schemas/runs.js";
import { toRun } from "../serialize.js";

const TAGS = ["runs"];

type RunQuery = {
  status?: RunQueryOptions["status"] | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
};

export function runRoutes(ctx: ServerContext): RouteDefinition[] {
  const { scheduler } = ctx;

  async function list(jobId: string | undefined, query: RunQuery): Promise<RunPage> {
    const page = await scheduler.listRuns({
      ...(jobId === undefined ? {} : { jobId }),
      ...(query.status ? { status: query.status } : {}),
      ...(query.from ? { from: query.from } : {}),
      ...(query.to ? { to: query.to } : {}),
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      limit: query.limit ?? 100,
    });
    return { items: page.items.map((run) => toRun(run, { stacks: false })), nextCursor: page.nextCursor };
  }

  return [
    defineRoute({
      method: "GET",
      url: "/runs",
      operationId: "listRuns",
      summary: "List runs of every job",
      description: "Newest first (by scheduled time). Filter by job, status and a time range.",
      tags: TAGS,
      access: "read",
      query: RunListQuerySchema,
      responses: { 200: { description: "A page of runs (without stacks).", schema: RunPageSchema } },
      async handler({ query }) {
        const { job, ...rest } = query;
        return list(job, rest);
      },
    }),
    defineRoute({
      method: "GET",
      url: "/jobs/:id/runs",
      operationId: "listJobRuns",
      summary: "List a job's runs",
      description: "Newest first, including skipped and missed occurrences with their reason.",
      tags: TAGS,
      access: "read",
      params: JobIdParamsSchema,
      query: JobRunListQuerySchema,
      responses: { 200: { description: "A page of runs (without stacks).", schema: RunPageSchema } },
      async handler({ params, query }) {
        if (!(await scheduler.getJob(params.id))) throw new JobNotFoundError(params.id);
        return list(params.id, query);
      },
    }),
    defineRoute({
      method: "GET",
      url: "/runs/:id",
      operationId: "getRun",
      summary: "Get a run",
      description: "The run with every attempt: start, end, worker, error and the task's stack.",
      tags: TAGS,
      access: "read",
      params: RunIdParamsSchema,
      responses: { 200: { description: "The run.", schema: RunSchema } },
      async handler({ params }) {
        const run = await scheduler.getRun(params.id);
        if (!run) throw new RunNotFoundError(params.id);
        return toRun(run, { stacks: true });
      },
    }),
    defineRoute({
      method: "POST",
      url: "/runs/:id/cancel",
      operationId: "cancelRun",
      summary: "Cancel a live run",
      description:
        "A waiting or pending run is recorded as cancelled at once; an executing one is aborted through its signal and turns cancelled a moment later. A finished run is returned unchanged.",
      tags: TAGS,
      access: "write",
      params: RunIdParamsSchema,
      responses: { 200: { description: "The run as it is after the request.", schema: RunSchema } },
      async handler({ params }) {
        return toRun(await scheduler.cancelRun(params.id), { stacks: false });
      },
    }),
  ];
}
