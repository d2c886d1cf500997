import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { z } from "zod";
import { defineTask } from "../../src/core/tasks.js";
import {
  ClusterSchema,
  OverviewSchema,
  SchedulerStatusSchema,
  UpcomingListSchema,
} from "../../src/server/schemas/scheduler.js";
import { TaskListSchema } from "../../src/server/schemas/tasks.js";
import { TriggerPreviewSchema } from "../../src/server/schemas/triggers.js";
import { deferred } from "../core/scheduler/helpers.js";
import { errorOf, parse, testApi } from "./helpers.js";

describe("GET /tasks", () => {
  const api = testApi();
  after(() => api.close());

  it("lists the registered tasks with their description and argument schema", async () => {
    const { items } = parse(await api.request("GET", "/tasks"), TaskListSchema);
    assert.deepEqual(
      items.map((t) => t.name),
      ["echo", "fail", "greet"],
    );
    const greet = items.find((t) => t.name === "greet")!;
    assert.equal(greet.description, "Greets someone.");
    assert.deepEqual(greet.argsSchema, {
      type: "array",
      prefixItems: [{ type: "string" }],
      minItems: 1,
      maxItems: 1,
    });
    assert.equal(items.find((t) => t.name === "fail")!.argsSchema, null);
  });
});

describe("POST /triggers/preview", () => {
  const api = testApi();
  after(() => api.close());

  it("describes a trigger and lists its next fire times, in its timezone", async () => {
    const res = await api.request("POST", "/triggers/preview", {
      trigger: { cron: "0 9 * * MON-FRI", timezone: "Europe/Berlin" },
      count: 3,
    });
    const preview = parse(res, TriggerPreviewSchema);
    assert.equal(preview.description, "at 09:00, Monday through Friday, Europe/Berlin");
    assert.equal(preview.kind, "cron");
    assert.equal(preview.timezone, "Europe/Berlin");
    assert.deepEqual(preview.nextRunTimes, [
      "2026-03-02T08:00:00.000Z",
      "2026-03-03T08:00:00.000Z",
      "2026-03-04T08:00:00.000Z",
    ]);
  });

  it("counts from `after`, shows a one-off once, and a finished trigger with no times", async () => {
    const every = parse(
      await api.request("POST", "/triggers/preview", {
        trigger: { interval: "90m" },
        after: "2026-06-01T00:00:00Z",
      }),
      TriggerPreviewSchema,
    );
    assert.equal(every.description, "every 1 hour 30 minutes");
    assert.equal(every.nextRunTimes[0], "2026-06-01T01:30:00.000Z");
    assert.equal(every.nextRunTimes.length, 5);
    const once = parse(
      await api.request("POST", "/triggers/preview", { trigger: { at: "2026-12-01T09:00:00Z" } }),
      TriggerPreviewSchema,
    );
    assert.equal(once.recurring, false);
    assert.deepEqual(once.nextRunTimes, ["2026-12-01T09:00:00.000Z"]);
  });

  it("is allowed to read-only tokens: it changes nothing", async () => {
    const { READ } = await import("./helpers.js");
    const res = await api.request("POST", "/triggers/preview", { trigger: { interval: 5 } }, { token: READ });
    assert.equal(res.statusCode, 200);
  });

  it("names the field at fault, as the job form shows it", async () => {
    for (const [trigger, path] of [
      [{ cron: "* * *" }, "trigger.cron"],
      [{ cron: "0 9 * * *", timezone: "Europe/Berln" }, "trigger.timezone"],
      [{ interval: "-5s" }, "trigger.interval"],
      [{ calendar: { unit: "week", weekdays: [8] } }, "trigger.calendar.weekdays"],
      [
        { spec: { kind: "cron", version: 1, expression: "0 9 * * *", timezone: "Nowhere" } },
        "trigger.spec.timezone",
      ],
      [{ spec: { kind: "sometimes", version: 1 } }, "trigger.spec.kind"],
    ] as const) {
      const res = await api.request("POST", "/triggers/preview", { trigger });
      assert.equal(res.statusCode, 400, JSON.stringify(trigger));
      assert.equal(errorOf(res).details?.[0]?.path, path, `${JSON.stringify(trigger)}: ${res.body}`);
    }
    const count = await api.request("POST", "/triggers/preview", { trigger: { interval: 5 }, count: 101 });
    assert.equal(errorOf(count).details?.[0]?.path, "count");
  });
});

