import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Clock } from "../../../src/core/clock/clock.js";
import { FakeClock } from "../../../src/core/clock/fake-clock.js";
import { Scheduler } from "../../../src/core/scheduler/scheduler.js";
import { MemoryStore } from "../../../src/core/stores/memory.js";
import { type TaskContext, defineTask } from "../../../src/core/tasks.js";
import { T0, deferred, harness, history } from "./helpers.js";

// With a store that commits conditionally (the memory store), the scheduler claims and plans the
// jobs due at its next wake-up a little before it (20 ms on a clock where planning takes no time)
// and commits them at the due instant. These tests act in between, at T0 + 990 ms, on jobs due at
// T0 + 1 s, and check that the result is what it would be without the preparation.

/** A harness whose jobs are due at T0 + 1 s, advanced to 10 ms before that. */
async function preparedAt990(addJobs: (h: ReturnType<typeof harness>) => Promise<void>) {
  const h = harness();
  await addJobs(h);
  await h.scheduler.start();
  await h.clock.advance(990);
  return h;
}

async function claimed(h: ReturnType<typeof harness>, id: string): Promise<boolean> {
  return (await h.store.getJob(id))!.claim !== null;
}

describe("Scheduler: jobs planned ahead of their due instant", () => {
  it("claims the jobs due next shortly before, and fires them at the due instant, on time", async () => {
    const h = await preparedAt990(async ({ scheduler }) => {
      for (let i = 0; i < 250; i++) await scheduler.addJob(`job${i}`, () => undefined, { interval: 1 });
    });
    assert.equal(await claimed(h, "job0"), true, "claimed ahead");
    assert.equal((await h.scheduler.listRuns()).items.length, 0, "nothing recorded before the due instant");
    const late: number[] = [];
    h.scheduler.on("run:fired", ({ lateMs }) => void late.push(lateMs));
    await h.clock.advance(10);
    await h.scheduler.onIdle();
    assert.equal(late.length, 250);
    assert.deepEqual(new Set(late), new Set([0]));
    const run = (await h.scheduler.listRuns({ jobId: "job249" })).items[0]!;
    assert.equal(run.status, "succeeded");
    assert.equal(run.firedAt.getTime(), T0 + 1000);
    await h.scheduler.stop();
  });

  it("records the instant it actually fired, not the one it planned for", async () => {
    const h = await preparedAt990(async ({ scheduler }) => {
      await scheduler.addJob("job", () => undefined, { interval: 1 });
    });
    assert.equal(await claimed(h, "job"), true);
    // The due timer fires 300 ms late (a stalled event loop): within the 1 s misfire grace.
    await h.clock.jumpTo(T0 + 1300);
    await h.scheduler.onIdle();
    const run = (await h.scheduler.listRuns({ jobId: "job" })).items[0]!;
    assert.equal(run.scheduledAt.getTime(), T0 + 1000);
    assert.equal(run.firedAt.getTime(), T0 + 1300);
    assert.equal(run.status, "succeeded");
    await h.scheduler.stop();
  });

  it("does not fire a job paused after it was planned, and fires it again once resumed", async () => {
    const ran: string[] = [];
    const h = await preparedAt990(async ({ scheduler }) => {
      await scheduler.addJob("job", (ctx: TaskContext) => void ran.push(ctx.runId), { interval: 1 });
    });
    assert.equal(await claimed(h, "job"), true);
    await h.scheduler.pauseJob("job");
    await h.clock.advance(10);
    await h.scheduler.onIdle();
    assert.deepEqual(ran, []);
    assert.deepEqual(await history(h.scheduler, "job"), []);
    assert.equal(await claimed(h, "job"), false, "its claim was released");
    await h.scheduler.resumeJob("job");
    await h.clock.advance(1000);
    await h.scheduler.onIdle();
    assert.deepEqual(await history(h.scheduler, "job"), ["00:00:02 succeeded"]);
    await h.scheduler.stop();
  });

  it("fires a job rescheduled after it was planned on its new trigger only", async () => {
    const h = await preparedAt990(async ({ scheduler }) => {
      await scheduler.addJob("job", () => undefined, { interval: 1 });
    });
    assert.equal(await claimed(h, "job"), true);
    await h.scheduler.rescheduleJob("job", { interval: 3 });
    await h.clock.advance(3010);
    await h.scheduler.onIdle();
    assert.deepEqual(await history(h.scheduler, "job"), ["00:00:03 succeeded"]);
    await h.scheduler.stop();
  });

  it("uses the arguments a job was modified to have after it was planned", async () => {
    const got: unknown[] = [];
    const h = await preparedAt990(async ({ scheduler }) => {
      scheduler.registerTask(defineTask("echo", (value: string) => void got.push(value)));
      await scheduler.addJob("job", "echo", { interval: 1, args: ["old"] });
    });
    assert.equal(await claimed(h, "job"), true);
    await h.scheduler.modifyJob("job", { args: ["new"] });
    await h.clock.advance(10);
    await h.scheduler.onIdle();
    assert.deepEqual(got, ["new"]);
    await h.scheduler.stop();
  });

  it("does not fire a job removed after it was planned", async () => {
    const ran: string[] = [];
    const h = await preparedAt990(async ({ scheduler }) => {
      await scheduler.addJob("gone", () => void ran.push("gone"), { interval: 1 });
      await scheduler.addJob("kept", () => void ran.push("kept"), { interval: 1 });
    });
    assert.equal(await claimed(h, "gone"), true);
    await h.scheduler.removeJob("gone");
    await h.clock.advance(10);
    await h.scheduler.onIdle();
    assert.deepEqual(ran, ["kept"]);
    await h.scheduler.stop();
  });

  it("runs an occurrence planned as skipped when the run it overlapped finished before it was due", async () => {
    const gate = deferred();
    let calls = 0;
    const h = harness();
    await h.scheduler.addJob(
      "slow",
      async () => {
        if (++calls === 1) await gate.promise;
      },
      { interval: 1 },
    );
    await h.scheduler.start();
    await h.clock.advance(1000); // the first run starts and hangs
    await h.clock.advance(990); // the next occurrence is planned while it runs: as skipped
    assert.equal(await claimed(h, "slow"), true);
    gate.resolve();
    await h.scheduler.onIdle();
    await h.clock.advance(10);
    await h.scheduler.onIdle();
    assert.deepEqual(await history(h.scheduler, "slow"), ["00:00:01 succeeded", "00:00:02 succeeded"]);
    await h.scheduler.stop();
  });

  it("skips an occurrence planned to run when the job was run by hand before it was due", async () => {
    const gate = deferred();
    const h = await preparedAt990(async ({ scheduler }) => {
      await scheduler.addJob("job", () => gate.promise, { interval: 1 });
    });
    assert.equal(await claimed(h, "job"), true);
    await h.scheduler.runJobNow("job");
    await h.clock.advance(10); // (the manual run is still running)
    const scheduled = (await h.scheduler.listRuns({ jobId: "job" })).items.find(
      (r) => r.origin === "schedule",
    );
    assert.equal(scheduled?.status, "skipped");
    assert.equal(scheduled?.reason, "overlap");
    gate.resolve();
    await h.scheduler.onIdle();
    await h.scheduler.stop();
  });

  it("applies the misfire policy when the due instant passed by more than the grace before it fired", async () => {
    const h = await preparedAt990(async ({ scheduler }) => {
      await scheduler.addJob("none", () => undefined, {
        interval: 1,
        catchUp: "none",
        misfireGrace: "500ms",
      });
      await scheduler.addJob("latest", () => undefined, { interval: 1, misfireGrace: "500ms" });
    });
    assert.equal(await claimed(h, "none"), true);
    assert.equal(await claimed(h, "latest"), true);
    // Planned on time, fired 2.6 s late: later than the grace, with two more occurrences due.
    await h.clock.jumpTo(T0 + 3600);
    await h.scheduler.onIdle();
    assert.deepEqual(await history(h.scheduler, "none"), [
      "00:00:01 missed/misfire",
      "00:00:02 missed/misfire",
      "00:00:03 missed/misfire",
    ]);
    assert.deepEqual(await history(h.scheduler, "latest"), [
      "00:00:01 missed/catch-up",
      "00:00:02 missed/catch-up",
      "00:00:03 succeeded",
    ]);
    const [latest] = (await h.scheduler.listRuns({ jobId: "latest" })).items;
    assert.equal(latest!.origin, "catch-up");
    await h.scheduler.stop();
  });

  it("fires each occurrence once when the scheduler is paused between planning and the due instant", async () => {
    const h = await preparedAt990(async ({ scheduler }) => {
      await scheduler.addJob("job", () => undefined, { interval: 1 });
    });
    assert.equal(await claimed(h, "job"), true);
    h.scheduler.pause();
    await h.clock.advance(1510);
    h.scheduler.resume();
    await h.scheduler.onIdle();
    await h.clock.advance(500);
    await h.scheduler.onIdle();
    // Resumed at 2.5 s: 1 s is past the grace, 2 s within it (catch-up latest): one run, once each.
    assert.deepEqual(await history(h.scheduler, "job"), [
      "00:00:01 missed/catch-up",
      "00:00:02 succeeded",
      "00:00:03 succeeded",
    ]);
    await h.scheduler.stop();
  });

  it("keeps the plans not committed yet when the scheduler is paused while it commits them", async () => {
    const h = harness({ batchSize: 1 });
    for (const id of ["a", "b", "c"]) await h.scheduler.addJob(id, () => undefined, { startIn: "1s" });
    await h.scheduler.start();
    await h.clock.advance(990);
    assert.equal(await claimed(h, "c"), true);
    let first = "";
    const off = h.scheduler.on("run:fired", ({ run }) => {
      off();
      first = run.jobId;
      h.scheduler.pause();
    });
    await h.clock.advance(10);
    await h.scheduler.onIdle();
    const rest = ["a", "b", "c"].filter((id) => id !== first);
    assert.equal(rest.length, 2);
    assert.deepEqual(await history(h.scheduler, first), ["00:00:01 succeeded"]);
    for (const id of rest) assert.deepEqual(await history(h.scheduler, id), [], id);
    await h.clock.advance(200);
    h.scheduler.resume();
    await h.scheduler.onIdle();
    for (const id of rest) {
      const runs = (await h.scheduler.listRuns({ jobId: id })).items;
      assert.deepEqual(
        runs.map((r) => [r.status, r.firedAt.getTime() - T0]),
        [["succeeded", 1200]],
        id,
      );
    }
    await h.scheduler.stop();
  });

  it("releases what it planned when stopped before the due instant, and fires it after a restart", async () => {
    const h = await preparedAt990(async ({ scheduler }) => {
      await scheduler.addJob("job", () => undefined, { startIn: "1s" });
    });
    assert.equal(await claimed(h, "job"), true);
    await h.scheduler.stop();
    assert.equal(await claimed(h, "job"), false);
    assert.deepEqual(await history(h.scheduler, "job"), []);
    await h.scheduler.start();
    await h.clock.advance(10);
    await h.scheduler.onIdle();
    assert.deepEqual(await history(h.scheduler, "job"), ["00:00:01 succeeded"]);
    await h.scheduler.stop();
  });

  it("fires a job added after the others were planned, due at the same instant", async () => {
    const h = await preparedAt990(async ({ scheduler }) => {
      await scheduler.addJob("early", () => undefined, { startIn: "1s" });
    });
    assert.equal(await claimed(h, "early"), true);
    await h.scheduler.addJob("late", () => undefined, { startAt: new Date(T0 + 1000) });
    await h.clock.advance(10);
    await h.scheduler.onIdle();
    assert.deepEqual(await history(h.scheduler, "early"), ["00:00:01 succeeded"]);
    assert.deepEqual(await history(h.scheduler, "late"), ["00:00:01 succeeded"]);
    await h.scheduler.stop();
  });

  it("fires jobs due one shortly after another at their instants, without planning the next ahead", async () => {
    const h = await preparedAt990(async ({ scheduler }) => {
      await scheduler.addJob("a", () => undefined, { startAt: new Date(T0 + 1000) });
      await scheduler.addJob("b", () => undefined, { startAt: new Date(T0 + 1005) });
    });
    assert.equal(await claimed(h, "a"), true, "woken up 20 ms ahead of a: a planned");
    assert.equal(await claimed(h, "b"), false);
    await h.clock.advance(12);
    assert.deepEqual(await history(h.scheduler, "a"), ["00:00:01 succeeded"]);
    assert.equal(await claimed(h, "b"), false, "b, 5 ms after a, is not planned ahead");
    await h.clock.advance(3);
    await h.scheduler.onIdle();
    assert.deepEqual(await history(h.scheduler, "b"), ["00:00:01 succeeded"]);
    await h.scheduler.stop();
  });

  it("does not plan ahead after an instant that fired more than 20,000 jobs, and plans 20,000 at most", async () => {
    const h = harness();
    for (let i = 0; i < 20_001; i++) await h.scheduler.addJob(`job${i}`, () => undefined, { interval: 1 });
    await h.scheduler.start();
    await h.clock.advance(990);
    await h.scheduler.onIdle(); // (planning 20,000 takes many turns of the event loop)
    let claimedAhead = 0;
    for (let i = 0; i < 20_001; i++) if (await claimed(h, `job${i}`)) claimedAhead++;
    assert.equal(
      claimedAhead,
      20_000,
      "the first instant: 20,000 planned ahead, the last one at the instant",
    );
    await h.clock.advance(10);
    await h.scheduler.onIdle();
    assert.equal((await h.scheduler.getJob("job20000"))!.runCount, 1);
    assert.equal((await h.scheduler.getJob("job0"))!.runCount, 1);
    await h.clock.advance(990);
    await h.scheduler.onIdle();
    assert.equal(await claimed(h, "job0"), false, "20,001 fired last time: nothing planned ahead");
    await h.clock.advance(10);
    await h.scheduler.onIdle();
    assert.equal((await h.scheduler.getJob("job0"))!.runCount, 2);
    await h.scheduler.stop();
  });
});

