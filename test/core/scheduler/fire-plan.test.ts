import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { occurrenceId } from "../../../src/core/jobs/job.js";
import { DEFAULT_JOB_POLICY, type JobPolicy } from "../../../src/core/jobs/policies.js";
import { MAX_MISSED_RECORDS, jitterFor, planFire } from "../../../src/core/scheduler/fire-plan.js";
import type { Trigger } from "../../../src/core/triggers/trigger.js";
import { jobRecord } from "../../../src/testing/records.js";

/** Fires at anchor + k * period: enough of a trigger to test planning without the time engine. */
function every(periodMs: number, anchor = 0): Trigger {
  const nextMs = (after: number): number => anchor + (Math.floor((after - anchor) / periodMs) + 1) * periodMs;
  return {
    kind: "interval",
    recurring: true,
    nextMs,
    next: (after) => new Date(nextMs(after.getTime())),
    describe: () => `every ${periodMs} ms`,
    toJSON: () => ({
      kind: "interval",
      version: 1,
      everyMs: periodMs,
      anchorAt: new Date(anchor).toISOString(),
    }),
  };
}

const policy = (p: Partial<JobPolicy>): JobPolicy => ({ ...DEFAULT_JOB_POLICY, ...p });
const job = (p: Partial<JobPolicy>, nextRunAt = 0, activeRuns = 0) =>
  jobRecord("j", {
    policy: policy(p),
    nextRunAt,
    activeRuns,
    claim: { owner: "s", expiresAt: 1e12, token: 7 },
  });
const summary = (plan: ReturnType<typeof planFire>) =>
  plan.commit.runs.map(
    (r) =>
      `${r.scheduledAt / 1000}:${r.status}${r.reason ? `/${r.reason}` : ""}${r.origin === "catch-up" ? "*" : ""}`,
  );

