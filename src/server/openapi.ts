/**
 * The OpenAPI 3.1 document, built from the route definitions and their zod schemas (the same ones
 * that validate requests), so that the document cannot drift from what the server does.
 * Named schemas become `components.schemas` entries referred to by `$ref`.
 */
import { z } from "zod";
import type { RouteDefinition } from "./route.js";
import { openApiPath } from "./route.js";
import { EmptyBodySchema, ErrorEnvelopeSchema } from "./schemas/common.js";
import { EVENT_DATA_SCHEMAS } from "./schemas/events.js";
import * as jobs from "./schemas/jobs.js";
import * as runs from "./schemas/runs.js";
import * as scheduler from "./schemas/scheduler.js";
import * as session from "./schemas/session.js";
import * as tasks from "./schemas/tasks.js";
import * as triggers from "./schemas/triggers.js";

/** Schemas that get a name in `components.schemas`: requests (read as input) and responses (as output). */
const REQUEST_SCHEMAS: Record<string, z.ZodType> = {
  CreateJobRequest: jobs.CreateJobRequestSchema,
  ReplaceJobRequest: jobs.ReplaceJobRequestSchema,
  PatchJobRequest: jobs.PatchJobRequestSchema,
  BulkJobActionRequest: jobs.BulkJobActionRequestSchema,
  RetryInput: jobs.RetryInputSchema,
  TriggerInput: triggers.TriggerInputSchema,
  TriggerPreviewRequest: triggers.TriggerPreviewRequestSchema,
  CalendarInput: triggers.CalendarInputSchema,
  DstPolicy: triggers.DstPolicySchema,
  Duration: triggers.DurationSchema,
  DateInput: triggers.DateInputSchema,
  TriggerSpec: triggers.TriggerSpecSchema,
};

const RESPONSE_SCHEMAS: Record<string, z.ZodType> = {
  ErrorEnvelope: ErrorEnvelopeSchema,
  Job: jobs.JobSchema,
  JobDetail: jobs.JobDetailSchema,
  JobPage: jobs.JobPageSchema,
  Policy: jobs.PolicySchema,
  SerializedError: jobs.SerializedErrorSchema,
  BulkJobActionResult: jobs.BulkJobActionResultSchema,
  Run: runs.RunSchema,
  RunPage: runs.RunPageSchema,
  Attempt: runs.AttemptSchema,
  Task: tasks.TaskSchema,
  TaskList: tasks.TaskListSchema,
  TriggerSpec: triggers.TriggerSpecSchema,
  TriggerPreview: triggers.TriggerPreviewSchema,
  SchedulerStatus: scheduler.SchedulerStatusSchema,
  RunningRun: scheduler.RunningRunSchema,
  Replica: scheduler.ReplicaSchema,
  Worker: scheduler.WorkerSchema,
  Cluster: scheduler.ClusterSchema,
  UpcomingRun: scheduler.UpcomingRunSchema,
  UpcomingList: scheduler.UpcomingListSchema,
  RunStats: scheduler.RunStatsSchema,
  Overview: scheduler.OverviewSchema,
  WhoAmI: session.WhoAmISchema,
  Session: session.SessionSchema,
  ...Object.fromEntries(
    Object.entries(EVENT_DATA_SCHEMAS).map(([name, schema]) => [eventSchemaName(name), schema]),
  ),
};

/** `run:succeeded` -> `RunSucceededEvent`. */
export function eventSchemaName(event: string): string {
  return (
    event
      .split(/[:-]/)
      .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
      .join("") + "Event"
  );
}

type JsonSchema = Record<string, unknown>;

interface Components {
  schemas: Record<string, JsonSchema>;
  /** Finds a schema's component name, if it has one. */
  refOf(schema: z.ZodType, io: "input" | "output"): string | undefined;
}

function buildComponents(): Components {
  const uri = (id: string): string => `#/components/schemas/${id}`;
  const schemas: Record<string, JsonSchema> = {};
  const ids = { input: new Map<z.ZodType, string>(), output: new Map<z.ZodType, string>() };
  for (const [io, named] of [
    ["input", REQUEST_SCHEMAS],
    ["output", RESPONSE_SCHEMAS],
  ] as const) {
    const registry = z.registry<{ id: string }>();
    for (const [id, schema] of Object.entries(named)) {
      registry.add(schema, { id });
      ids[io].set(schema, id);
    }
    const out = z.toJSONSchema(registry, { io, uri, unrepresentable: "any" }) as {
      schemas: Record<string, JsonSchema>;
    };
    for (const [id, schema] of Object.entries(out.schemas)) {
      const { $schema: _s, $id: _i, ...rest } = schema;
      schemas[id] = rest;
    }
  }
  return { schemas, refOf: (schema, io) => ids[io].get(schema) };
}

