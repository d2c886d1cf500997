import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import {
  BulkJobActionResultSchema,
  JobDetailSchema,
  JobPageSchema,
  JobSchema,
  type JobPage,
} from "../../src/server/schemas/jobs.js";
import { RunSchema } from "../../src/server/schemas/runs.js";
import { errorOf, parse, testApi } from "./helpers.js";

describe("POST /jobs", () => {
  const api = testApi();
  after(() => api.close());

  it("creates a job from a trigger, args and policies, and says where it is", async () => {
    const res = await api.request("POST", "/jobs", {
      id: "report",
      task: "greet",
      trigger: { cron: "0 9 * * MON-FRI", timezone: "Europe/Berlin" },
      args: ["team"],
      description: "Daily report",
      retry: { attempts: 3, delay: "30s" },
      timeout: "5m",
      overlap: "queue",
    });
    assert.equal(res.statusCode, 201);
    assert.equal(res.headers.location, "/jobs/report");
    const job = parse(res, JobSchema);
    assert.equal(job.id, "report");
    assert.equal(job.taskName, "greet");
    assert.deepEqual(job.args, ["team"]);
    assert.equal(job.schedule, "at 09:00, Monday through Friday, Europe/Berlin");
    assert.equal(job.timezone, "Europe/Berlin");
    assert.equal(job.status, "scheduled");
    assert.equal(job.nextRunAt, "2026-03-02T08:00:00.000Z");
    assert.equal(job.policy.retry.attempts, 3);
    assert.equal(job.policy.retry.delayMs, 30_000);
    assert.equal(job.policy.timeoutMs, 300_000);
    assert.equal(job.policy.overlap, "queue");
  });

  it("accepts every trigger form: interval, at, startIn alone, calendar and a spec", async () => {
    const forms = [
      { interval: "30s" },
      { interval: 90, startIn: "10m" },
      { at: "2026-12-01T09:00:00Z" },
      { startIn: "30m" },
      { calendar: { unit: "month", every: 1, dayOfMonth: 31, time: "06:00" }, timezone: "America/New_York" },
      {
        spec: {
          kind: "union",
          version: 1,
          triggers: [
            { kind: "cron", version: 1, expression: "0 9 * * *", timezone: "UTC" },
            { kind: "cron", version: 1, expression: "0 17 * * *", timezone: "UTC" },
          ],
        },
      },
    ];
    for (const [i, trigger] of forms.entries()) {
      const res = await api.request("POST", "/jobs", { id: `form-${i}`, task: "echo", trigger });
      assert.equal(res.statusCode, 201, `${JSON.stringify(trigger)}: ${res.body}`);
      assert.notEqual(parse(res, JobSchema).nextRunAt, null);
    }
  });

  it("refuses a duplicate id with 409 and says how to replace it", async () => {
    await api.request("POST", "/jobs", { id: "dup", task: "echo", trigger: { interval: 5 } });
    const res = await api.request("POST", "/jobs", { id: "dup", task: "echo", trigger: { interval: 5 } });
    assert.equal(res.statusCode, 409);
    const error = errorOf(res);
    assert.equal(error.code, "DUPLICATE_JOB");
    assert.match(error.message, /Job ID dup already exists\. PUT \/jobs\/\{id\} replaces/);
  });

  it("points every invalid field at its path in the body", async () => {
    const cases: Array<[unknown, string, string]> = [
      [{ id: "x", task: "echo", trigger: { cron: "61 * * * *" } }, "INVALID_TRIGGER", "trigger.cron"],
      [
        { id: "x", task: "echo", trigger: { cron: "0 9 * * *", timezone: "Mars/Base" } },
        "INVALID_TRIGGER",
        "trigger.timezone",
      ],
      [{ id: "x", task: "echo", trigger: { interval: "1x" } }, "INVALID_TRIGGER", "trigger.interval"],
      [
        { id: "x", task: "echo", trigger: { interval: 5, cron: "* * * * *" } },
        "INVALID_TRIGGER",
        "trigger.cron",
      ],
      [{ id: "x", task: "echo", trigger: { at: "not a date" } }, "INVALID_TRIGGER", "trigger.at"],
      [
        { id: "x", task: "echo", trigger: { calendar: { unit: "month", dayOfMonth: 40 } } },
        "INVALID_TRIGGER",
        "trigger.calendar.dayOfMonth",
      ],
      [
        {
          id: "x",
          task: "echo",
          trigger: { spec: { kind: "interval", version: 1, everyMs: -1, anchorAt: "2026-01-01T00:00:00Z" } },
        },
        "INVALID_TRIGGER",
        "trigger.spec.everyMs",
      ],
      [{ id: "x", task: "echo", trigger: {} }, "INVALID_TRIGGER", "trigger"],
      [
        { id: "x", task: "echo", trigger: { interval: 5 }, retry: { attempts: 0 } },
        "INVALID_OPTION",
        "retry.attempts",
      ],
      [{ id: "x", task: "echo", trigger: { interval: 5 }, timeout: "soon" }, "INVALID_ARGUMENT", "timeout"],
      [
        { id: "x", task: "echo", trigger: { interval: 5 }, overlap: "sometimes" },
        "INVALID_ARGUMENT",
        "overlap",
      ],
      [{ id: "x", task: "greet", trigger: { interval: 5 }, args: [42] }, "INVALID_ARGUMENT", "args"],
      [{ id: "x", task: "nope", trigger: { interval: 5 } }, "TASK_NOT_FOUND", "task"],
      [{ id: " x", task: "echo", trigger: { interval: 5 } }, "INVALID_ARGUMENT", "id"],
      [{ id: "x", task: "echo", trigger: { interval: 5 }, color: "red" }, "INVALID_ARGUMENT", "color"],
      [{ id: "x", task: 5, trigger: { interval: 5 } }, "INVALID_ARGUMENT", "task"],
      [{ task: "echo", trigger: { interval: 5 } }, "INVALID_ARGUMENT", "id"],
    ];
    for (const [body, code, path] of cases) {
      const res = await api.request("POST", "/jobs", body);
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`);
      const error = errorOf(res);
      assert.equal(error.code, code, JSON.stringify(body));
      assert.equal(error.details?.[0]?.path, path, `${JSON.stringify(body)}: ${res.body}`);
      assert.ok(error.details?.[0]?.expected, "says what was expected");
    }
    assert.equal(await api.scheduler.getJob("x"), null, "nothing was created");
  });

  it("writes the message with the request's path, in the house formula", async () => {
    const res = await api.request("POST", "/jobs", { id: "x", task: "echo", trigger: { interval: "1x" } });
    assert.match(
      errorOf(res).message,
      /^Expected `trigger\.interval` to be a duration like .*, got "1x" \(string\)$/,
    );
  });

  it("accepts ids with slashes, spaces and unicode, percent-encoded in paths", async () => {
    const id = "reports/daily €1 @ 9";
    const res = await api.request("POST", "/jobs", { id, task: "echo", trigger: { interval: 5 } });
    assert.equal(res.statusCode, 201);
    assert.equal(res.headers.location, `/jobs/${encodeURIComponent(id)}`);
    const got = await api.request("GET", String(res.headers.location));
    assert.equal(parse(got, JobDetailSchema).id, id);
  });
});

describe("GET /jobs", () => {
  const api = testApi();
  after(() => api.close());

  it("lists a page at a time with a cursor, filters by status, task and search", async () => {
    for (let i = 0; i < 25; i++) {
      const id = `job-${String(i).padStart(2, "0")}`;
      const body = {
        id,
        task: i % 5 === 0 ? "fail" : "echo",
        trigger: { interval: 60 },
        description: i === 7 ? "the Seventh" : null,
      };
      assert.equal((await api.request("POST", "/jobs", body)).statusCode, 201);
    }
    await api.scheduler.pauseJob("job-03");

    const first = parse(await api.request("GET", "/jobs?limit=10"), JobPageSchema);
    assert.equal(first.items.length, 10);
    assert.equal(first.items[0]!.id, "job-00");
    assert.ok(first.nextCursor);
    const seen = [...first.items];
    let cursor: string | null = first.nextCursor;
    while (cursor) {
      const page: JobPage = parse(
        await api.request("GET", `/jobs?limit=10&cursor=${encodeURIComponent(cursor)}`),
        JobPageSchema,
      );
      seen.push(...page.items);
      cursor = page.nextCursor;
    }
    assert.deepEqual(
      seen.map((j) => j.id),
      Array.from({ length: 25 }, (_, i) => `job-${String(i).padStart(2, "0")}`),
    );

    const paused = parse(await api.request("GET", "/jobs?status=paused"), JobPageSchema);
    assert.deepEqual(
      paused.items.map((j) => j.id),
      ["job-03"],
    );
    const either = parse(
      await api.request("GET", "/jobs?status=paused&status=scheduled&limit=1000"),
      JobPageSchema,
    );
    assert.equal(either.items.length, 25);
    const byTask = parse(await api.request("GET", "/jobs?task=fail"), JobPageSchema);
    assert.deepEqual(
      byTask.items.map((j) => j.id),
      ["job-00", "job-05", "job-10", "job-15", "job-20"],
    );
    const search = parse(await api.request("GET", "/jobs?search=seventh"), JobPageSchema);
    assert.deepEqual(
      search.items.map((j) => j.id),
      ["job-07"],
    );
  });

  it("rejects bad query parameters with the parameter's name", async () => {
    for (const [query, path] of [
      ["limit=0", "limit"],
      ["limit=1001", "limit"],
      ["limit=ten", "limit"],
      ["status=sleeping", "status[0]"],
      ["colour=red", "colour"],
    ] as const) {
      const res = await api.request("GET", `/jobs?${query}`);
      assert.equal(res.statusCode, 400, query);
      assert.equal(errorOf(res).details?.[0]?.path, path, `${query}: ${res.body}`);
    }
  });
});

describe("GET, PUT, PATCH, DELETE /jobs/{id} and its actions", () => {
  const api = testApi();
  after(() => api.close());

  it("shows a job with its next run times, as many as asked", async () => {
    await api.request("POST", "/jobs", { id: "tick", task: "echo", trigger: { interval: "1h" } });
    const detail = parse(await api.request("GET", "/jobs/tick?next=3"), JobDetailSchema);
    assert.deepEqual(detail.nextRunTimes, [
      "2026-03-02T01:00:00.000Z",
      "2026-03-02T02:00:00.000Z",
      "2026-03-02T03:00:00.000Z",
    ]);
    assert.equal(parse(await api.request("GET", "/jobs/tick"), JobDetailSchema).nextRunTimes.length, 10);
    assert.equal(
      parse(await api.request("GET", "/jobs/tick?next=0"), JobDetailSchema).nextRunTimes.length,
      0,
    );
  });

  it("answers 404 with the envelope for an unknown job, on every job route", async () => {
    for (const [method, url, body] of [
      ["GET", "/jobs/ghost", undefined],
      ["PATCH", "/jobs/ghost", { description: "x" }],
      ["DELETE", "/jobs/ghost", undefined],
      ["POST", "/jobs/ghost/pause", undefined],
      ["POST", "/jobs/ghost/resume", undefined],
      ["POST", "/jobs/ghost/run", undefined],
      ["GET", "/jobs/ghost/runs", undefined],
    ] as const) {
      const res = await api.request(method, url, body);
      assert.equal(res.statusCode, 404, `${method} ${url}`);
      assert.equal(errorOf(res).code, "JOB_NOT_FOUND");
      assert.equal(errorOf(res).message, "No job with ID ghost exists.");
    }
  });

  it("PUT creates (201) or replaces (200), resetting what is left out and keeping the history", async () => {
    const created = await api.request("PUT", "/jobs/put-me", {
      task: "echo",
      trigger: { interval: 10 },
      retry: 3,
    });
    assert.equal(created.statusCode, 201);
    assert.equal(parse(created, JobSchema).policy.retry.attempts, 3);
    await api.request("POST", "/jobs/put-me/run");
    const replaced = await api.request("PUT", "/jobs/put-me", {
      task: "echo",
      trigger: { cron: "*/5 * * * *" },
    });
    assert.equal(replaced.statusCode, 200);
    const job = parse(replaced, JobSchema);
    assert.equal(job.schedule, "every 5 minutes, UTC");
    assert.equal(job.policy.retry.attempts, 1, "left out: back to the default");
    assert.equal(job.activeRuns, 1, "the manual run is still there");
    const bad = await api.request("PUT", "/jobs/put-me", {
      id: "other",
      task: "echo",
      trigger: { interval: 10 },
    });
    assert.equal(bad.statusCode, 400, "the id comes from the URL only");
  });

  it("PATCH changes only what it is given, and validates everything before changing anything", async () => {
    await api.request("POST", "/jobs", {
      id: "patch-me",
      task: "echo",
      trigger: { interval: 60 },
      description: "before",
    });
    const res = await api.request("PATCH", "/jobs/patch-me", {
      retry: 5,
      description: "after",
      args: [1, 2],
    });
    assert.equal(res.statusCode, 200);
    let job = parse(res, JobSchema);
    assert.equal(job.description, "after");
    assert.deepEqual(job.args, [1, 2]);
    assert.equal(job.policy.retry.attempts, 5);
    assert.equal(job.schedule, "every minute");

    const bad = await api.request("PATCH", "/jobs/patch-me", {
      description: "never",
      trigger: { cron: "nope" },
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(errorOf(bad).details?.[0]?.path, "trigger.cron");
    assert.equal(
      (await api.scheduler.getJob("patch-me"))?.description,
      "after",
      "the bad request changed nothing",
    );

    job = parse(
      await api.request("PATCH", "/jobs/patch-me", { trigger: { cron: "0 * * * *" }, paused: true }),
      JobSchema,
    );
    assert.equal(job.schedule, "every hour, UTC");
    assert.equal(job.status, "paused");
    job = parse(await api.request("PATCH", "/jobs/patch-me", { paused: false }), JobSchema);
    assert.equal(job.status, "scheduled");
    assert.equal(job.nextRunAt, "2026-03-02T01:00:00.000Z");

    const task = await api.request("PATCH", "/jobs/patch-me", { task: "greet" });
    assert.equal(task.statusCode, 400, "the current args [1, 2] do not fit greet's schema");
    assert.equal(errorOf(task).details?.[0]?.path, "args");
  });

  it("pauses and resumes idempotently, runs now (202) and deletes (204)", async () => {
    await api.request("POST", "/jobs", { id: "life", task: "echo", trigger: { interval: 60 } });
    const paused = parse(await api.request("POST", "/jobs/life/pause"), JobSchema);
    assert.equal(paused.status, "paused");
    assert.equal(paused.nextRunAt, null);
    const again = parse(await api.request("POST", "/jobs/life/pause"), JobSchema);
    assert.equal(again.version, paused.version, "pausing a paused job changes nothing");
    const resumed = parse(await api.request("POST", "/jobs/life/resume"), JobSchema);
    assert.equal(resumed.status, "scheduled");
    const still = parse(await api.request("POST", "/jobs/life/resume"), JobSchema);
    assert.equal(still.version, resumed.version, "resuming a scheduled job changes nothing");

    const run = await api.request("POST", "/jobs/life/run");
    assert.equal(run.statusCode, 202);
    const info = parse(run, RunSchema);
    assert.equal(info.origin, "manual");
    assert.equal(res(run).location, `/runs/${encodeURIComponent(info.id)}`);

    const del = await api.request("DELETE", "/jobs/life");
    assert.equal(del.statusCode, 204);
    assert.equal(del.body, "");
    assert.equal(await api.scheduler.getJob("life"), null);
  });

  it("accepts an empty JSON body, or none, on action routes, and nothing more", async () => {
    await api.request("POST", "/jobs", { id: "act", task: "echo", trigger: { interval: 60 } });
    assert.equal((await api.request("POST", "/jobs/act/pause", {})).statusCode, 200);
    assert.equal((await api.request("POST", "/jobs/act/resume", "")).statusCode, 200);
    const extra = await api.request("POST", "/jobs/act/pause", { now: true });
    assert.equal(extra.statusCode, 400);
    assert.equal(errorOf(extra).details?.[0]?.path, "now");
  });

  it("applies bulk actions job by job and reports each outcome", async () => {
    for (const id of ["b1", "b2"])
      await api.request("POST", "/jobs", { id, task: "echo", trigger: { interval: 60 } });
    const res = await api.request("POST", "/jobs/bulk", { action: "pause", ids: ["b1", "ghost", "b2"] });
    const { results } = parse(res, BulkJobActionResultSchema);
    assert.deepEqual(
      results.map((r) => [r.id, r.ok, r.error?.code]),
      [
        ["b1", true, undefined],
        ["ghost", false, "JOB_NOT_FOUND"],
        ["b2", true, undefined],
      ],
    );
    assert.equal((await api.scheduler.getJob("b2"))?.status, "paused");
    const del = parse(
      await api.request("POST", "/jobs/bulk", { action: "delete", ids: ["b1", "b2"] }),
      BulkJobActionResultSchema,
    );
    assert.ok(del.results.every((r) => r.ok));
    assert.equal(await api.scheduler.getJob("b1"), null);
  });
});

function res(response: { headers: Record<string, unknown> }): Record<string, unknown> {
  return response.headers;
}

describe("jobs whose task this process does not have", () => {
  it("are listed as missing-task, filterable, and can still be paused and resumed", async () => {
    const { MemoryStore } = await import("../../src/core/stores/memory.js");
    const { Scheduler } = await import("../../src/core/scheduler/scheduler.js");
    const { defineTask } = await import("../../src/core/tasks.js");
    const store = new MemoryStore();
    // Another process, sharing the store, knows a task this one does not.
    const other = new Scheduler({
      store,
      timezone: "UTC",
      tasks: [defineTask("elsewhere", () => undefined)],
    });
    await other.addJob("remote", "elsewhere", { interval: 60 });
    const api = testApi({}, { store });
    try {
      const page = parse(await api.request("GET", "/jobs?status=missing-task"), JobPageSchema);
      assert.deepEqual(
        page.items.map((j) => [j.id, j.status, j.taskRegistered]),
        [["remote", "missing-task", false]],
      );
      assert.equal(parse(await api.request("GET", "/jobs?status=scheduled"), JobPageSchema).items.length, 0);
      await api.request("POST", "/jobs/remote/pause");
      assert.equal((await other.getJob("remote"))?.status, "paused");
      await api.request("POST", "/jobs/remote/resume");
      assert.equal((await other.getJob("remote"))?.status, "scheduled");
    } finally {
      await api.close();
    }
  });
});
