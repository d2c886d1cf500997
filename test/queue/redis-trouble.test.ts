/**
 * Redis trouble during firing, with real processes (`cronq scheduler`, `cronq worker`) on a private
 * `redis-server` (AOF, fsync always) that the test restarts, then pauses with CLIENT PAUSE. The
 * processes keep running, report the outage, reconnect, and apply the catch-up policy to what came
 * due meanwhile: every occurrence of the window is in the ledger once (run, or missed with reason
 * `catch-up`), nothing ran twice, nobody crashed.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { Scheduler } from "../../src/core/scheduler/scheduler.js";
import { QueueExecutor } from "../../src/queue/executor.js";
import { RedisStore } from "../../src/stores/redis/index.js";
import { redisSkip, testPrefix } from "../stores/redis-helpers.js";
import { PrivateRedis, ProcessGroup, freePort } from "./fixtures/processes.js";
import chaos from "./fixtures/chaos.config.js";
import { checkExactlyOnce, settledRuns, statusesBesidesPauseCancels } from "./fixtures/ledger.js";

const JOBS = 20;
const OUTAGE_MS = 3000;

describe("Redis trouble during firing", { skip: redisSkip }, () => {
  it("survives a restart and a CLIENT PAUSE: nothing duplicated, the catch-up policy applied", async (t) => {
    const redis = new PrivateRedis(await freePort());
    await redis.start();
    const prefix = testPrefix("trouble");
    // Leases outlast the outages: a run in flight when Redis goes away is recorded by its worker
    // afterwards. (With a lease shorter than the outage, a replica may find the lease expired
    // before the worker's late finish arrives and record the run as interrupted: that takeover
    // has tests of its own, with killed workers.)
    const group = new ProcessGroup({
      REDIS_URL: redis.url,
      CRONQ_PREFIX: prefix,
      TEST_LEASE: `${(2 * OUTAGE_MS) / 1000}s`,
    });
    // The test's own view of the store waits out the outage too.
    const store = new RedisStore({ redis: redis.url, prefix, offlineTimeout: null });
    const api = new Scheduler({ store, executor: new QueueExecutor({ store }), tasks: chaos.tasks! });
    try {
      const replica = group.start("r1", ["scheduler", "--id", "r1"]);
      const worker = group.start("w1", ["worker", "--id", "w1"]);
      await Promise.all([replica, worker].map((p) => p.waitFor(/^cronq (scheduler|worker) .* started/)));
      const firstRunAt = new Map<string, number>();
      for (let i = 0; i < JOBS; i++) {
        const job = await api.addJob(`j${i}`, "record", {
          interval: "1s",
          catchUp: "latest",
          overlap: "allow",
        });
        firstRunAt.set(`j${i}`, job.nextRunAt!.getTime());
      }
      await sleep(2500);

      // 1. Redis restarts (its AOF keeps everything) after an outage of a few occurrences.
      await redis.stop();
      await sleep(OUTAGE_MS);
      await redis.start();
      await replica.waitFor(/^Redis is back/);
      await sleep(2500);

      // 2. Redis stops answering every client for a while, connections open.
      const admin = new Redis(redis.url);
      await admin.call("CLIENT", "PAUSE", String(OUTAGE_MS), "ALL");
      admin.disconnect();
      await sleep(OUTAGE_MS + 2500);

      const cutoff = Date.now();
      for (const id of firstRunAt.keys()) await api.pauseJob(id);
      const runs = await settledRuns(store, cutoff);
      const check = new Redis(redis.url);
      const executed = await check.lrange(`${prefix}:test:executed`, 0, -1);
      check.disconnect();
      const report = checkExactlyOnce(firstRunAt, 1000, cutoff, runs, executed);
      const missed = runs.filter((r) => r.status === "missed");
      t.diagnostic(
        `${report.occurrences} occurrences: ${executed.length} executed, ${missed.length} missed (catch-up latest)`,
      );
      assert.deepEqual(report.problems, []);
      assert.ok(missed.length > 0, "the restart's outage made occurrences late");
      assert.deepEqual(new Set(missed.map((r) => r.reason)), new Set(["catch-up"]));
      assert.deepEqual(statusesBesidesPauseCancels(runs), new Set(["succeeded", "missed"]));
      assert.ok(replica.lines.some((l) => /^Redis connection lost/.test(l.msg)));
      assert.ok(replica.alive && worker.alive, `crashed: ${replica.stderr}${worker.stderr}`);
    } finally {
      await group.dispose();
      await store.close();
      await redis.dispose();
    }
  });
});
