import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { Registry } from "prom-client";
import { openApiPath } from "../../src/server/route.js";
import { FULL, testApi } from "./helpers.js";

type Json = Record<string, unknown>;

describe("GET /openapi.json", () => {
  const api = testApi();
  after(() => api.close());

  it("is an OpenAPI 3.1 document with every route, whose references all resolve", async () => {
    const res = await api.request("GET", "/openapi.json");
    assert.equal(res.statusCode, 200);
    const doc = JSON.parse(res.body) as Json & {
      paths: Record<string, Record<string, Json>>;
      components: { schemas: Json };
    };
    assert.equal(doc.openapi, "3.1.0");
    for (const route of api.app.cronqRoutes) {
      const operation = doc.paths[openApiPath(route.url)]?.[route.method.toLowerCase()];
      assert.ok(operation, `${route.method} ${route.url} is documented`);
      assert.equal(operation.operationId, route.operationId);
      assert.deepEqual(operation.security, route.access === "public" ? [] : operation.security);
    }
    const ids = new Set<string>();
    const refs: string[] = [];
    (function walk(value: unknown): void {
      if (Array.isArray(value)) value.forEach(walk);
      else if (typeof value === "object" && value !== null) {
        for (const [key, child] of Object.entries(value)) {
          if (key === "$ref" && typeof child === "string") refs.push(child);
          else if (key === "operationId" && typeof child === "string") {
            assert.ok(!ids.has(child), `operationId ${child} is unique`);
            ids.add(child);
          }
          walk(child);
        }
      }
    })(doc);
    assert.ok(refs.length > 20);
    for (const ref of refs) {
      const name = ref.replace("#/components/schemas/", "");
      assert.ok(ref.startsWith("#/components/schemas/") && doc.components.schemas[name], `${ref} resolves`);
    }
  });

  it("describes request bodies from the same schemas that validate them", async () => {
    const doc = JSON.parse((await api.request("GET", "/openapi.json")).body) as {
      paths: Record<string, Record<string, Json>>;
      components: {
        schemas: Record<string, { properties?: Json; required?: string[]; additionalProperties?: boolean }>;
      };
    };
    const create = doc.components.schemas.CreateJobRequest!;
    assert.deepEqual(create.required, ["id", "task", "trigger"]);
    assert.equal(create.additionalProperties, false);
    for (const key of ["overlap", "retry", "timeout", "misfireGrace", "catchUp", "jitter", "group", "args"]) {
      assert.ok(create.properties?.[key], `CreateJobRequest.${key}`);
    }
    const list = doc.paths["/jobs"]!.get as { parameters: Array<{ name: string; in: string }> };
    assert.deepEqual(
      list.parameters.map((p) => p.name),
      ["status", "task", "search", "cursor", "limit"],
    );
    const get = doc.paths["/jobs/{id}"]!.get as {
      parameters: Array<{ name: string; in: string; required: boolean }>;
    };
    assert.deepEqual(get.parameters[0], {
      name: "id",
      in: "path",
      required: true,
      schema: { type: "string", minLength: 1, maxLength: 200 },
    });
  });
});

