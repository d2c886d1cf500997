/** A scheduler on a fake clock behind the API, with a full and a read-only token, for `app.inject`. */
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { z } from "zod";
import { FakeClock } from "../../src/core/clock/fake-clock.js";
import { Scheduler } from "../../src/core/scheduler/scheduler.js";
import type { SchedulerOptions } from "../../src/core/scheduler/options.js";
import { MemoryStore } from "../../src/core/stores/memory.js";
import { defineTask } from "../../src/core/tasks.js";
import { type BuildAppOptions, buildApp } from "../../src/server/app.js";
import { ErrorEnvelopeSchema } from "../../src/server/schemas/common.js";

export const T0 = Date.parse("2026-03-02T00:00:00.000Z");
export const FULL = "full-0123456789abcdef";
export const READ = "read-0123456789abcdef";

export const TOKENS = [
  { name: "admin", token: FULL, access: "full" },
  { name: "viewer", token: READ, access: "read" },
] as const;

export interface TestApi {
  app: FastifyInstance;
  scheduler: Scheduler;
  clock: FakeClock;
  store: MemoryStore;
  /** A request with the full token (or `token`), JSON body when given. */
  request(
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    url: string,
    body?: unknown,
    options?: { token?: string | null; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export function testTasks() {
  return [
    defineTask("echo", (..._args: unknown[]) => undefined, { description: "Does nothing, successfully." }),
    defineTask("fail", () => {
      throw new Error("boom");
    }),
    defineTask("greet", (_name: string) => undefined, {
      description: "Greets someone.",
      argsSchema: z.tuple([z.string()]),
      jsonSchema: { type: "array", prefixItems: [{ type: "string" }], minItems: 1, maxItems: 1 },
    }),
  ];
}

export function testApi(
  options: Partial<Omit<BuildAppOptions, "scheduler">> = {},
  schedulerOptions: SchedulerOptions = {},
): TestApi {
  const clock = new FakeClock(T0);
  const store = new MemoryStore();
  const scheduler = new Scheduler({ clock, store, timezone: "UTC", tasks: testTasks(), ...schedulerOptions });
  const app = buildApp({
    scheduler,
    auth: { tokens: TOKENS },
    logger: false,
    ...options,
  });
  return {
    app,
    scheduler,
    clock,
    store,
    request(method, url, body, opts = {}) {
      const token = opts.token === undefined ? FULL : opts.token;
      return app.inject({
        method,
        url,
        headers: {
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...opts.headers,
        },
        ...(body === undefined ? {} : { payload: typeof body === "string" ? body : JSON.stringify(body) }),
      });
    },
    async close() {
      await app.close();
      await scheduler.stop({ graceMs: 0 });
    },
  };
}

/** The parsed body, checked against `schema` (so that responses cannot drift from the schemas). */
export function parse<S extends z.ZodType>(response: LightMyRequestResponse, schema: S): z.output<S> {
  if (response.statusCode >= 400) throw new Error(`HTTP ${response.statusCode}: ${response.body}`);
  return schema.parse(JSON.parse(response.body));
}

/** The error envelope of a response, checked against its schema. */
export function errorOf(response: LightMyRequestResponse): z.output<typeof ErrorEnvelopeSchema>["error"] {
  return ErrorEnvelopeSchema.strict().parse(JSON.parse(response.body)).error;
}
