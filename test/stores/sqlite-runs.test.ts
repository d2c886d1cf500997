/** SQLite store behaviour beyond the shared contract: what it guarantees on top, and its edge cases. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_JOB_POLICY } from "../../src/core/jobs/policies.js";
import type { RunRecord } from "../../src/core/jobs/job.js";
import type { SqliteStore } from "../../src/stores/sqlite/index.js";
import { jobRecord, runRecord } from "../../src/testing/records.js";
import { openTempStore, sqliteSkip } from "./fixtures/sqlite-helpers.js";

const LEASE = 5_000;
const ARGS = { owner: "s1", leaseMs: LEASE };

async function withStore(
  body: (store: SqliteStore) => Promise<void>,
  retention?: { maxRunsPerJob: number; maxAgeMs: number },
) {
  const { store, dispose } = await openTempStore(retention);
  try {
    await body(store);
  } finally {
    await dispose();
  }
}

async function fire(store: SqliteStore, jobId: string, at: number, runs: RunRecord[]): Promise<RunRecord[]> {
  const [job] = await store.claimDueJobs({ now: at, ...ARGS, limit: 1 });
  const [result] = await store.commitFires(
    [{ jobId, claimToken: job!.claim!.token, jobVersion: job!.version, nextRunAt: at + 1000, runs }],
    { now: at, ...ARGS },
  );
  return result!.inserted;
}

async function start(store: SqliteStore, run: RunRecord, now: number): Promise<RunRecord> {
  return (await store.startAttempt(run.id, { now, ...ARGS, token: run.lease!.token }))!;
}

describe("SQLite store: beyond the contract", { skip: sqliteSkip }, () => {
  it("commits a batch of fires in one transaction: a commit that fails writes nothing of the batch", async () => {
    await withStore(async (store) => {
      await store.insertJob(jobRecord("a", { nextRunAt: 1000 }), { replace: false, now: 0 });
      await store.insertJob(jobRecord("b", { nextRunAt: 1000 }), { replace: false, now: 0 });
      const [a, b] = await store.claimDueJobs({ now: 1000, ...ARGS, limit: 2 });
      const bad = runRecord("b", 1000, { status: "exploded" as RunRecord["status"] });
      await assert.rejects(
        store.commitFires(
          [
            {
              jobId: "a",
              claimToken: a!.claim!.token,
              jobVersion: 1,
              nextRunAt: 2000,
              runs: [runRecord("a", 1000)],
            },
            { jobId: "b", claimToken: b!.claim!.token, jobVersion: 1, nextRunAt: 2000, runs: [bad] },
          ],
          { now: 1000, ...ARGS },
        ),
        /CHECK constraint failed/,
      );
      assert.equal(await store.getRun(runRecord("a", 1000).id), null);
      const after = (await store.getJob("a"))!;
      assert.equal(after.nextRunAt, 1000);
      assert.equal(after.claim?.token, a!.claim!.token);
    });
  });

  it("leases a jittered pending run from its due time, not from the commit", async () => {
    await withStore(async (store) => {
      await store.insertJob(jobRecord("a", { nextRunAt: 1000 }), { replace: false, now: 0 });
      const [run] = await fire(store, "a", 1000, [runRecord("a", 1000, { dueAt: 1800 })]);
      assert.equal(run?.lease?.expiresAt, 1800 + LEASE);
      assert.equal((await store.getRun(run.id))?.lease?.expiresAt, 1800 + LEASE);
      assert.deepEqual(
        await store.claimRunsForDispatch({ now: 1000 + LEASE, owner: "s2", leaseMs: LEASE, limit: 9 }),
        [],
      );
    });
  });

  it("hands back the waiting run that a dead executor's last attempt was holding up", async () => {
    await withStore(async (store) => {
      await store.insertJob(jobRecord("a", { nextRunAt: 1000 }), { replace: false, now: 0 });
      const [pending] = await fire(store, "a", 1000, [
        runRecord("a", 1000),
        runRecord("a", 2000, { status: "waiting" }),
      ]);
      await start(store, pending!, 1000);
      const taken = await store.claimRunsForDispatch({
        now: 1000 + LEASE,
        owner: "s2",
        leaseMs: LEASE,
        limit: 10,
      });
      assert.deepEqual(
        taken.map((r) => [r.id, r.status, r.lease?.owner]),
        [[runRecord("a", 2000).id, "pending", "s2"]],
      );
      const dead = (await store.getRun(pending!.id))!;
      assert.equal(dead.status, "failed");
      assert.equal(dead.reason, "interrupted");
      assert.equal(dead.attempts[0]?.outcome, "interrupted");
      assert.equal(dead.error?.code, "LEASE_LOST");
      const job = (await store.getJob("a"))!;
      assert.equal(job.activeRuns, 1);
      assert.equal(job.failureCount, 1);
      assert.equal(job.lastOutcome, "failed");
    });
  });

  it("fills a dispatch batch past the runs it finished as interrupted", async () => {
    await withStore(async (store) => {
      const retry2 = { retry: { ...DEFAULT_JOB_POLICY.retry, attempts: 2 } };
      for (const [id, overrides] of [
        ["a", {}],
        ["b", {}],
        ["c", retry2],
      ] as const) {
        await store.insertJob(jobRecord(id, { nextRunAt: 1000 }), { replace: false, now: 0 });
        const [run] = await fire(store, id, 1000, [runRecord(id, 1000, overrides)]);
        await start(store, run!, 1000);
      }
      const taken = await store.claimRunsForDispatch({
        now: 1000 + LEASE,
        owner: "s2",
        leaseMs: LEASE,
        limit: 1,
      });
      assert.deepEqual(
        taken.map((r) => r.jobId),
        ["c"],
      );
      assert.equal((await store.getRun(runRecord("a", 1000).id))?.status, "failed");
      assert.equal((await store.getRun(runRecord("b", 1000).id))?.status, "failed");
    });
  });

  it("keeps the newest final runs when runs are cancelled, as when they finish", async () => {
    await withStore(async (store) => {
      await store.insertJob(jobRecord("a"), { replace: false, now: 0 });
      for (let at = 1; at <= 5; at++) {
        const run = (await store.insertRun(runRecord("a", at, { origin: "manual" }), {
          now: at,
          ...ARGS,
        })) as RunRecord;
        await store.cancelRun(run.id, { now: at, reason: "user", ...ARGS });
      }
      assert.deepEqual(
        (await store.listRuns({ jobId: "a" })).items.map((r) => [r.scheduledAt, r.status]),
        [
          [5, "cancelled"],
          [4, "cancelled"],
          [3, "cancelled"],
        ],
      );
      assert.equal((await store.getJob("a"))!.activeRuns, 0);
    });
  });

  it("prunes a history larger than one pruning transaction", async () => {
    await withStore(
      async (store) => {
        await store.insertJob(jobRecord("a", { nextRunAt: 1000 }), { replace: false, now: 0 });
        const missed = Array.from({ length: 6_000 }, (_, i) =>
          runRecord("a", i + 1, { status: "missed", reason: "misfire" }),
        );
        assert.equal((await fire(store, "a", 1000, missed)).length, 6_000);
        assert.equal(await store.pruneRuns({ now: 1000 + 1_000_000 }), 6_000);
        assert.deepEqual((await store.listRuns()).items, []);
        // The job's count of final runs went down with them: had it stayed at the limit, retention
        // would delete each new final run at once.
        for (let at = 2000; at <= 6000; at += 1000) {
          await fire(store, "a", at, [runRecord("a", at, { status: "missed", reason: "misfire" })]);
        }
        assert.equal((await store.listRuns({ jobId: "a" })).items.length, 5);
      },
      { maxRunsPerJob: 6_000, maxAgeMs: 1000 },
    );
  });

  it("searches jobs case-insensitively beyond ASCII, and treats LIKE wildcards as text", async () => {
    await withStore(async (store) => {
      await store.insertJob(jobRecord("pay", { description: "Überweisung senden" }), {
        replace: false,
        now: 0,
      });
      await store.insertJob(jobRecord("pct", { description: "100% done" }), { replace: false, now: 0 });
      await store.insertJob(jobRecord("other"), { replace: false, now: 0 });
      const ids = async (search: string) => (await store.listJobs({ search })).items.map((j) => j.id);
      assert.deepEqual(await ids("überweisung"), ["pay"]);
      assert.deepEqual(await ids("%"), ["pct"]);
      assert.deepEqual(await ids("_"), []);
    });
  });

  it("lists runs of several statuses across jobs, page by page", async () => {
    await withStore(async (store) => {
      for (const id of ["a", "b"]) {
        await store.insertJob(jobRecord(id, { nextRunAt: 1000 }), { replace: false, now: 0 });
        await fire(store, id, 1000, [
          runRecord(id, 100, { status: "missed", reason: "misfire" }),
          runRecord(id, 200, { status: "skipped", reason: "overlap" }),
          runRecord(id, 300),
        ]);
      }
      const first = await store.listRuns({ status: ["missed", "pending"], limit: 3 });
      assert.deepEqual(
        first.items.map((r) => r.id),
        [runRecord("b", 300).id, runRecord("a", 300).id, runRecord("b", 100).id],
      );
      const second = await store.listRuns({
        status: ["missed", "pending"],
        limit: 3,
        cursor: first.nextCursor!,
      });
      assert.deepEqual(
        second.items.map((r) => r.id),
        [runRecord("a", 100).id],
      );
      assert.equal(second.nextCursor, null);
    });
  });
});