describe("/scheduler, /cluster, /overview, /upcoming", () => {
  const gate = deferred();
  const api = testApi(
    {},
    {
      tasks: [
        defineTask("echo", () => undefined),
        defineTask("fail", () => {
          throw new Error("boom");
        }),
        defineTask("slow", () => gate.promise),
      ],
      concurrency: 2,
    },
  );
  before(async () => {
    await api.request("POST", "/jobs", { id: "every-10s", task: "echo", trigger: { interval: 10 } });
    await api.request("POST", "/jobs", { id: "failing", task: "fail", trigger: { interval: 20 } });
    await api.request("POST", "/jobs", { id: "hourly", task: "echo", trigger: { cron: "0 * * * *" } });
    await api.request("POST", "/jobs", { id: "stuck", task: "slow", trigger: { startIn: "5s" } });
    await api.request("POST", "/jobs", {
      id: "resting",
      task: "echo",
      trigger: { interval: 10 },
      paused: true,
    });
    await api.scheduler.start();
    await api.clock.advance(60_000);
  });
  after(async () => {
    gate.resolve();
    await api.close();
  });

  it("shows the scheduler's state, store, job counts and clock", async () => {
    const status = parse(await api.request("GET", "/scheduler"), SchedulerStatusSchema);
    assert.equal(status.state, "running");
    assert.equal(status.timezone, "UTC");
    assert.equal(status.now, "2026-03-02T00:01:00.000Z");
    assert.deepEqual(status.store, { kind: "memory", shared: false });
    assert.equal(status.jobs.total, 5);
    assert.equal(status.jobs.byStatus.paused, 1);
    assert.equal(status.jobs.byStatus.running, 1);
  });

  it("pauses and resumes the whole scheduler, and says 409 when it cannot", async () => {
    const paused = parse(await api.request("POST", "/scheduler/pause"), SchedulerStatusSchema);
    assert.equal(paused.state, "paused");
    const again = await api.request("POST", "/scheduler/pause");
    assert.equal(again.statusCode, 409);
    assert.equal(errorOf(again).code, "SCHEDULER_STATE");
    assert.equal(
      parse(await api.request("POST", "/scheduler/resume"), SchedulerStatusSchema).state,
      "running",
    );
  });

  it("shows this process as the one replica and worker, with what it runs and for how long", async () => {
    const cluster = parse(await api.request("GET", "/cluster"), ClusterSchema);
    assert.equal(cluster.replicas.length, 1);
    assert.equal(cluster.replicas[0]!.id, api.scheduler.id);
    assert.equal(cluster.replicas[0]!.self, true);
    assert.equal(cluster.replicas[0]!.lastHeartbeatAt, "2026-03-02T00:01:00.000Z");
    const worker = cluster.workers[0]!;
    assert.equal(worker.concurrency, 2);
    assert.deepEqual(
      worker.running.map((r) => [r.jobId, r.elapsedMs]),
      [["stuck", 55_000]],
    );
    assert.equal(cluster.queue.depth, 0);
  });

  it("lists upcoming occurrences of every job, earliest first, within the window", async () => {
    const upcoming = parse(await api.request("GET", "/upcoming?within=30m&limit=5"), UpcomingListSchema);
    assert.deepEqual(
      upcoming.items.map((u) => [u.jobId, u.scheduledAt, u.inMs]),
      [
        ["every-10s", "2026-03-02T00:01:10.000Z", 10_000],
        ["every-10s", "2026-03-02T00:01:20.000Z", 20_000],
        ["failing", "2026-03-02T00:01:20.000Z", 20_000],
        ["every-10s", "2026-03-02T00:01:30.000Z", 30_000],
        ["every-10s", "2026-03-02T00:01:40.000Z", 40_000],
      ],
    );
    const hourly = parse(await api.request("GET", "/upcoming?within=70m&limit=1000"), UpcomingListSchema);
    assert.deepEqual(
      hourly.items.filter((u) => u.jobId === "hourly").map((u) => u.scheduledAt),
      ["2026-03-02T01:00:00.000Z"],
    );
    assert.equal(hourly.items.length, 420 + 210 + 1);
    assert.ok(!hourly.items.some((u) => u.jobId === "resting"), "paused jobs have no upcoming runs");
    const bad = await api.request("GET", "/upcoming?within=soon");
    assert.equal(errorOf(bad).details?.[0]?.path, "within");
  });

  it("gives the dashboard's home page in one request", async () => {
    const overview = parse(await api.request("GET", "/overview"), OverviewSchema);
    assert.equal(overview.scheduler.jobs.total, 5);
    assert.equal(overview.runs.byStatus.succeeded, 7, "every-10s 6 times, hourly once at 00:00");
    assert.equal(overview.runs.byStatus.failed, 3);
    assert.equal(overview.runs.byStatus.running, 1);
    assert.equal(overview.runs.truncated, false);
    assert.deepEqual(
      overview.running.map((r) => [r.jobId, r.elapsedMs]),
      [["stuck", 55_000]],
    );
    assert.equal(overview.upcoming[0]!.scheduledAt, "2026-03-02T00:01:10.000Z");
    assert.deepEqual(
      overview.recentFailures.map((r) => r.scheduledAt),
      ["2026-03-02T00:01:00.000Z", "2026-03-02T00:00:40.000Z", "2026-03-02T00:00:20.000Z"],
    );
    assert.equal(overview.cluster.workers[0]!.running.length, 1);
    const shorter = parse(await api.request("GET", "/overview?window=1m"), OverviewSchema);
    assert.equal(shorter.runs.from, "2026-03-02T00:00:00.000Z");
    assert.equal(overview.runs.from, "2026-03-01T00:01:00.000Z");
  });
});