describe("Scheduler: the young generation collected before a burst planned ahead (gcBeforeBurst)", () => {
  /** 1,000 (or `jobs`) jobs due every second, and what the collector saw each time it was called. */
  async function burst(jobs: number, gcBeforeBurst: () => void) {
    const h = harness({ gcBeforeBurst });
    let started = 0;
    const task = () => void started++;
    for (let i = 0; i < jobs; i++) await h.scheduler.addJob(`job${i}`, task, { interval: 1 });
    await h.scheduler.start();
    return { h, started: () => started };
  }

  it("collects once per instant of 1,000 jobs, after planning them and before any starts", async () => {
    const calls: { at: number; started: number }[] = [];
    const { h, started } = await burst(1000, () => calls.push({ at: h.clock.now(), started: started() }));
    await h.clock.advance(990);
    await h.scheduler.onIdle();
    assert.equal(calls.length, 1);
    assert.ok(calls[0]!.at < T0 + 1000, "before the instant");
    assert.equal(calls[0]!.started, 0, "nothing started yet");
    assert.equal(await claimed(h, "job999"), true, "all 1,000 planned ahead");
    await h.clock.advance(10);
    await h.scheduler.onIdle();
    assert.equal(started(), 1000);
    assert.equal(calls.length, 1, "not again at the instant");
    await h.clock.advance(1000);
    await h.scheduler.onIdle();
    assert.equal(calls.length, 2, "once more for the next instant");
    assert.equal(started(), 2000);
    await h.scheduler.stop();
  });

  it("does not collect before 999 jobs", async () => {
    let calls = 0;
    const { h, started } = await burst(999, () => void calls++);
    for (let second = 0; second < 2; second++) {
      await h.clock.advance(1000);
      await h.scheduler.onIdle();
    }
    assert.equal(started(), 1998);
    assert.equal(calls, 0);
    await h.scheduler.stop();
  });

  it("reports a collector that throws, and fires the burst on time all the same", async () => {
    const { h, started } = await burst(1000, () => {
      throw new Error("no gc here");
    });
    const errors: string[] = [];
    h.scheduler.on("error", ({ error, context }) => void errors.push(`${context}: ${error.message}`));
    const late = new Set<number>();
    h.scheduler.on("run:fired", ({ lateMs }) => void late.add(lateMs));
    await h.clock.advance(1000);
    await h.scheduler.onIdle();
    assert.deepEqual(errors, ["gcBeforeBurst: no gc here"]);
    assert.equal(started(), 1000);
    assert.deepEqual(late, new Set([0]));
    await h.scheduler.stop();
  });
});

