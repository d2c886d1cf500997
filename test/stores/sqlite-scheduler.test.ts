/** The scheduler on a SQLite file, on a fake clock: what a user of `cronq start` relies on. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock } from "../../src/core/clock/fake-clock.js";
import { Scheduler } from "../../src/core/scheduler/scheduler.js";
import { defineTask, type TaskContext } from "../../src/core/tasks.js";
import { SqliteStore } from "../../src/stores/sqlite/index.js";
import { sqliteSkip, tempDir } from "./fixtures/sqlite-helpers.js";

const T0 = Date.parse("2026-03-02T00:00:00.000Z");

describe("Scheduler on a SQLite file", { skip: sqliteSkip }, () => {
  it("keeps jobs and history across a restart and applies catch-up latest to the downtime", async () => {
    const dir = tempDir();
    const clock = new FakeClock(T0 + 1000);
    const calls: string[] = [];
    const task = defineTask("hourly", (ctx: TaskContext) => void calls.push(ctx.runId));
    try {
      const first = new SqliteStore({ path: dir.path });
      // Polling for other processes' changes every 10 min keeps the fake 90 minutes cheap.
      const options = { clock, timezone: "UTC", tasks: [task], pollInterval: "10m" };
      const before = new Scheduler({ ...options, store: first });
      await before.addJob("hourly", task, { cron: "0 * * * *", catchUp: "latest", overlap: "allow" });
      await before.start();
      await clock.advance("90m");
      await before.stop();
      await first.close();
      assert.deepEqual(calls, ["hourly@2026-03-02T01:00:00.000Z"]);

      await clock.advance("24h");
      // A new store object on the same file: what a restarted process has.
      const second = new SqliteStore({ path: dir.path });
      const after = new Scheduler({ ...options, store: second });
      await after.start();
      await clock.flush();
      const job = await after.getJob("hourly");
      assert.equal(job?.runCount, 2);
      assert.equal(job?.missedCount, 23);
      assert.equal(job?.nextRunAt?.toISOString(), "2026-03-03T02:00:00.000Z");
      assert.deepEqual(calls, ["hourly@2026-03-02T01:00:00.000Z", "hourly@2026-03-03T01:00:00.000Z"]);
      const runs = await after.listRuns({ jobId: "hourly", limit: 100 });
      // The oldest missed occurrences are coalesced into one record (MAX_MISSED_RECORDS).
      const missed = runs.items.filter((r) => r.status === "missed");
      assert.equal(
        missed.reduce((n, r) => n + (r.coalesced?.count ?? 1), 0),
        23,
      );
      assert.equal(runs.items.filter((r) => r.status === "succeeded").length, 2);
      assert.equal(runs.items[0]?.status, "succeeded");
      await after.stop();
      await second.close();
    } finally {
      dir.remove();
    }
  });

  it("fires each occurrence once when two schedulers share the file", async () => {
    const dir = tempDir();
    const clock = new FakeClock(T0);
    const calls: string[] = [];
    const task = defineTask("tick", (ctx: TaskContext) => void calls.push(ctx.runId));
    const stores = [new SqliteStore({ path: dir.path }), new SqliteStore({ path: dir.path })];
    const schedulers = stores.map(
      (store, i) => new Scheduler({ clock, store, timezone: "UTC", tasks: [task], id: `replica-${i}` }),
    );
    try {
      await schedulers[0]!.addJob("tick", task, { interval: 1 });
      for (const s of schedulers) await s.start();
      await clock.advance("10s");
      for (const s of schedulers) await s.stop();
      assert.deepEqual(
        calls.slice().sort(),
        Array.from({ length: 10 }, (_, i) => `tick@${new Date(T0 + (i + 1) * 1000).toISOString()}`),
      );
      const job = await stores[1]!.getJob("tick");
      assert.equal(job?.runCount, 10);
    } finally {
      for (const store of stores) await store.close();
      dir.remove();
    }
  });

  it("does not fire a job that another process paused after this one planned it", async () => {
    const dir = tempDir();
    const clock = new FakeClock(T0);
    const calls: string[] = [];
    const task = defineTask("tick", (ctx: TaskContext) => void calls.push(ctx.runId));
    const stores = [new SqliteStore({ path: dir.path }), new SqliteStore({ path: dir.path })];
    const [firing, managing] = stores.map(
      (store, i) => new Scheduler({ clock, store, timezone: "UTC", tasks: [task], id: `process-${i}` }),
    );
    try {
      await firing!.addJob("tick", task, { interval: 1 });
      await firing!.start();
      // Planned shortly before its due instant (T0 + 1 s): claimed by the firing process.
      await clock.advance(990);
      assert.equal((await stores[1]!.getJob("tick"))?.claim?.owner, "process-0");
      await managing!.pauseJob("tick");
      await clock.advance(10);
      await firing!.onIdle();
      assert.deepEqual(calls, []);
      assert.equal((await firing!.listRuns({ jobId: "tick" })).items.length, 0);
      await managing!.resumeJob("tick");
      await clock.advance(1000);
      await firing!.onIdle();
      assert.deepEqual(calls, [`tick@${new Date(T0 + 2000).toISOString()}`]);
      await firing!.stop();
    } finally {
      for (const store of stores) await store.close();
      dir.remove();
    }
  });
});