describe("GET /healthz and /readyz", () => {
  it("answer without a token; /readyz is 503 with the envelope when the store does not answer", async () => {
    const api = testApi();
    try {
      assert.deepEqual(JSON.parse((await api.request("GET", "/healthz", undefined, { token: null })).body), {
        status: "ok",
      });
      assert.deepEqual(JSON.parse((await api.request("GET", "/readyz", undefined, { token: null })).body), {
        status: "ready",
      });
      api.store.ping = () => Promise.reject(new Error("ECONNREFUSED 10.1.2.3:6379"));
      const down = await api.request("GET", "/readyz", undefined, { token: null });
      assert.equal(down.statusCode, 503);
      const error = errorOf(down);
      assert.equal(error.code, "STORE_UNAVAILABLE");
      assert.doesNotMatch(down.body, /10\.1\.2\.3|ECONNREFUSED/, "no internal message reaches the client");
      assert.equal(down.headers["retry-after"], "5");
      api.store.ping = () => new Promise(() => undefined);
      const pending = api.request("GET", "/readyz", undefined, { token: null });
      await api.clock.advance(2000);
      assert.equal((await pending).statusCode, 503, "a store that hangs counts as unreachable");
    } finally {
      await api.close();
    }
  });
});

describe("a store that fails mid-request", () => {
  it("gives 503 for STORE_UNAVAILABLE and a bare 500 with a request id for anything else", async () => {
    const { StoreUnavailableError } = await import("../../src/core/errors.js");
    const api = testApi();
    try {
      api.store.listJobs = () =>
        Promise.reject(new StoreUnavailableError("SQLITE_BUSY at /var/lib/cronq.db"));
      const busy = await api.request("GET", "/jobs");
      assert.equal(busy.statusCode, 503);
      assert.doesNotMatch(busy.body, /SQLITE|var\/lib/);
      api.store.listJobs = () =>
        Promise.reject(new TypeError("Cannot read properties of undefined (reading 'x')"));
      const crash = await api.request("GET", "/jobs");
      assert.equal(crash.statusCode, 500);
      const error = errorOf(crash);
      assert.equal(error.code, "INTERNAL");
      assert.ok(error.requestId);
      assert.doesNotMatch(crash.body, /TypeError|reading|at /);
    } finally {
      await api.close();
    }
  });
});

