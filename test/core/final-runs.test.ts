import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { RunRecord } from "../../src/core/jobs/job.js";
import { FinalRuns } from "../../src/core/stores/final-runs.js";
import { runRecord } from "../../src/testing/records.js";

/** A run that ran once and succeeded, as the memory store records it. */
function ranOnce(at: number, overrides: Partial<RunRecord> = {}): RunRecord {
  const run = runRecord("job", at, {
    status: "succeeded",
    startedAt: at + 5,
    endedAt: at + 25,
    durationMs: 20,
    worker: "s1",
    ...overrides,
  });
  run.attempts = [
    {
      attempt: 1,
      startedAt: run.startedAt!,
      endedAt: run.endedAt,
      durationMs: run.durationMs,
      outcome: "succeeded",
      error: null,
      worker: "s1",
    },
  ];
  return run;
}

describe("FinalRuns", () => {
  it("rebuilds an occurrence id from the job and the time, and keeps any other id as it was", () => {
    const finals = new FinalRuns("job", 10);
    const derived = ranOnce(1_764_255_600_123);
    const other = ranOnce(1_764_255_601_000, { id: "job@imported-7" });
    finals.push(derived);
    finals.push(other);
    assert.equal(finals.id(0), "job@2025-11-27T15:00:00.123Z");
    assert.equal(finals.at(0).id, derived.id);
    assert.equal(finals.id(1), "job@imported-7");
    assert.deepEqual(finals.at(1), other);
  });

  it("gives back each run as it was pushed, as a new record each time", () => {
    const finals = new FinalRuns("job", 10);
    const runs = [
      ranOnce(1000),
      runRecord("job", 2000, { status: "skipped", reason: "overlap", endedAt: 2000 }),
      runRecord("job", 3000, {
        status: "missed",
        reason: "catch-up",
        endedAt: 9000,
        coalesced: { count: 7, lastScheduledAt: 8000 },
      }),
      ranOnce(4000, { status: "failed", reason: "error", error: { name: "Error", message: "boom" } }),
    ];
    // A failed single attempt carries its error: derivable too.
    runs[3]!.attempts[0]!.outcome = "failed";
    runs[3]!.attempts[0]!.error = runs[3]!.error;
    for (const run of runs) finals.push(run);
    assert.equal(finals.length, 4);
    for (let i = 0; i < runs.length; i++) {
      assert.deepEqual(finals.at(i), runs[i]);
      assert.notEqual(finals.at(i), runs[i]);
      assert.notEqual(finals.at(i).attempts, finals.at(i).attempts);
    }
  });

  it("keeps attempts that the run's fields do not describe (retries, a differing attempt)", () => {
    const finals = new FinalRuns("job", 10);
    const retried = ranOnce(1000);
    retried.attempts = [
      {
        attempt: 1,
        startedAt: 1005,
        endedAt: 1010,
        durationMs: 5,
        outcome: "failed",
        error: null,
        worker: "s1",
      },
      {
        attempt: 2,
        startedAt: 2005,
        endedAt: 2025,
        durationMs: 20,
        outcome: "succeeded",
        error: null,
        worker: "s2",
      },
    ];
    const odd = ranOnce(3000);
    odd.attempts[0]!.worker = "elsewhere";
    finals.push(retried);
    finals.push(odd);
    assert.deepEqual(finals.at(0), retried);
    assert.deepEqual(finals.at(1), odd);
    // A copy: changing what was read does not change what is kept.
    finals.at(0).attempts[0]!.outcome = "cancelled";
    assert.equal(finals.at(0).attempts[0]!.outcome, "failed");
  });

  it("keeps the newest `max` runs, growing as needed, in the order they were pushed", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 120 }), (max, count) => {
        const finals = new FinalRuns("job", max);
        for (let i = 0; i < count; i++) finals.push(ranOnce(i * 1000));
        const kept = Math.min(max, count);
        assert.equal(finals.length, kept);
        for (let i = 0; i < kept; i++) assert.equal(finals.at(i).scheduledAt, (count - kept + i) * 1000);
        if (count > 0) assert.equal(finals.indexOf((count - 1) * 1000), kept - 1);
        assert.equal(finals.indexOf(-5), -1);
      }),
    );
  });

  it("drops the runs that ended before a cutoff (fired, for runs that never started)", () => {
    const finals = new FinalRuns("job", 10);
    finals.push(ranOnce(1000)); // ended 1025
    finals.push(runRecord("job", 500, { status: "missed", reason: "misfire", firedAt: 3000, endedAt: null }));
    finals.push(ranOnce(5000)); // ended 5025
    assert.equal(finals.dropEndedBefore(3000), 1);
    assert.deepEqual(
      [0, 1].map((i) => finals.at(i).scheduledAt),
      [500, 5000],
    );
    assert.equal(finals.dropEndedBefore(0), 0);
    finals.push(ranOnce(6000));
    assert.equal(finals.length, 3);
  });

  it("keeps what a drop leaves exactly as it was, in order, and goes on growing and wrapping after it", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.boolean()), { maxLength: 40 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 8 }),
        (max, ends, cutoff, more) => {
          const finals = new FinalRuns("job", max);
          // Runs end out of order; some keep an id of their own and two attempts (not derivable).
          const pushed = ends.map(([end, own], i) =>
            own
              ? ranOnce(i * 1000, {
                  id: `job@own-${i}`,
                  endedAt: end * 1000,
                  attempts: [
                    {
                      attempt: 1,
                      startedAt: 1,
                      endedAt: 2,
                      durationMs: 1,
                      outcome: "failed",
                      error: null,
                      worker: "a",
                    },
                    {
                      attempt: 2,
                      startedAt: 3,
                      endedAt: 4,
                      durationMs: 1,
                      outcome: "succeeded",
                      error: null,
                      worker: "b",
                    },
                  ],
                })
              : ranOnce(i * 1000, { endedAt: end * 1000 }),
          );
          for (const run of pushed) finals.push(run);
          const before = Array.from({ length: finals.length }, (_, i) => finals.at(i));
          const kept = before.filter((run) => run.endedAt! >= cutoff * 1000);
          assert.equal(finals.dropEndedBefore(cutoff * 1000), before.length - kept.length);
          assert.deepEqual(
            Array.from({ length: finals.length }, (_, i) => finals.at(i)),
            kept,
          );
          // Pushing on: the newest `max` of what was kept and what came after, oldest first.
          const after = Array.from({ length: more }, (_, i) => ranOnce((100 + i) * 1000));
          for (const run of after) finals.push(run);
          const expected = [...kept, ...after].slice(-max).map((run) => run.scheduledAt);
          assert.deepEqual(
            Array.from({ length: finals.length }, (_, i) => finals.scheduledAt(i)),
            expected,
          );
        },
      ),
    );
  });
});
