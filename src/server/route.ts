/**
 * Routes as data: each one names its method, URL, access level, the zod schemas of its params,
 * query and body, and its responses. `registerRoutes` turns them into framework routes that
 * validate with those schemas; `buildOpenApi` turns the same list into the OpenAPI document; the
 * handler's argument types are inferred from them. One definition, three uses, no drift.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import type { CredentialSource, Principal, RouteAccess } from "./auth.js";
import { type RequestPart, validationError } from "./errors.js";
import { EmptyBodySchema, EmptyQuerySchema } from "./schemas/common.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface ResponseSpec {
  description: string;
  /** The body's schema; absent for an empty response (204) or a non-JSON one given by `contentType`. */
  schema?: z.ZodType;
  /** @default "application/json" */
  contentType?: string;
}

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  request: FastifyRequest;
  reply: FastifyReply;
  /** Null on public routes. */
  principal: Principal | null;
}

export interface RouteDefinition {
  method: HttpMethod;
  /** Framework syntax: `/jobs/:id`. */
  url: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: readonly string[];
  access: RouteAccess;
  /** Where credentials may come from. @default ["bearer"] */
  credentials: readonly CredentialSource[];
  params: z.ZodType | undefined;
  query: z.ZodType;
  body: z.ZodType | undefined;
  responses: Readonly<Record<number, ResponseSpec>>;
  handler: (context: RouteContext<unknown, unknown, unknown>) => Promise<unknown>;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<
  P extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  B extends z.ZodType | undefined,
> {
  method: HttpMethod;
  url: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: readonly string[];
  access: RouteAccess;
  credentials?: readonly CredentialSource[];
  params?: P;
  query?: Q;
  body?: B;
  responses: Readonly<Record<number, ResponseSpec>>;
  handler: (
    context: RouteContext<Out<P>, Q extends z.ZodType ? z.output<Q> : Record<string, never>, Out<B>>,
  ) => Promise<unknown>;
}

export function defineRoute<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(input: RouteInput<P, Q, B>): RouteDefinition {
  return {
    method: input.method,
    url: input.url,
    operationId: input.operationId,
    summary: input.summary,
    ...(input.description === undefined ? {} : { description: input.description }),
    tags: input.tags,
    access: input.access,
    credentials: input.credentials ?? ["bearer"],
    params: input.params,
    query: input.query ?? EmptyQuerySchema,
    // Methods that carry a body take what their schema says; the others at most an empty object.
    body: input.body ?? (input.method === "GET" ? undefined : EmptyBodySchema),
    responses: input.responses,
    // The context was built from these very schemas by `registerRoutes`.
    handler: (context) => input.handler(context as Parameters<typeof input.handler>[0]),
  };
}

/** What the auth hook reads from a route's config. */
export interface CronqRouteConfig {
  cronq: { access: RouteAccess; credentials: readonly CredentialSource[] };
}

export function registerRoutes(app: FastifyInstance, routes: readonly RouteDefinition[]): void {
  for (const route of routes) {
    const config: CronqRouteConfig = {
      cronq: { access: route.access, credentials: route.credentials },
    };
    app.route({
      method: route.method,
      url: route.url,
      config,
      handler: async (request, reply) => {
        const params = route.params ? parse(route.params, request.params, "params") : undefined;
        const query = parse(route.query, request.query ?? {}, "query");
        const body = route.body ? parse(route.body, request.body, "body") : undefined;
        return route.handler({ params, query, body, request, reply, principal: request.principal });
      },
    });
  }
}

function parse(schema: z.ZodType, input: unknown, part: RequestPart): unknown {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(part, result.error.issues, input);
  return result.data;
}

/** `/jobs/:id/runs` -> `/jobs/{id}/runs`. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}