describe("errors for requests the routes never see", () => {
  const api = testApi({ bodyLimit: 2048 });
  after(() => api.close());

  it("404 for an unknown route, 413 for a big body, 415 for a non-JSON body, 400 for broken JSON", async () => {
    const unknown = await api.request("GET", "/nope");
    assert.equal(unknown.statusCode, 404);
    assert.equal(errorOf(unknown).code, "NOT_FOUND");
    const big = await api.request("POST", "/jobs", {
      id: "x",
      task: "echo",
      trigger: { interval: 1 },
      args: ["x".repeat(4000)],
    });
    assert.equal(big.statusCode, 413);
    assert.equal(errorOf(big).code, "PAYLOAD_TOO_LARGE");
    const none = await api.request("POST", "/jobs");
    const textBody = await api.app.inject({
      method: "POST",
      url: "/jobs",
      headers: {
        authorization: `Bearer ${(await import("./helpers.js")).FULL}`,
        "content-type": "text/plain",
      },
      payload: "id=x",
    });
    assert.equal(textBody.statusCode, 415);
    assert.equal(errorOf(textBody).code, "UNSUPPORTED_MEDIA_TYPE");
    assert.equal(none.statusCode, 400, "no body where one is required");
    assert.equal(errorOf(none).message, "Expected `body` to be an object, got undefined");
    const broken = await api.request("POST", "/jobs", '{"id": "x",');
    assert.equal(broken.statusCode, 400);
    assert.equal(errorOf(broken).code, "INVALID_JSON");
    const deep = await api.request("POST", "/jobs", `{"id":"x","args":${"[".repeat(100)}${"]".repeat(100)}}`);
    assert.equal(deep.statusCode, 400);
    assert.match(errorOf(deep).message, /nested deeper than 64/);
    const proto = await api.request(
      "POST",
      "/jobs",
      '{"id":"x","task":"echo","trigger":{"constructor":{"prototype":{}}}}',
    );
    assert.equal(errorOf(proto).code, "INVALID_JSON");
    const badUrl = await api.request("GET", "/jobs/%E0%A4%A");
    assert.equal(badUrl.statusCode, 400);
    assert.equal(errorOf(badUrl).code, "BAD_REQUEST");
  });

  it("puts the security headers on every response, errors included", async () => {
    for (const res of [
      await api.request("GET", "/jobs"),
      await api.request("GET", "/nope"),
      await api.request("GET", "/healthz", undefined, { token: null }),
    ]) {
      assert.match(String(res.headers["content-security-policy"]), /frame-ancestors 'none'/);
      assert.match(String(res.headers["content-security-policy"]), /script-src 'self'(;|$)/);
      assert.equal(res.headers["x-frame-options"], "DENY");
      assert.equal(res.headers["x-content-type-options"], "nosniff");
      assert.equal(res.headers["cache-control"], "no-store");
    }
  });

  it("envelopes every error the same way", () => {
    const envelope = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
    assert.ok(envelope.safeParse({ error: { code: "X", message: "y" } }).success);
  });
});
