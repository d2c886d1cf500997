/** The Redis store beyond the shared contract: options, leases on Redis's clock, replays, outages, prefixes. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidOptionError, LeaseLostError, StoreUnavailableError } from "../../src/core/errors.js";
import { RedisStore } from "../../src/stores/redis/index.js";
import type { RunRecord } from "../../src/core/jobs/job.js";
import type { FinishAttemptArgs } from "../../src/core/stores/store.js";
import type { RedisStoreOptions } from "../../src/stores/redis/index.js";
import { jobRecord, runRecord } from "../../src/testing/records.js";
import { freePort } from "../queue/fixtures/processes.js";
import { REDIS_URL, adminClient, deleteKeys, redisSkip, testPrefix } from "./redis-helpers.js";

const LEASE = 5000;

async function withStore(
  options: Partial<RedisStoreOptions>,
  body: (store: RedisStore, prefix: string) => Promise<void>,
): Promise<void> {
  const prefix = testPrefix("store");
  const store = new RedisStore({ redis: REDIS_URL, prefix, ...options });
  await store.open();
  try {
    await body(store, prefix);
  } finally {
    await store.close();
    const admin = adminClient();
    await deleteKeys(admin, prefix);
    admin.disconnect();
  }
}

/** A job and a manual run of it, `pending` and leased to `owner`. */
async function manualRun(store: RedisStore, jobId: string, owner: string): Promise<RunRecord> {
  await store.insertJob(jobRecord(jobId), { replace: false, now: 0 });
  const run = await store.insertRun(runRecord(jobId, 100, { origin: "manual" }), {
    now: 100,
    owner,
    leaseMs: LEASE,
  });
  assert.ok(run);
  return run;
}

/** How a successful attempt ends. */
const SUCCEEDED = { outcome: "succeeded", error: null, reason: null, retryAt: null } as const;

describe("Redis store options", () => {
  it("rejects bad options with an error naming the field", () => {
    const bad: Array<[RedisStoreOptions, string]> = [
      [{ prefix: "a*b" }, "prefix"],
      [{ prefix: "" }, "prefix"],
      [{ redis: "http://127.0.0.1:6379" }, "redis"],
      [{ leaseClock: "wall" as never }, "leaseClock"],
      [{ offlineTimeout: "soon" }, "offlineTimeout"],
      [{ prefx: "x" } as never, "prefx"],
    ];
    for (const [options, field] of bad) {
      assert.throws(
        () => new RedisStore(options),
        (error: unknown) => error instanceof InvalidOptionError && error.field === field,
        field,
      );
    }
  });

  it("never shows the password of its URL", () => {
    const store = new RedisStore({ redis: "redis://:s3cret@example.com:6380/2" });
    assert.ok(!store.where.includes("s3cret"));
    assert.match(store.where, /example\.com:6380/);
  });
});