function schemaFor(components: Components, schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const ref = components.refOf(schema, io);
  if (ref) return { $ref: `#/components/schemas/${ref}` };
  const registry = z.registry<{ id: string }>();
  for (const [id, named] of Object.entries(io === "input" ? REQUEST_SCHEMAS : RESPONSE_SCHEMAS)) {
    if (named !== schema) registry.add(named, { id });
  }
  const json = z.toJSONSchema(schema, { io, unrepresentable: "any", metadata: registry }) as JsonSchema;
  // Named schemas come out as local `$defs`; they are components here.
  const {
    $schema: _s,
    $defs: _d,
    ...rest
  } = JSON.parse(JSON.stringify(json).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;
  return rest;
}

/** Query and path parameters from an object schema, one per property. */
function parameters(
  components: Components,
  schema: z.ZodType | undefined,
  where: "query" | "path",
): JsonSchema[] {
  if (!schema) return [];
  const json = schemaFor(components, schema, "input");
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === "path" || required.has(name),
      ...(typeof description === "string" ? { description } : {}),
      schema: rest,
      ...(where === "query" && (rest.anyOf !== undefined || rest.type === "array")
        ? { style: "form", explode: false }
        : {}),
    };
  });
}

const errorResponse = (description: string): JsonSchema => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/ErrorEnvelope" } } },
});

export function buildOpenApi(routes: readonly RouteDefinition[]): JsonSchema {
  const components = buildComponents();
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const responses: Record<string, JsonSchema> = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      const contentType = spec.contentType ?? "application/json";
      responses[status] = {
        description: spec.description,
        ...(spec.schema
          ? { content: { [contentType]: { schema: schemaFor(components, spec.schema, "output") } } }
          : spec.contentType
            ? { content: { [contentType]: { schema: { type: "string" } } } }
            : {}),
      };
    }
    const takesInput = route.params !== undefined || route.body !== undefined || route.url.includes(":");
    if (takesInput || route.query)
      responses["400"] ??= errorResponse("The request is not valid: see `error.details`.");
    if (route.access !== "public") {
      responses["401"] ??= errorResponse("No valid token.");
      responses["429"] ??= errorResponse("Too many failed authentication attempts from this address.");
    }
    if (route.access === "write") responses["403"] ??= errorResponse("The token is read-only.");
    if (route.url.includes(":id")) responses["404"] ??= errorResponse("No such job or run.");
    if (route.body !== undefined && route.body !== EmptyBodySchema) {
      responses["413"] ??= errorResponse("The body is larger than the limit (1 MiB by default).");
    }
    responses["503"] ??= errorResponse("The store is unreachable.");
    responses["500"] ??= errorResponse("Server error; `error.requestId` identifies it in the server's log.");

    const operation: JsonSchema = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: route.tags,
      security:
        route.access === "public"
          ? []
          : route.credentials.length > 1
            ? [{ bearerAuth: [] }, { eventsToken: [] }, { eventsCookie: [] }]
            : [{ bearerAuth: [] }],
      ...(route.access === "write"
        ? { "x-cronq-access": "full" }
        : route.access === "read"
          ? { "x-cronq-access": "read" }
          : {}),
      parameters: [
        ...parameters(components, route.params, "path"),
        ...parameters(components, route.query, "query"),
      ],
      ...(route.body !== undefined && route.body !== EmptyBodySchema
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: schemaFor(components, route.body, "input") } },
            },
          }
        : {}),
      responses,
    };
    const path = openApiPath(route.url);
    (paths[path] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "cronq API",
      version: "1.0.0",
      description:
        "Manage cronq jobs and runs: create and change jobs, see runs, stream events. Every route but /healthz and /readyz needs `Authorization: Bearer <token>`; read-only tokens may call only the operations marked `x-cronq-access: read`. Errors are `{ error: { code, message, details? } }`.",
    },
    servers: [{ url: "/" }],
    security: [{ bearerAuth: [] }],
    tags: [
      { name: "jobs", description: "Jobs: a task, a trigger, policies." },
      { name: "runs", description: "Runs: one per occurrence, executed or recorded with a reason." },
      { name: "tasks", description: "The tasks jobs can run." },
      { name: "triggers", description: "Previews of triggers." },
      { name: "scheduler", description: "The scheduler, its cluster, and the dashboard's overview." },
      { name: "events", description: "The live event stream." },
      { name: "session", description: "Who is calling; events tokens for browsers." },
      { name: "meta", description: "This document and the metrics." },
      { name: "health", description: "Liveness and readiness, without a token." },
    ],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          description: "CRONQ_API_TOKEN, or one of CRONQ_API_TOKENS.",
        },
        eventsToken: {
          type: "apiKey",
          in: "query",
          name: "token",
          description: "GET /events only: a token from POST /session.",
        },
        eventsCookie: {
          type: "apiKey",
          in: "cookie",
          name: "cronq_events",
          description: "GET /events only: the cookie POST /session sets.",
        },
      },
      schemas: components.schemas,
    },
  };
}