describe("GET /metrics", () => {
  it("exposes fires, outcomes, lateness, durations, missed and skipped with reasons, queue depth and lease losses", async () => {
    const api = testApi();
    try {
      await api.request("POST", "/jobs", { id: "tick", task: "echo", trigger: { interval: 1 } });
      await api.request("POST", "/jobs", { id: "boom", task: "fail", trigger: { interval: 2 } });
      await api.request("POST", "/jobs", {
        id: "late",
        task: "echo",
        trigger: { interval: 1 },
        catchUp: "none",
        misfireGrace: "100ms",
      });
      await api.scheduler.start();
      await api.clock.advance(2000);
      // A stalled scheduler: the occurrences it slept through are missed (catch-up none) or caught up.
      api.scheduler.pause();
      await api.clock.advance(5000);
      api.scheduler.resume();
      await api.clock.advance(100);
      const res = await api.request("GET", "/metrics");
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers["content-type"]), /^text\/plain/);
      const text = res.body;
      const value = (line: string): number => {
        const match = new RegExp(`^${line.replace(/[{}()[\]"+.]/g, "\\$&")} (\\S+)$`, "m").exec(text);
        assert.ok(match, `${line} in\n${text}`);
        return Number(match[1]);
      };
      assert.ok(value('cronq_fires_total{origin="schedule"}') >= 4);
      assert.ok(value('cronq_runs_total{outcome="succeeded"}') >= 2);
      assert.ok(value('cronq_runs_total{outcome="failed"}') >= 1);
      assert.ok(value('cronq_occurrences_missed_total{reason="misfire"}') >= 4);
      assert.ok(value("cronq_fire_lateness_seconds_count") >= 4);
      assert.ok(value('cronq_run_duration_seconds_count{outcome="failed"}') >= 1);
      assert.equal(value("cronq_queue_depth"), 0);
      assert.equal(value("cronq_lease_losses_total"), 0);
      assert.equal(value('cronq_jobs{status="scheduled"}'), 3);
      assert.equal(value('cronq_scheduler_state{state="running"}'), 1);
      assert.ok(value('cronq_http_requests_total{method="POST",route="/jobs",status="201"}') === 3);
      assert.match(text, /# HELP cronq_occurrences_skipped_total/);
    } finally {
      await api.close();
    }
  });

  it("counts skipped occurrences by reason and lease losses reported by the executor", async () => {
    const { deferred } = await import("../core/scheduler/helpers.js");
    const { defineTask } = await import("../../src/core/tasks.js");
    const gate = deferred();
    const api = testApi({}, { tasks: [defineTask("slow", () => gate.promise)] });
    try {
      await api.request("POST", "/jobs", { id: "slow", task: "slow", trigger: { interval: 1 } });
      await api.scheduler.start();
      await api.clock.advance(3000);
      api.scheduler.events.emit("lease:lost", {
        kind: "run",
        id: "slow@2026-01-01T00:00:00.000Z",
        owner: "me",
      });
      const text = (await api.request("GET", "/metrics")).body;
      assert.match(text, /^cronq_occurrences_skipped_total\{reason="overlap"\} 2$/m);
      assert.match(text, /^cronq_runs_total\{outcome="skipped"\} 2$/m);
      assert.match(text, /^cronq_lease_losses_total 1$/m);
    } finally {
      gate.resolve();
      await api.close();
    }
  });

  it("uses its own registry, or the one given, and can be turned off", async () => {
    const registry = new Registry();
    const api = testApi({ metrics: { registry, prefix: "myapp_cronq_" } });
    const off = testApi({ metrics: false });
    try {
      await api.request("GET", "/jobs");
      assert.match(
        await registry.metrics(),
        /myapp_cronq_http_requests_total\{method="GET",route="\/jobs",status="200"\} 1/,
      );
      assert.equal((await off.request("GET", "/metrics")).statusCode, 404);
    } finally {
      await api.close();
      await off.close();
    }
  });
});

describe("static files (the dashboard)", () => {
  const api = testApi({ staticDir: new URL("./fixtures/static/", import.meta.url).pathname });
  after(() => api.close());

  it("serves index.html at / and assets without a token, with the CSP", async () => {
    const index = await api.app.inject({ method: "GET", url: "/" });
    assert.equal(index.statusCode, 200);
    assert.match(String(index.headers["content-type"]), /^text\/html/);
    assert.match(index.body, /<title>cronq<\/title>/);
    assert.match(
      String(index.headers["content-security-policy"]),
      /script-src 'self'; .*frame-ancestors 'none'/,
    );
    assert.equal(index.headers["cache-control"], "no-cache");
    const script = await api.app.inject({ method: "GET", url: "/assets/app.js" });
    assert.equal(script.statusCode, 200);
    assert.match(String(script.headers["content-type"]), /^text\/javascript/);
  });

  it("never leaves its directory, and API routes win over files", async () => {
    for (const url of [
      "/../package.json",
      "/assets/../../helpers.ts",
      "/%2e%2e/%2e%2e/package.json",
      "/assets/%00",
      "/nope.js",
      "/assets/",
    ]) {
      const res = await api.app.inject({ method: "GET", url });
      assert.equal(res.statusCode, 404, `${url}: ${res.body.slice(0, 80)}`);
      assert.doesNotMatch(res.body, /"name": "cronq"|import /);
    }
    const jobs = await api.app.inject({
      method: "GET",
      url: "/jobs",
      headers: { authorization: `Bearer ${FULL}` },
    });
    assert.equal(jobs.statusCode, 200);
    assert.deepEqual(JSON.parse(jobs.body), { items: [], nextCursor: null });
  });
});
