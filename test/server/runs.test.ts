import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { RunPageSchema, RunSchema, type RunPage } from "../../src/server/schemas/runs.js";
import { errorOf, parse, testApi } from "./helpers.js";

describe("runs", () => {
  const api = testApi();
  before(async () => {
    await api.request("POST", "/jobs", { id: "ok", task: "echo", trigger: { interval: 1 } });
    await api.request("POST", "/jobs", { id: "bad", task: "fail", trigger: { interval: 2 } });
    await api.scheduler.start();
    await api.clock.advance(6000);
  });
  after(() => api.close());

  it("lists every job's runs newest first, a page at a time", async () => {
    const all = parse(await api.request("GET", "/runs?limit=1000"), RunPageSchema);
    assert.equal(all.items.length, 9, "6 of ok, 3 of bad");
    const times = all.items.map((r) => r.scheduledAt);
    assert.deepEqual(times, [...times].sort().reverse());

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/runs?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const page: RunPage = parse(await api.request("GET", url), RunPageSchema);
      seen.push(...page.items.map((r) => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(
      seen,
      all.items.map((r) => r.id),
    );
  });

  it("filters by job, outcome and time range", async () => {
    const failed = parse(await api.request("GET", "/runs?status=failed"), RunPageSchema);
    assert.deepEqual(
      failed.items.map((r) => r.jobId),
      ["bad", "bad", "bad"],
    );
    assert.ok(failed.items.every((r) => r.error?.message === "boom" && r.error.stack === undefined));
    const ranged = parse(
      await api.request("GET", "/runs?job=ok&from=2026-03-02T00:00:02Z&to=2026-03-02T00:00:04Z"),
      RunPageSchema,
    );
    assert.deepEqual(
      ranged.items.map((r) => r.id),
      ["ok@2026-03-02T00:00:03.000Z", "ok@2026-03-02T00:00:02.000Z"],
    );
    const perJob = parse(
      await api.request("GET", "/jobs/ok/runs?status=succeeded,failed&limit=2"),
      RunPageSchema,
    );
    assert.deepEqual(
      perJob.items.map((r) => r.scheduledAt),
      ["2026-03-02T00:00:06.000Z", "2026-03-02T00:00:05.000Z"],
    );
    assert.ok(perJob.nextCursor);
  });

  it("rejects a time range that is not ISO 8601 with an offset", async () => {
    const res = await api.request("GET", "/runs?from=yesterday");
    assert.equal(res.statusCode, 400);
    assert.equal(errorOf(res).details?.[0]?.path, "from");
  });

  it("shows one run with its attempts and the task's stack", async () => {
    const res = await api.request("GET", `/runs/${encodeURIComponent("bad@2026-03-02T00:00:02.000Z")}`);
    const run = parse(res, RunSchema);
    assert.equal(run.status, "failed");
    assert.equal(run.reason, "error");
    assert.equal(run.attempts.length, 1);
    assert.equal(run.attempts[0]!.outcome, "failed");
    assert.equal(run.attempts[0]!.worker, api.scheduler.id);
    assert.match(run.error?.stack ?? "", /boom/);
    const missing = await api.request("GET", "/runs/nothing@2026-03-02T00:00:02.000Z");
    assert.equal(missing.statusCode, 404);
    assert.equal(errorOf(missing).code, "RUN_NOT_FOUND");
  });

  it("cancels a live run and returns a final one unchanged", async () => {
    api.scheduler.pause();
    const fired = parse(await api.request("POST", "/jobs/ok/run"), RunSchema);
    // A paused scheduler still executes manual runs. The id of "now" was taken by the scheduled
    // occurrence, so the manual run is 1 ms later: let the clock get there.
    await api.clock.advance(10);
    const done = parse(await api.request("POST", `/runs/${encodeURIComponent(fired.id)}/cancel`), RunSchema);
    assert.equal(done.status, "succeeded", "already finished: unchanged");
    api.scheduler.resume();
    const gone = await api.request("POST", "/runs/nothing@2026-03-02T00:00:02.000Z/cancel");
    assert.equal(gone.statusCode, 404);
  });
});

describe("cancelling a run that waits", () => {
  it("records it as cancelled by the user", async () => {
    const api = testApi();
    try {
      await api.request("POST", "/jobs", { id: "later", task: "echo", trigger: { interval: 60 } });
      // Before start(), a manual run is recorded and waits for the scheduler.
      const run = parse(await api.request("POST", "/jobs/later/run"), RunSchema);
      assert.equal(run.status, "pending");
      const cancelled = parse(
        await api.request("POST", `/runs/${encodeURIComponent(run.id)}/cancel`),
        RunSchema,
      );
      assert.equal(cancelled.status, "cancelled");
      assert.equal(cancelled.reason, "user");
    } finally {
      await api.close();
    }
  });
});
