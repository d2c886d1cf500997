import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { StoreUnavailableError } from "../../src/core/errors.js";
import { SCHEMA_VERSION, SqliteStore } from "../../src/stores/sqlite/index.js";
import { jobRecord, runRecord } from "../../src/testing/records.js";
import { RETENTION, sqliteSkip, tempDir } from "./fixtures/sqlite-helpers.js";

const LEASE = 5_000;

async function opened(path: string, retention = RETENTION): Promise<SqliteStore> {
  const store = new SqliteStore({ path });
  await store.open({ retention });
  return store;
}

/** Fires job `id` once at `at` with the given runs, as a scheduler would. */
async function fire(store: SqliteStore, id: string, at: number, runs: ReturnType<typeof runRecord>[]) {
  const [job] = await store.claimDueJobs({ now: at, owner: "s1", leaseMs: LEASE, limit: 1 });
  assert.equal(job?.id, id);
  const [result] = await store.commitFires(
    [{ jobId: id, claimToken: job.claim!.token, jobVersion: job.version, nextRunAt: at + 1000, runs }],
    { now: at, owner: "s1", leaseMs: LEASE },
  );
  assert.equal(result?.status, "ok");
  return result;
}

describe("SQLite store: persistence", { skip: sqliteSkip }, () => {
  it("keeps jobs, next run times, run history and counters across close and reopen", async () => {
    const dir = tempDir();
    try {
      const first = await opened(dir.path);
      await first.insertJob(
        jobRecord("a", { nextRunAt: 1000, args: [1, { two: "deux" }], description: "A" }),
        {
          replace: false,
          now: 0,
        },
      );
      await first.insertJob(jobRecord("b", { paused: true }), { replace: false, now: 0 });
      const fired = await fire(first, "a", 1000, [
        runRecord("a", 900, { status: "missed", reason: "misfire" }),
        runRecord("a", 1000),
      ]);
      const pending = fired.inserted.find((r) => r.status === "pending")!;
      const running = await first.startAttempt(pending.id, {
        now: 1010,
        owner: "s1",
        leaseMs: LEASE,
        token: pending.lease!.token,
      });
      await first.finishAttempt(pending.id, {
        now: 1050,
        owner: "s1",
        token: running!.lease!.token,
        outcome: "failed",
        error: { name: "Error", message: "boom" },
        reason: "error",
        retryAt: null,
        leaseMs: LEASE,
      });
      const jobsBefore = await first.listJobs();
      const runsBefore = await first.listRuns();
      const countsBefore = await first.countJobs();
      const lastToken = running!.lease!.token;
      await first.close();

      const second = await opened(dir.path);
      try {
        assert.deepEqual(await second.listJobs(), jobsBefore);
        assert.deepEqual(await second.listRuns(), runsBefore);
        assert.deepEqual(await second.countJobs(), countsBefore);
        const a = (await second.getJob("a"))!;
        assert.equal(a.nextRunAt, 2000);
        assert.deepEqual(a.args, [1, { two: "deux" }]);
        assert.equal(a.missedCount, 1);
        assert.equal(a.runCount, 1);
        assert.equal(a.failureCount, 1);
        assert.deepEqual(a.lastError, { name: "Error", message: "boom" });
        assert.equal(await second.nextWakeAt(), 2000);
        // The fencing sequence lives in the file: tokens keep growing across restarts.
        const [again] = await second.claimDueJobs({ now: 2000, owner: "s2", leaseMs: LEASE, limit: 1 });
        assert.ok(again!.claim!.token > lastToken);
      } finally {
        await second.close();
      }
    } finally {
      dir.remove();
    }
  });

  it("creates the schema once, in WAL mode, and records its version", async () => {
    const dir = tempDir();
    try {
      const a = await opened(dir.path);
      const b = await opened(dir.path);
      await a.close();
      await b.close();
      const db = new Database(dir.path);
      try {
        assert.deepEqual(
          db.prepare("SELECT version FROM cronq_schema ORDER BY version").pluck().all(),
          Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1),
        );
        assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
      } finally {
        db.close();
      }
    } finally {
      dir.remove();
    }
  });

  it("refuses a file written by a newer schema version, and leaves it untouched", async () => {
    const dir = tempDir();
    try {
      const store = await opened(dir.path);
      await store.insertJob(jobRecord("a"), { replace: false, now: 0 });
      await store.close();
      const db = new Database(dir.path);
      db.prepare("INSERT INTO cronq_schema (version, description) VALUES (?, 'from the future')").run(
        SCHEMA_VERSION + 1,
      );
      db.close();

      const newer = new SqliteStore({ path: dir.path });
      await assert.rejects(newer.open({ retention: RETENTION }), (error: unknown) => {
        assert.ok(error instanceof StoreUnavailableError);
        assert.match(
          error.message,
          new RegExp(
            `schema version ${SCHEMA_VERSION + 1}, written by a newer cronq; .*up to ${SCHEMA_VERSION}`,
          ),
        );
        return true;
      });
      await assert.rejects(newer.getJob("a"), StoreUnavailableError);
      const check = new Database(dir.path, { readonly: true });
      assert.equal(check.prepare("SELECT count(*) FROM cronq_jobs").pluck().get(), 1);
      check.close();
    } finally {
      dir.remove();
    }
  });

  it("applies a lower retention from the next open when runs finish and when pruning", async () => {
    const dir = tempDir();
    try {
      const wide = await opened(dir.path, { maxRunsPerJob: 10, maxAgeMs: 30 * 86_400_000 });
      await wide.insertJob(jobRecord("a", { nextRunAt: 1000 }), { replace: false, now: 0 });
      await wide.insertJob(jobRecord("b", { nextRunAt: 1000 }), { replace: false, now: 0 });
      for (let i = 0; i < 6; i++) {
        const at = 1000 * (i + 1);
        await fire(wide, "a", at, [runRecord("a", at, { status: "skipped", reason: "overlap" })]);
        await fire(wide, "b", at, [runRecord("b", at, { status: "skipped", reason: "overlap" })]);
      }
      await wide.close();

      const narrow = await opened(dir.path, { maxRunsPerJob: 2, maxAgeMs: 30 * 86_400_000 });
      try {
        assert.equal((await narrow.listRuns({ jobId: "a" })).items.length, 6);
        // A finishing run trims its own job at once...
        await fire(narrow, "a", 7000, [runRecord("a", 7000, { status: "skipped", reason: "overlap" })]);
        assert.deepEqual(
          (await narrow.listRuns({ jobId: "a" })).items.map((r) => r.scheduledAt),
          [7000, 6000],
        );
        // ...and pruneRuns trims the others.
        assert.equal(await narrow.pruneRuns({ now: 7000 }), 4);
        assert.deepEqual(
          (await narrow.listRuns({ jobId: "b" })).items.map((r) => r.scheduledAt),
          [6000, 5000],
        );
        assert.equal((await narrow.getJob("a"))!.skippedCount, 7);
      } finally {
        await narrow.close();
      }
    } finally {
      dir.remove();
    }
  });

  it("opens again after close on the same object", async () => {
    const dir = tempDir();
    try {
      const store = await opened(dir.path);
      await store.insertJob(jobRecord("a"), { replace: false, now: 0 });
      await store.close();
      await store.open({ retention: RETENTION });
      assert.equal((await store.getJob("a"))?.id, "a");
      await store.close();
    } finally {
      dir.remove();
    }
  });
});
