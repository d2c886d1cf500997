/**
 * `buildApp()`: the HTTP API as a Fastify instance that never listens by itself. Tests inject
 * requests into it (`app.inject`); `startServer()` (index.ts) makes it listen.
 *
 * Order of work for a request: route lookup -> auth (`onRequest`, before the body is even read, so
 * that an unauthenticated client cannot make the server parse 1 MiB) -> body parsing (JSON only,
 * with the limits of `json.ts`) -> zod validation of params, query and body -> handler. Whatever
 * throws on the way becomes the one error envelope (`errors.ts`).
 */
import Fastify, { type FastifyInstance, type FastifyReply, LogController } from "fastify";
import type { Logger } from "pino";
import type { Scheduler } from "../core/scheduler/scheduler.js";
import { type AuthConfig, Authenticator, type Principal } from "./auth.js";
import { type ClusterView, embeddedCluster } from "./cluster.js";
import type { ServerContext } from "./context.js";
import { envelope, toErrorResponse } from "./errors.js";
import { EventStream, type EventStreamOptions } from "./event-stream.js";
import { parseJsonBody } from "./json.js";
import { ApiMetrics, type MetricsOptions } from "./metrics.js";
import { buildOpenApi } from "./openapi.js";
import { Overview } from "./overview.js";
import { type CronqRouteConfig, type RouteDefinition, registerRoutes } from "./route.js";
import { eventRoutes } from "./routes/events.js";
import { healthRoutes } from "./routes/health.js";
import { jobRoutes } from "./routes/jobs.js";
import { metaRoutes } from "./routes/meta.js";
import { runRoutes } from "./routes/runs.js";
import { schedulerRoutes } from "./routes/scheduler.js";
import { sessionRoutes } from "./routes/session.js";
import { taskRoutes } from "./routes/tasks.js";
import { triggerRoutes } from "./routes/triggers.js";
import { SECURITY_HEADERS, registerStatic } from "./security.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Who is calling; null on public routes. Set by the auth hook. */
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** The API's route definitions, as registered: for the OpenAPI document and for tests. */
    cronqRoutes: readonly RouteDefinition[];
  }
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface BuildAppOptions {
  scheduler: Scheduler;
  /** Tokens and limits. `{ tokens: [] }` is open mode (loopback only; see `auth.ts`). */
  auth: AuthConfig;
  /** Largest request body in bytes; bigger ones get 413. @default 1 MiB */
  bodyLimit?: number;
  /** Replicas, workers and queue depth. @default embeddedCluster(scheduler) */
  cluster?: ClusterView;
  /** Prometheus metrics at /metrics, or false for none. @default a registry of the server's own */
  metrics?: MetricsOptions | false;
  /** Where the server logs (errors, and each request at debug level). @default false: silent */
  logger?: Logger | false;
  /** The dashboard's built files, served at `/` without a token. @default none */
  staticDir?: string;
  /** The event stream's limits. */
  events?: EventStreamOptions;
  /**
   * Behind a reverse proxy: which proxies to believe about the client's address
   * (`X-Forwarded-For`), so that failed-login limits apply per client and not to the proxy.
   * `true` trusts any, a string or list names addresses or CIDR ranges ("10.0.0.0/8").
   * @default false: the address is the TCP peer's
   */
  trustProxy?: boolean | string | string[];
}

export function buildApp(options: BuildAppOptions): FastifyInstance {
  const { scheduler } = options;
  const clock = scheduler.options.clock;
  const auth = new Authenticator(options.auth, clock);
  const cluster = options.cluster ?? embeddedCluster(scheduler);
  const metrics =
    options.metrics === false ? null : new ApiMetrics(scheduler, cluster, options.metrics ?? {});
  const events = new EventStream(scheduler, options.events ?? {});
  let openApi: unknown;
  const routes: RouteDefinition[] = [];
  const ctx: ServerContext = {
    scheduler,
    clock,
    cluster,
    auth,
    events,
    metrics,
    overview: new Overview(scheduler),
    openApi: () => (openApi ??= buildOpenApi(routes)),
  };
  routes.push(
    ...healthRoutes(ctx),
    ...metaRoutes(ctx),
    ...sessionRoutes(ctx),
    ...eventRoutes(ctx),
    ...taskRoutes(ctx),
    ...jobRoutes(ctx),
    ...runRoutes(ctx),
    ...triggerRoutes(ctx),
    ...schedulerRoutes(ctx),
  );

  const logger = options.logger ?? false;
  const app = Fastify({
    ...(logger === false ? { logger: false } : { loggerInstance: logger }),
    // Requests are logged by the onResponse hook below, by route pattern: a raw URL may hold an events token.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Job ids are up to 200 characters, run ids longer, and both arrive percent-encoded.
    routerOptions: { maxParamLength: 2048 },
    exposeHeadRoutes: false,
    // A slow client may not hold a connection open by sending its request a byte at a time.
    requestTimeout: 30_000,
    return503OnClosing: true,
    trustProxy: options.trustProxy ?? false,
    frameworkErrors: (error, request, reply) => {
      const response = toErrorResponse(error, request.id);
      void (reply as FastifyReply)
        .code(response.statusCode)
        .headers({ ...SECURITY_HEADERS, ...response.headers })
        .send(response.body);
    },
    // With a pino logger the instance's logger type is pino's; the rest of the server needs only
    // what every FastifyInstance has.
  }) as unknown as FastifyInstance;

  app.decorate("cronqRoutes", routes);
  app.decorateRequest("principal", null);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  app.addHook("onRequest", (request, _reply, done) => {
    const config = (request.routeOptions.config as Partial<CronqRouteConfig> | undefined)?.cronq;
    try {
      // Routes without cronq config (static files, unknown paths) are public.
      if (config) request.principal = auth.authenticate(request, config.access, config.credentials);
      done();
    } catch (error) {
      done(error as Error);
    }
  });

  app.addHook("onSend", (_request, reply, payload, done) => {
    void reply.headers(SECURITY_HEADERS);
    if (!reply.hasHeader("cache-control")) void reply.header("cache-control", "no-store");
    done(null, payload);
  });

  app.addHook("onResponse", (request, reply, done) => {
    const route = request.routeOptions.url ?? "(unmatched)";
    metrics?.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    request.log.debug(
      {
        method: request.method,
        route,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        principal: request.principal?.name,
      },
      "request",
    );
    done();
  });

  app.setErrorHandler((error, request, reply) => {
    const response = toErrorResponse(error, request.id);
    if (response.internal) {
      request.log.error(
        { err: error, method: request.method, route: request.routeOptions.url },
        "request failed",
      );
    }
    void reply.code(response.statusCode).headers(response.headers).send(response.body);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0]!.slice(0, 200);
    void reply
      .code(404)
      .send(
        envelope("NOT_FOUND", `No route ${request.method} ${path}. See GET /openapi.json for the routes.`),
      );
  });

  registerRoutes(app, routes);
  if (options.staticDir !== undefined) registerStatic(app, options.staticDir);

  // Event streams never end by themselves: end them first, or closing would wait for them forever.
  app.addHook("preClose", (done) => {
    events.close();
    done();
  });
  app.addHook("onClose", (_instance, done) => {
    metrics?.close();
    done();
  });
  return app;
}