describe("planFire", () => {
  it("runs an on-time occurrence and moves to the next one", () => {
    const plan = planFire(job({}, 5000), every(1000), 5003);
    assert.deepEqual(summary(plan), ["5:pending"]);
    assert.equal(plan.commit.nextRunAt, 6000);
    assert.equal(plan.commit.claimToken, 7);
    const run = plan.commit.runs[0]!;
    assert.equal(run.id, occurrenceId("j", 5000));
    assert.equal(run.firedAt, 5003);
    assert.equal(run.dueAt, 5000);
  });

  it("catch-up latest: after downtime, runs the on-time occurrence and records the late ones as missed", () => {
    const plan = planFire(job({ catchUp: "latest", misfireGraceMs: 1000 }), every(1000), 10_500);
    assert.deepEqual(summary(plan), [
      ...Array.from({ length: 10 }, (_, i) => `${i}:missed/catch-up`),
      "10:pending",
    ]);
    assert.equal(plan.commit.nextRunAt, 11_000);
  });

  it("catch-up latest: when every occurrence is late, runs the most recent one once", () => {
    const plan = planFire(job({ catchUp: "latest", misfireGraceMs: 100 }), every(1000), 3_500);
    assert.deepEqual(summary(plan), [
      "0:missed/catch-up",
      "1:missed/catch-up",
      "2:missed/catch-up",
      "3:pending*",
    ]);
  });

  it("catch-up none: records every late occurrence as missed (misfire)", () => {
    const plan = planFire(job({ catchUp: "none", misfireGraceMs: 100 }), every(1000), 3_500);
    assert.deepEqual(summary(plan), [
      "0:missed/misfire",
      "1:missed/misfire",
      "2:missed/misfire",
      "3:missed/misfire",
    ]);
    assert.equal(plan.commit.nextRunAt, 4000);
  });

  it("catch-up all: runs the most recent late occurrences up to the limit, subject to overlap", () => {
    const plan = planFire(
      job({ catchUp: "all", catchUpLimit: 3, misfireGraceMs: 100, overlap: "allow" }),
      every(1000),
      4_500,
    );
    assert.deepEqual(summary(plan), [
      "0:missed/catch-up-limit",
      "1:missed/catch-up-limit",
      "2:pending*",
      "3:pending*",
      "4:pending*",
    ]);
    const skipping = planFire(job({ catchUp: "all", misfireGraceMs: 100 }), every(1000), 2_500);
    assert.deepEqual(summary(skipping), ["0:pending*", "1:skipped/overlap*", "2:skipped/overlap*"]);
  });

  it("a null misfire grace never calls an occurrence late", () => {
    const plan = planFire(
      job({ catchUp: "none", misfireGraceMs: null, overlap: "allow" }),
      every(1000),
      2_500,
    );
    assert.deepEqual(summary(plan), ["0:pending", "1:pending", "2:pending"]);
  });

  it("overlap skip: records the occurrence as skipped while the job is running", () => {
    assert.deepEqual(summary(planFire(job({}, 1000, 1), every(1000), 1000)), ["1:skipped/overlap"]);
  });

  it("overlap allow: starts up to maxConcurrent runs, then skips", () => {
    const plan = planFire(
      job({ overlap: "allow", maxConcurrent: 2, misfireGraceMs: null }, 1000, 1),
      every(1000),
      3000,
    );
    assert.deepEqual(summary(plan), ["1:pending", "2:skipped/overlap", "3:skipped/overlap"]);
  });

  it("overlap queue: waits up to maxQueued, then skips as queue-full", () => {
    const plan = planFire(
      job({ overlap: "queue", maxQueued: 2, misfireGraceMs: null }, 1000, 1),
      every(1000),
      3000,
    );
    assert.deepEqual(summary(plan), ["1:waiting", "2:waiting", "3:skipped/queue-full"]);
    const idle = planFire(
      job({ overlap: "queue", maxQueued: 2, misfireGraceMs: null }, 1000, 0),
      every(1000),
      2000,
    );
    assert.deepEqual(summary(idle), ["1:pending", "2:waiting"]);
  });

  it("overlap replace: the newest occurrence runs and asks for the live ones to be cancelled", () => {
    const plan = planFire(job({ overlap: "replace", misfireGraceMs: null }, 1000, 1), every(1000), 2000);
    assert.deepEqual(summary(plan), ["1:cancelled/replaced", "2:pending"]);
    assert.equal(plan.replaceLive, true);
    assert.equal(planFire(job({ overlap: "replace" }, 1000, 0), every(1000), 1000).replaceLive, false);
  });

  it("coalesces a long run of missed occurrences into one record that says how many", () => {
    const plan = planFire(job({ catchUp: "none", misfireGraceMs: 0 }), every(1000), 99_500);
    const runs = plan.commit.runs;
    assert.equal(runs.length, MAX_MISSED_RECORDS);
    assert.deepEqual(runs[0]!.coalesced, {
      count: 100 - (MAX_MISSED_RECORDS - 1),
      lastScheduledAt: (100 - MAX_MISSED_RECORDS) * 1000,
    });
    assert.equal(runs[0]!.scheduledAt, 0);
    assert.equal(
      runs.slice(1).every((r) => r.coalesced === null),
      true,
    );
    const total = runs.reduce((n, r) => n + (r.coalesced?.count ?? 1), 0);
    assert.equal(total, 100);
  });

  it("does not enumerate an unbounded downtime one by one, and still finds the latest occurrence", () => {
    const plan = planFire(job({ catchUp: "latest", misfireGraceMs: 0 }), every(1), 3_000_000.5);
    const last = plan.commit.runs[plan.commit.runs.length - 1]!;
    assert.equal(last.status, "pending");
    assert.equal(last.scheduledAt, 3_000_000);
    assert.equal(plan.commit.nextRunAt, 3_000_001);
    assert.ok(plan.commit.runs[0]!.coalesced!.count >= 999_000);
  });

  it("applies a deterministic jitter below the job's jitter to the due time", () => {
    const plan = planFire(job({ jitterMs: 30_000 }, 60_000), every(60_000), 60_000);
    const run = plan.commit.runs[0]!;
    assert.equal(run.dueAt - run.scheduledAt, jitterFor("j", 60_000, 30_000));
    assert.ok(run.dueAt - run.scheduledAt <= 30_000);
    assert.equal(jitterFor("j", 60_000, 30_000), jitterFor("j", 60_000, 30_000));
    assert.notEqual(jitterFor("j", 60_000, 30_000), jitterFor("j", 120_000, 30_000));
    assert.equal(run.status, "pending");
  });

  it("leaves nextRunAt null when the trigger is exhausted", () => {
    const once: Trigger = { ...every(1000), recurring: false, nextMs: () => null, next: () => null };
    const plan = planFire(job({}, 1000), once, 1000);
    assert.deepEqual(summary(plan), ["1:pending"]);
    assert.equal(plan.commit.nextRunAt, null);
  });
});
