/** /jobs: list, read, create, replace, patch, delete, pause, resume, run now, and bulk actions. */
import { JobNotFoundError } from "../../core/errors.js";
import { triggerFromOptions } from "../../core/triggers/index.js";
import type { ServerContext } from "../context.js";
import { toErrorResponse, withFieldPaths } from "../errors.js";
import { jobFieldMapper, toJobChanges, toJobOptions, toTriggerOptions } from "../job-input.js";
import { type RouteDefinition, defineRoute } from "../route.js";
import { ErrorEnvelopeSchema, JobIdParamsSchema } from "../schemas/common.js";
import {
  BulkJobActionRequestSchema,
  BulkJobActionResultSchema,
  CreateJobRequestSchema,
  JobDetailQuerySchema,
  JobDetailSchema,
  JobListQuerySchema,
  JobPageSchema,
  JobSchema,
  PatchJobRequestSchema,
  ReplaceJobRequestSchema,
  type BulkJobActionResult,
  type JobDetail,
  type JobPage,
} from "../schemas/jobs.js";
import { RunSchema } from "../schemas/runs.js";
import { toJob, toRun } from "../serialize.js";

const TAGS = ["jobs"];

export function jobRoutes(ctx: ServerContext): RouteDefinition[] {
  const { scheduler } = ctx;
  const jobPath = (id: string): string => `/jobs/${encodeURIComponent(id)}`;

  return [
    defineRoute({
      method: "GET",
      url: "/jobs",
      operationId: "listJobs",
      summary: "List jobs",
      description: "Jobs ordered by id, a page at a time. Filter by status, task and a search text.",
      tags: TAGS,
      access: "read",
      query: JobListQuerySchema,
      responses: { 200: { description: "A page of jobs.", schema: JobPageSchema } },
      async handler({ query }): Promise<JobPage> {
        const page = await scheduler.listJobs({
          ...(query.status ? { status: query.status } : {}),
          ...(query.task === undefined ? {} : { taskName: query.task }),
          ...(query.search === undefined ? {} : { search: query.search }),
          ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
          limit: query.limit ?? 100,
        });
        return { items: page.items.map(toJob), nextCursor: page.nextCursor };
      },
    }),
    defineRoute({
      method: "POST",
      url: "/jobs",
      operationId: "createJob",
      summary: "Create a job",
      description:
        "Creates a job that runs a registered task on a trigger. 409 if the id exists (PUT /jobs/{id} replaces a job).",
      tags: TAGS,
      access: "write",
      body: CreateJobRequestSchema,
      responses: {
        201: { description: "The job as created.", schema: JobSchema },
        409: { description: "A job with this id exists.", schema: ErrorEnvelopeSchema },
      },
      async handler({ body, reply }) {
        const { id, task, ...rest } = body;
        const job = await withFieldPaths(jobFieldMapper(body.trigger), () =>
          scheduler.addJob(id, task, toJobOptions(rest)),
        );
        void reply.code(201).header("location", jobPath(job.id));
        return toJob(job);
      },
    }),
    defineRoute({
      method: "POST",
      url: "/jobs/bulk",
      operationId: "bulkJobAction",
      summary: "Pause, resume, run or delete several jobs",
      description:
        "Applies one action to each job in turn and reports each outcome; one failing job does not stop the others.",
      tags: TAGS,
      access: "write",
      body: BulkJobActionRequestSchema,
      responses: { 200: { description: "One result per id, in order.", schema: BulkJobActionResultSchema } },
      async handler({ body, request }): Promise<BulkJobActionResult> {
        const results: BulkJobActionResult["results"] = [];
        for (const id of body.ids) {
          try {
            if (body.action === "pause") await pause(id);
            else if (body.action === "resume") await scheduler.resumeJob(id);
            else if (body.action === "run") await scheduler.runJobNow(id);
            else await scheduler.removeJob(id);
            results.push({ id, ok: true });
          } catch (error) {
            const response = toErrorResponse(error, request.id);
            if (response.internal) request.log.error({ err: error, jobId: id }, "bulk job action failed");
            results.push({
              id,
              ok: false,
              error: { code: response.body.error.code, message: response.body.error.message },
            });
          }
        }
        return { results };
      },
    }),
    defineRoute({
      method: "GET",
      url: "/jobs/:id",
      operationId: "getJob",
      summary: "Get a job and its next run times",
      tags: TAGS,
      access: "read",
      params: JobIdParamsSchema,
      query: JobDetailQuerySchema,
      responses: { 200: { description: "The job.", schema: JobDetailSchema } },
      async handler({ params, query }): Promise<JobDetail> {
        const job = await scheduler.getJob(params.id);
        if (!job) throw new JobNotFoundError(params.id);
        const count = query.next ?? 10;
        const times = count === 0 ? [] : await scheduler.nextRunTimes(params.id, count);
        return { ...toJob(job), nextRunTimes: times.map((t) => t.toISOString()) };
      },
    }),
    defineRoute({
      method: "PUT",
      url: "/jobs/:id",
      operationId: "replaceJob",
      summary: "Create or replace a job",
      description:
        "The whole job, as at creation; what is left out goes back to its default. Its run history and counters are kept. The next run is computed from now.",
      tags: TAGS,
      access: "write",
      params: JobIdParamsSchema,
      body: ReplaceJobRequestSchema,
      responses: {
        200: { description: "The job, replaced.", schema: JobSchema },
        201: { description: "The job, created.", schema: JobSchema },
      },
      async handler({ params, body, reply }) {
        const existed = (await scheduler.getJob(params.id)) !== null;
        const { task, ...rest } = body;
        const job = await withFieldPaths(jobFieldMapper(body.trigger), () =>
          scheduler.addJob(params.id, task, { ...toJobOptions(rest), replaceExisting: true }),
        );
        if (!existed) void reply.code(201).header("location", jobPath(job.id));
        return toJob(job);
      },
    }),
    defineRoute({
      method: "PATCH",
      url: "/jobs/:id",
      operationId: "patchJob",
      summary: "Change some of a job",
      description:
        "Only the fields given change. `trigger` replaces the whole trigger (the next run is computed from now); `paused` pauses or resumes. Everything is validated before anything changes.",
      tags: TAGS,
      access: "write",
      params: JobIdParamsSchema,
      body: PatchJobRequestSchema,
      responses: { 200: { description: "The job after the change.", schema: JobSchema } },
      async handler({ params, body }) {
        const { trigger, paused, ...rest } = body;
        const mapField = jobFieldMapper(trigger);
        // Validate the trigger before the first write, so that a bad one changes nothing.
        if (trigger !== undefined) {
          await withFieldPaths(mapField, () =>
            triggerFromOptions(toTriggerOptions(trigger), {
              now: ctx.clock.now(),
              timezone: scheduler.options.timezone,
            }),
          );
        }
        let job = await scheduler.getJob(params.id);
        if (!job) throw new JobNotFoundError(params.id);
        const changes = toJobChanges(rest);
        if (Object.keys(changes).length > 0) {
          job = await withFieldPaths(mapField, () => scheduler.modifyJob(params.id, changes));
        }
        if (trigger !== undefined) {
          job = await withFieldPaths(mapField, () =>
            scheduler.rescheduleJob(params.id, toTriggerOptions(trigger)),
          );
        }
        if (paused === true && !job.paused) job = await scheduler.pauseJob(params.id);
        if (paused === false && job.paused) job = await scheduler.resumeJob(params.id);
        return toJob(job);
      },
    }),
    defineRoute({
      method: "DELETE",
      url: "/jobs/:id",
      operationId: "deleteJob",
      summary: "Delete a job and its run history",
      description: "A task of the job still running has its signal aborted (reason job-removed).",
      tags: TAGS,
      access: "write",
      params: JobIdParamsSchema,
      responses: { 204: { description: "Deleted." } },
      async handler({ params, reply }) {
        await scheduler.removeJob(params.id);
        void reply.code(204);
        return undefined;
      },
    }),
    defineRoute({
      method: "POST",
      url: "/jobs/:id/pause",
      operationId: "pauseJob",
      summary: "Pause a job",
      description:
        "No occurrence until it is resumed; its runs that have not started yet are cancelled (reason job-paused), a running one goes on. Pausing a paused job changes nothing.",
      tags: TAGS,
      access: "write",
      params: JobIdParamsSchema,
      responses: { 200: { description: "The job, paused.", schema: JobSchema } },
      async handler({ params }) {
        return toJob(await pause(params.id));
      },
    }),
    defineRoute({
      method: "POST",
      url: "/jobs/:id/resume",
      operationId: "resumeJob",
      summary: "Resume a paused job",
      description:
        "A recurring job's next run is its trigger's first fire time from now (the pause is not replayed). A one-off job that has not run keeps its time: one that passed during the pause is due at once, late, and its catch-up policy runs it or records it missed. Resuming a job that is not paused changes nothing.",
      tags: TAGS,
      access: "write",
      params: JobIdParamsSchema,
      responses: { 200: { description: "The job, resumed.", schema: JobSchema } },
      async handler({ params }) {
        return toJob(await scheduler.resumeJob(params.id));
      },
    }),
    defineRoute({
      method: "POST",
      url: "/jobs/:id/run",
      operationId: "runJobNow",
      summary: "Run a job now",
      description:
        "Records a manual run and starts it, outside the schedule (the overlap policy does not apply; retries and timeout do).",
      tags: TAGS,
      access: "write",
      params: JobIdParamsSchema,
      responses: { 202: { description: "The run, recorded and handed to the executor.", schema: RunSchema } },
      async handler({ params, reply }) {
        const run = await scheduler.runJobNow(params.id);
        void reply.code(202).header("location", `/runs/${encodeURIComponent(run.id)}`);
        return toRun(run, { stacks: false });
      },
    }),
  ];

  async function pause(id: string) {
    const job = await scheduler.getJob(id);
    if (!job) throw new JobNotFoundError(id);
    return job.paused ? job : scheduler.pauseJob(id);
  }
}
