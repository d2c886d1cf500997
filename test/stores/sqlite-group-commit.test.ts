/** The SQLite store writes the starts and finishes of runs asked for in the same turn in one transaction. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LeaseLostError } from "../../src/core/errors.js";
import { jobRecord, runRecord } from "../../src/testing/records.js";
import { openTempStore, sqliteSkip } from "./fixtures/sqlite-helpers.js";

const ARGS = { owner: "s1", leaseMs: 5_000 };

describe("SQLite store: group commit of run starts and finishes", { skip: sqliteSkip }, () => {
  it("starts a whole batch at once, and a stale token fails alone", async () => {
    const { store, dispose } = await openTempStore();
    try {
      const ids = Array.from({ length: 50 }, (_, i) => `j${i}`);
      for (const id of ids) await store.insertJob(jobRecord(id), { replace: false, now: 0 });
      const pending = [];
      for (const id of ids) {
        const run = await store.insertRun(runRecord(id, 100, { origin: "manual" }), { now: 100, ...ARGS });
        assert.ok(run);
        pending.push(run);
      }
      // All asked for in one turn: one transaction; run 7 carries a stale token.
      const results = await Promise.allSettled(
        pending.map((run, i) =>
          store.startAttempt(run.id, {
            now: 200,
            ...ARGS,
            token: i === 7 ? run.lease!.token - 1 : run.lease!.token,
          }),
        ),
      );
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 49);
      const failed = results[7]!;
      assert.ok(failed.status === "rejected" && failed.reason instanceof LeaseLostError);
      assert.equal((await store.getRun(pending[7]!.id))?.status, "pending");
      const started = results.flatMap((r) => (r.status === "fulfilled" && r.value ? [r.value] : []));
      const finished = await Promise.all(
        started.map((run) =>
          store.finishAttempt(run.id, {
            now: 300,
            owner: "s1",
            token: run.lease!.token,
            outcome: "succeeded",
            error: null,
            reason: null,
            retryAt: null,
            leaseMs: 5_000,
          }),
        ),
      );
      assert.equal(finished.filter((f) => f?.run.status === "succeeded").length, 49);
      const tokens = started.map((run) => run.lease!.token);
      assert.equal(new Set(tokens).size, tokens.length, "every lease got its own fencing token");
      assert.equal((await store.countJobs()).running, 1);
    } finally {
      await dispose();
    }
  });
});