describe("Redis store behaviour", { skip: redisSkip }, () => {
  it("measures claims on Redis's clock: a replica whose clock runs an hour ahead cannot take a live claim", async () => {
    await withStore({ leaseClock: "redis" }, async (store) => {
      await store.insertJob(jobRecord("a", { nextRunAt: 1000 }), { replace: false, now: 0 });
      const [claimed] = await store.claimDueJobs({ now: Date.now(), owner: "s1", leaseMs: LEASE, limit: 1 });
      assert.ok(Math.abs(claimed!.claim!.expiresAt - (Date.now() + LEASE)) < 2000);
      const ahead = Date.now() + 3_600_000;
      assert.deepEqual(await store.claimDueJobs({ now: ahead, owner: "s2", leaseMs: LEASE, limit: 1 }), []);
      assert.deepEqual(
        await store.claimRunsForDispatch({ now: ahead, owner: "s2", leaseMs: LEASE, limit: 1 }),
        [],
      );
    });
  });

  it("answers a replayed commit, start and finish (a command re-sent after a reconnection) as the first time", async () => {
    await withStore({ leaseClock: "caller" }, async (store) => {
      await store.insertJob(jobRecord("a", { nextRunAt: 1000 }), { replace: false, now: 0 });
      const [job] = await store.claimDueJobs({ now: 1000, owner: "s1", leaseMs: LEASE, limit: 1 });
      const commit = {
        jobId: "a",
        claimToken: job!.claim!.token,
        jobVersion: 1,
        nextRunAt: 2000,
        runs: [runRecord("a", 1000)],
      };
      const [first] = await store.commitFires([commit], { now: 1000, owner: "s1", leaseMs: LEASE });
      const token = first!.inserted[0]!.lease!.token;
      const [again] = await store.commitFires([{ ...commit, runs: [runRecord("a", 1000)] }], {
        now: 1000,
        owner: "s1",
        leaseMs: LEASE,
      });
      assert.equal(again!.status, "ok");
      assert.equal(again!.inserted[0]!.lease!.token, token);
      const args = { now: 1100, owner: "w1", leaseMs: LEASE, token };
      const started = await store.startAttempt(runRecord("a", 1000).id, args);
      const restarted = await store.startAttempt(runRecord("a", 1000).id, args);
      assert.deepEqual(restarted, started);
      const finish = {
        now: 1200,
        owner: "w1",
        token: started!.lease!.token,
        outcome: "succeeded" as const,
        error: null,
        reason: null,
        retryAt: null,
        leaseMs: LEASE,
      };
      const done = await store.finishAttempt(started!.id, finish);
      const redone = await store.finishAttempt(started!.id, finish);
      assert.deepEqual(redone?.run, done?.run);
      assert.equal((await store.getJob("a"))?.runCount, 1);
    });
  });

  it("groups the starts and ends asked for meanwhile into one script call each; a stale token fails alone", async () => {
    await withStore({ leaseClock: "caller" }, async (store) => {
      const args = { owner: "w1", leaseMs: LEASE };
      const pending = [];
      for (let i = 0; i < 30; i++) pending.push(await manualRun(store, `j${i}`, "w1"));
      // Count the scripts the store sends from here on.
      const client = store.client;
      const evalsha = client.evalsha.bind(client);
      let scriptCalls = 0;
      client.evalsha = ((...argv: Parameters<typeof evalsha>) => {
        scriptCalls++;
        return evalsha(...argv);
      }) as typeof client.evalsha;
      const results = await Promise.allSettled(
        pending.map((run, i) =>
          store.startAttempt(run.id, {
            now: 200,
            ...args,
            token: i === 7 ? run.lease!.token + 1000 : run.lease!.token,
          }),
        ),
      );
      assert.equal(scriptCalls, 1);
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 29);
      const stale = results[7]!;
      assert.ok(stale.status === "rejected" && stale.reason instanceof LeaseLostError);
      assert.equal((await store.getRun(pending[7]!.id))?.status, "pending");
      const started = results.flatMap((r) => (r.status === "fulfilled" && r.value ? [r.value] : []));
      scriptCalls = 0;
      const finished = await Promise.all(
        started.map((run, i) =>
          store.finishAttempt(run.id, {
            now: 300,
            ...args,
            token: run.lease!.token,
            outcome: i === 0 ? "failed" : "succeeded",
            error: i === 0 ? { name: "Error", message: "boom" } : null,
            reason: null,
            retryAt: null,
          }),
        ),
      );
      assert.equal(scriptCalls, 1);
      assert.deepEqual(
        finished.map((result) => result?.run.status),
        started.map((_, i) => (i === 0 ? "failed" : "succeeded")),
      );
      assert.equal(finished[0]?.run.error?.message, "boom");
      assert.equal((await store.getJob(started[1]!.jobId))?.runCount, 1);
      client.evalsha = evalsha;
    });
  });

  it("answers a start and a finish from the caller's records exactly as it reads the run back", async () => {
    await withStore({ leaseClock: "caller" }, async (store) => {
      const owner = "w1";
      const cases: Array<{
        job: string;
        end: Omit<FinishAttemptArgs, "now" | "owner" | "leaseMs" | "token">;
      }> = [
        { job: "ok", end: { outcome: "succeeded", error: null, reason: null, retryAt: null } },
        {
          job: "failed",
          end: {
            outcome: "failed",
            error: { name: "Error", message: "boom", code: "E1" },
            reason: "error",
            retryAt: null,
          },
        },
        {
          job: "retry",
          end: {
            outcome: "failed",
            error: { name: "Error", message: "again" },
            reason: "error",
            retryAt: 9_000,
          },
        },
        {
          job: "late",
          end: {
            outcome: "timed-out",
            error: { name: "TimeoutError", message: "late" },
            reason: "timeout",
            retryAt: null,
          },
        },
        { job: "stop", end: { outcome: "cancelled", error: null, reason: "shutdown", retryAt: null } },
      ];
      for (const { job, end } of cases) {
        const run = await manualRun(store, job, owner);
        // Started from the record as fired: the same as the run read back.
        const started = await store.startAttempt(run.id, {
          now: 200,
          owner,
          leaseMs: LEASE,
          token: run.lease!.token,
          record: run,
        });
        assert.deepEqual(started, await store.getRun(run.id), job);
        assert.ok(started);
        const args = { ...end, now: 450, owner, leaseMs: LEASE, token: started.lease!.token };
        const done = await store.finishAttempt(run.id, { ...args, record: started });
        assert.deepEqual(done?.run, await store.getRun(run.id), job);
        // The caller's record is left as it was.
        assert.equal(started.status, "running");
        assert.equal(started.attempts[0]!.endedAt, null);
        // A re-sent finish (after a reconnection) reads the run back: the same answer.
        const again = await store.finishAttempt(run.id, { ...args, record: started });
        assert.deepEqual(again?.run, done?.run, job);
        if (end.retryAt !== null) {
          // The retry's attempt, started and finished the same way.
          // The record as fired says nothing of the first attempt: the run is read back.
          const second = await store.startAttempt(run.id, {
            now: 9_100,
            owner,
            leaseMs: LEASE,
            token: null,
            record: run,
          });
          assert.deepEqual(second, await store.getRun(run.id));
          assert.ok(second);
          const last = await store.finishAttempt(run.id, {
            ...SUCCEEDED,
            now: 9_200,
            owner,
            leaseMs: LEASE,
            token: second.lease!.token,
            record: second,
          });
          assert.deepEqual(last?.run, await store.getRun(run.id));
          assert.equal(last?.run.attempts.length, 2);
        }
      }
      // A queued run (dispatched, no lease), started by a worker from the record the queue carried.
      const queued = await manualRun(store, "queued", "s1");
      assert.deepEqual(await store.markDispatched([queued.id], { now: 150, owner: "s1" }), []);
      const fromQueue = await store.startAttempt(queued.id, {
        now: 200,
        owner,
        leaseMs: LEASE,
        token: null,
        record: { ...queued, lease: null },
      });
      assert.deepEqual(fromQueue, await store.getRun(queued.id));
      assert.equal((await store.getJob("queued"))?.lastRunStartedAt, 200);
      // A record of another attempt (a stale token) is not used: the finish is refused as before.
      const run = await manualRun(store, "stale", owner);
      const started = await store.startAttempt(run.id, {
        now: 200,
        owner,
        leaseMs: LEASE,
        token: run.lease!.token,
      });
      assert.ok(started);
      await assert.rejects(
        store.finishAttempt(run.id, {
          ...SUCCEEDED,
          now: 300,
          owner,
          leaseMs: LEASE,
          token: started.lease!.token + 1,
          record: started,
        }),
        LeaseLostError,
      );
    });
  });

  it("keeps deployments with different prefixes apart, and every key under its prefix", async () => {
    await withStore({}, async (one, prefix) => {
      const other = new RedisStore({ redis: REDIS_URL, prefix: `${prefix}-other` });
      try {
        await one.insertJob(jobRecord("same", { taskName: "one" }), { replace: false, now: 0 });
        await other.insertJob(jobRecord("same", { taskName: "other" }), { replace: false, now: 0 });
        assert.equal((await one.getJob("same"))?.taskName, "one");
        assert.equal((await other.getJob("same"))?.taskName, "other");
        const admin = adminClient();
        const keys = await admin.keys(`${prefix}*`);
        await deleteKeys(admin, `${prefix}-other`);
        admin.disconnect();
        assert.ok(keys.every((k) => k.startsWith(`${prefix}:`) || k.startsWith(`${prefix}-other:`)));
      } finally {
        await other.close();
      }
    });
  });

  it("opens itself on first use, as a scheduler adds jobs before start()", async () => {
    const prefix = testPrefix("lazy");
    const store = new RedisStore({ redis: REDIS_URL, prefix });
    try {
      await store.insertJob(jobRecord("a"), { replace: false, now: 0 });
      assert.equal((await store.getJob("a"))?.id, "a");
    } finally {
      await store.close();
      const admin = adminClient();
      await deleteKeys(admin, prefix);
      admin.disconnect();
    }
    await assert.rejects(store.getJob("a"), StoreUnavailableError);
  });
});

describe("Redis store without Redis", () => {
  it("fails an operation after offlineTimeout with StoreUnavailableError, and reports the outage", async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const store = new RedisStore({ redis: url, offlineTimeout: "200ms" });
    const down = store.events.once("redis:down");
    try {
      await assert.rejects(store.open(), StoreUnavailableError);
      await assert.rejects(store.getJob("a"), (error: unknown) => {
        assert.ok(error instanceof StoreUnavailableError);
        assert.match(error.message, /not reachable \(waited 200 ms/);
        return true;
      });
      await assert.rejects(store.ping(), StoreUnavailableError);
      assert.match((await down).connection, /127\.0\.0\.1/);
    } finally {
      await store.close();
    }
  });
});