describe("Scheduler: how long ahead jobs are planned", () => {
  it("plans 20 ms plus twice the longest of the last 8 preparations ahead", async () => {
    // A clock that moves `skew` ms while the first preparation claims: a slow one (10 ms).
    const fake = new FakeClock(T0);
    let skew = 0;
    const clock: Clock = { now: () => fake.now() + skew, setTimer: (cb, ms) => fake.setTimer(cb, ms) };
    const leads: number[] = [];
    class SlowFirstPreparation extends MemoryStore {
      override claimDueJobs(args: Parameters<MemoryStore["claimDueJobs"]>[0]) {
        if (args.now > clock.now()) {
          leads.push(args.now - clock.now());
          if (leads.length === 1) skew += 10;
        }
        return super.claimDueJobs(args);
      }
    }
    const scheduler = new Scheduler({ timezone: "UTC", clock, store: new SlowFirstPreparation() });
    await scheduler.addJob("job", () => undefined, { interval: 1 });
    await scheduler.start();
    for (let second = 0; second < 10; second++) {
      await fake.advance(1000);
      await scheduler.onIdle();
    }
    assert.deepEqual(leads, [20, 40, 40, 40, 40, 40, 40, 40, 40, 20], "the 10 ms one counts for the next 8");
    assert.equal((await scheduler.getJob("job"))!.runCount, 10);
    await scheduler.stop();
  });
});
