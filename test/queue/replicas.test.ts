/**
 * Scheduler replicas under failure, with real processes: three `cronq scheduler`s and two
 * `cronq worker`s share one Redis while 100 jobs fire every second. One replica is killed with
 * SIGKILL; another is frozen with SIGSTOP past its lease and thawed with SIGCONT, so that it wakes
 * up holding claims and leases that others have taken over. Afterwards every occurrence of the
 * window is in the run ledger exactly once and was executed exactly once.
 *
 * The scenario runs 20 s with the default 5 s lease; this one uses a 2 s lease and an 11 s
 * window, which still covers each phase (before the kill, the takeover of the dead replica's
 * claims, the freeze longer than a lease, the late wake-up, the steady state after) at under half
 * the wall time: the machine running the suite has two cores.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Scheduler } from "../../src/core/scheduler/scheduler.js";
import type { RunRecord } from "../../src/core/jobs/job.js";
import { QueueExecutor } from "../../src/queue/executor.js";
import { RedisStore } from "../../src/stores/redis/index.js";
import { REDIS_URL, adminClient, deleteKeys, redisSkip, testPrefix } from "../stores/redis-helpers.js";
import { ProcessGroup } from "./fixtures/processes.js";
import chaos from "./fixtures/chaos.config.js";
import { checkExactlyOnce, settledRuns, statusesBesidesPauseCancels } from "./fixtures/ledger.js";

const JOBS = 100;
const LEASE_MS = 2000;

describe("scheduler replicas on Redis", { skip: redisSkip }, () => {
  it("fire every occurrence exactly once while one is killed and another frozen past its lease", async (t) => {
    const prefix = testPrefix("replicas");
    const group = new ProcessGroup({ REDIS_URL, CRONQ_PREFIX: prefix, TEST_LEASE: `${LEASE_MS}ms` });
    const store = new RedisStore({ redis: REDIS_URL, prefix });
    const api = new Scheduler({ store, executor: new QueueExecutor({ store }), tasks: chaos.tasks! });
    const admin = adminClient();
    try {
      const replicas = ["r1", "r2", "r3"].map((id) => group.start(id, ["scheduler", "--id", id]));
      const workers = ["w1", "w2"].map((id) => group.start(id, ["worker", "--id", id]));
      await Promise.all(
        [...replicas, ...workers].map((p) => p.waitFor(/^cronq (scheduler|worker) .* started/)),
      );

      const firstRunAt = new Map<string, number>();
      for (let i = 0; i < JOBS; i++) {
        const id = `j${String(i).padStart(3, "0")}`;
        const job = await api.addJob(id, "record", {
          interval: "1s",
          misfireGrace: "60s",
          catchUp: "all",
          overlap: "allow",
        });
        firstRunAt.set(id, job.nextRunAt!.getTime());
      }
      const start = Date.now();
      await sleep(3000);
      replicas[0]!.signal("SIGKILL");
      await sleep(2000);
      replicas[1]!.signal("SIGSTOP");
      await sleep(LEASE_MS + 1500);
      replicas[1]!.signal("SIGCONT");
      await sleep(11_000 - (Date.now() - start));
      const cutoff = Date.now();
      // Stop firing; what was fired before the cutoff finishes, or, not started yet, is cancelled.
      for (const id of firstRunAt.keys()) await api.pauseJob(id);

      const runs: RunRecord[] = await settledRuns(store, cutoff);
      const executed = await admin.lrange(`${prefix}:test:executed`, 0, -1);
      const report = checkExactlyOnce(firstRunAt, 1000, cutoff, runs, executed);
      t.diagnostic(
        `${report.occurrences} occurrences, ${report.executed} executions, lateness p99 ${report.latenessP99} ms`,
      );
      assert.deepEqual(report.problems, []);
      assert.ok(report.occurrences >= JOBS * 8);
      assert.deepEqual(statusesBesidesPauseCancels(runs), new Set(["succeeded"]));
      assert.ok([replicas[1]!, replicas[2]!, ...workers].every((p) => p.alive));
    } finally {
      await group.dispose();
      await store.close();
      await deleteKeys(admin, prefix);
      admin.disconnect();
    }
  });
});
