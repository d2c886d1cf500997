import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NonRetryableError, TimeoutError } from "../../../src/core/errors.js";
import { Scheduler } from "../../../src/core/scheduler/scheduler.js";
import { MemoryStore } from "../../../src/core/stores/memory.js";
import type { ClaimArgs } from "../../../src/core/stores/store.js";
import { defineTask, type TaskContext } from "../../../src/core/tasks.js";
import type { RunInfo } from "../../../src/core/jobs/info.js";
import { type Harness, T0, deferred, harness, history } from "./helpers.js";

describe("Scheduler: overlap", () => {
  it("skips and records occurrences while a job runs longer than its interval (overlap skip)", async () => {
    const { clock, scheduler } = harness();
    const gate = deferred();
    let started = 0;
    await scheduler.addJob(
      "slow",
      async () => {
        started++;
        await gate.promise;
      },
      { interval: 1 },
    );
    await scheduler.start();
    await clock.advance(3000);
    assert.equal(started, 1);
    assert.deepEqual(await history(scheduler, "slow"), [
      "00:00:01 running",
      "00:00:02 skipped/overlap",
      "00:00:03 skipped/overlap",
    ]);
    assert.equal((await scheduler.getJob("slow"))?.status, "running");
    gate.resolve();
    await clock.advance(1000);
    assert.equal(started, 2);
    assert.equal((await scheduler.getJob("slow"))?.skippedCount, 2);
    await scheduler.stop();
  });

  it("queues occurrences and runs them one after another (overlap queue)", async () => {
    const { clock, scheduler } = harness();
    const gates = [deferred<void>(), deferred<void>(), deferred<void>()];
    const order: string[] = [];
    await scheduler.addJob(
      "q",
      async (ctx: TaskContext) => {
        order.push(ctx.runId.slice(-13, -5));
        await gates[order.length - 1]!.promise;
      },
      { interval: 1, overlap: "queue", maxQueued: 1 },
    );
    await scheduler.start();
    await clock.advance(3000);
    assert.deepEqual(await history(scheduler, "q"), [
      "00:00:01 running",
      "00:00:02 waiting",
      "00:00:03 skipped/queue-full",
    ]);
    gates[0]!.resolve();
    await clock.flush();
    assert.deepEqual(order, ["00:00:01", "00:00:02"]);
    gates[1]!.resolve();
    gates[2]!.resolve();
    await scheduler.stop();
  });

  it("starts the waiting occurrence when the run ahead of it is cancelled while it waits for a retry", async () => {
    const { clock, scheduler } = harness();
    const started: string[] = [];
    await scheduler.addJob(
      "q",
      (ctx: TaskContext) => {
        started.push(`${ctx.runId.slice(-13, -5)}#${ctx.attempt}`);
        if (started.length === 1) throw new Error("first attempt fails");
      },
      {
        interval: 1,
        endAt: new Date(T0 + 2000),
        overlap: "queue",
        retry: { attempts: 3, backoff: "fixed", delay: "1h", jitter: false },
      },
    );
    await scheduler.start();
    await clock.advance(2000);
    assert.deepEqual(started, ["00:00:01#1"]);
    assert.deepEqual(await history(scheduler, "q"), ["00:00:01 retrying/error", "00:00:02 waiting"]);
    const retrying = (await scheduler.listRuns({ jobId: "q", status: ["retrying"] })).items[0]!;
    const cancelled = await scheduler.cancelRun(retrying.id);
    assert.equal(cancelled.status, "cancelled");
    await clock.flush();
    assert.deepEqual(started, ["00:00:01#1", "00:00:02#1"]);
    assert.deepEqual(await history(scheduler, "q"), ["00:00:01 cancelled/user", "00:00:02 succeeded"]);
    await scheduler.stop();
  });

  it("allows up to maxConcurrent runs at once (overlap allow)", async () => {
    const { clock, scheduler } = harness();
    const gate = deferred();
    let running = 0;
    await scheduler.addJob(
      "a",
      async () => {
        running++;
        await gate.promise;
      },
      { interval: 1, overlap: "allow", maxConcurrent: 2 },
    );
    await scheduler.start();
    await clock.advance(3000);
    assert.equal(running, 2);
    assert.deepEqual(await history(scheduler, "a"), [
      "00:00:01 running",
      "00:00:02 running",
      "00:00:03 skipped/overlap",
    ]);
    gate.resolve();
    await scheduler.stop();
  });

  it("cancels the running occurrence for the new one (overlap replace)", async () => {
    const { clock, scheduler } = harness();
    const aborted: string[] = [];
    await scheduler.addJob(
      "r",
      (ctx: TaskContext) =>
        new Promise<void>((resolve) =>
          ctx.signal.addEventListener("abort", () => {
            aborted.push(ctx.runId);
            resolve();
          }),
        ),
      { interval: 1, overlap: "replace" },
    );
    await scheduler.start();
    await clock.advance(2000);
    assert.deepEqual(aborted, ["r@2026-03-02T00:00:01.000Z"]);
    assert.deepEqual(await history(scheduler, "r"), ["00:00:01 cancelled/replaced", "00:00:02 running"]);
    await scheduler.stop({ graceMs: 0 });
  });

  it("a hung task does not delay another job's firing", async () => {
    const { clock, scheduler } = harness();
    await scheduler.addJob("hung", () => new Promise(() => undefined), { startIn: "1s" });
    let fast = 0;
    await scheduler.addJob("fast", () => void fast++, { interval: 1 });
    await scheduler.start();
    await clock.advance(5000);
    assert.equal(fast, 5);
    await scheduler.stop({ graceMs: 0 });
  });

  it("runs at most `concurrency` tasks at once, the rest as slots free up", async () => {
    const { clock, scheduler } = harness({ concurrency: 2 });
    const gates = new Map<string, { resolve: () => void }>();
    let running = 0;
    let peak = 0;
    const task = defineTask("block", async (ctx: TaskContext) => {
      running++;
      peak = Math.max(peak, running);
      const gate = deferred<void>();
      gates.set(ctx.jobId, gate);
      await gate.promise;
      running--;
    });
    for (const id of ["a", "b", "c", "d"]) await scheduler.addJob(id, task, { startIn: "1s" });
    await scheduler.start();
    await clock.advance(1000);
    assert.equal(running, 2);
    assert.equal((await scheduler.listRuns({ status: ["pending"] })).items.length, 2);
    for (const gate of [...gates.values()]) gate.resolve();
    await clock.flush();
    for (const gate of [...gates.values()]) gate.resolve();
    await clock.flush();
    assert.equal(peak, 2);
    assert.equal((await scheduler.listRuns({ status: ["succeeded"] })).items.length, 4);
    await scheduler.stop();
  });
});

/** Job "j" (every minute, 30 s of jitter) of a harness, fired once: its run, waiting for its due time. */
async function firedJittered({ clock, scheduler }: Harness): Promise<RunInfo> {
  await scheduler.start();
  await clock.advance(60_000);
  const [pending] = (await scheduler.listRuns({ jobId: "j" })).items;
  assert.ok(pending && pending.dueAt.getTime() > clock.now(), "the fixture's jitter puts the due time later");
  return pending;
}

describe("Scheduler: a run cancelled before it starts", () => {
  it("waiting for a concurrency slot: is recorded as cancelled and reported once", async () => {
    const { clock, scheduler } = harness({ concurrency: 1 });
    const cancelled: string[] = [];
    scheduler.events.on("run:cancelled", ({ run }) => void cancelled.push(`${run.jobId} ${run.reason}`));
    const gate = deferred();
    const task = defineTask("block", () => gate.promise);
    await scheduler.addJob("a", task, { startIn: "1s" });
    await scheduler.addJob("b", task, { startIn: "1s" });
    await scheduler.start();
    await clock.advance(1000);
    const [queued] = (await scheduler.listRuns({ status: ["pending"] })).items;
    assert.ok(queued);
    const after = await scheduler.cancelRun(queued.id);
    assert.equal(after.status, "cancelled");
    assert.deepEqual(after.attempts, []);
    gate.resolve();
    await clock.flush();
    assert.deepEqual(cancelled, [`${queued.jobId} user`]);
    await scheduler.stop();
  });

  it("waiting for its jittered due time: is recorded as cancelled with no attempt, and reported", async () => {
    const h = harness();
    const { clock, scheduler } = h;
    const cancelled: string[] = [];
    scheduler.events.on("run:cancelled", ({ run }) => void cancelled.push(`${run.id} ${run.reason}`));
    let started = 0;
    await scheduler.addJob("j", () => void started++, { interval: "1m", jitter: "30s" });
    const pending = await firedJittered(h);
    await scheduler.cancelRun(pending.id);
    await clock.advance(30_000);
    const run = (await scheduler.getRun(pending.id))!;
    assert.equal(started, 0);
    assert.equal(run.status, "cancelled");
    assert.equal(run.reason, "user");
    assert.equal(run.startedAt, null);
    assert.deepEqual(run.attempts, []);
    assert.deepEqual(cancelled, [`${run.id} user`]);
    await scheduler.stop();
  });

  it("waiting for its jittered due time, at stop: is recorded as cancelled (shutdown) at once", async () => {
    const h = harness();
    const { scheduler } = h;
    await scheduler.addJob("j", () => undefined, { interval: "1m", jitter: "30s" });
    const pending = await firedJittered(h);
    // The fake clock stands still: a stop that waited for the grace period would never end.
    await scheduler.stop({ graceMs: 60_000 });
    const run = (await scheduler.getRun(pending.id))!;
    assert.equal(run.status, "cancelled");
    assert.equal(run.reason, "shutdown");
    assert.deepEqual(run.attempts, []);
  });
});

describe("Scheduler: pausing a job cancels its runs that have not started", () => {
  it("cancels an occurrence waiting for its jittered due time, with no attempt (reason job-paused)", async () => {
    const h = harness();
    const { clock, scheduler } = h;
    const cancelled: string[] = [];
    scheduler.events.on("run:cancelled", ({ run }) => void cancelled.push(`${run.id} ${run.reason}`));
    let started = 0;
    await scheduler.addJob("j", () => void started++, { interval: "1m", jitter: "30s" });
    const pending = await firedJittered(h);
    assert.equal(pending.status, "pending");
    const paused = await scheduler.pauseJob("j");
    assert.equal(paused.status, "paused");
    assert.equal(paused.activeRuns, 0);
    await clock.advance(120_000);
    assert.equal(started, 0);
    const [run] = (await scheduler.listRuns({ jobId: "j" })).items;
    assert.equal(run?.status, "cancelled");
    assert.equal(run.reason, "job-paused");
    assert.equal(run.startedAt, null);
    assert.deepEqual(run.attempts, []);
    assert.deepEqual(cancelled, [`${run.id} job-paused`]);
    // Resumed, the job goes on from its next occurrence.
    await scheduler.resumeJob("j");
    await clock.advance(120_000);
    assert.ok(started >= 1);
    await scheduler.stop();
  });

  it("cancels an occurrence claimed just before the pause and committed after it", async () => {
    /**
     * Pauses the job once, between the claim of its occurrence and the commit. Its commits are
     * unconditional, as when the scheduler fires what it did not plan ahead (a late wake-up).
     */
    class PausingStore extends MemoryStore {
      override readonly commitsIfUnchanged = false;
      pause: (() => Promise<unknown>) | undefined;
      override async claimDueJobs(args: ClaimArgs) {
        const claimed = await super.claimDueJobs(args);
        const pause = this.pause;
        if (claimed.length > 0 && pause) {
          this.pause = undefined;
          await pause();
        }
        return claimed;
      }
    }
    const store = new PausingStore();
    const { clock, scheduler } = harness({ store });
    let started = 0;
    await scheduler.addJob("j", () => void started++, { interval: 1 });
    store.pause = () => scheduler.pauseJob("j");
    await scheduler.start();
    await clock.advance(3000);
    assert.equal(started, 0);
    assert.deepEqual(await history(scheduler, "j"), ["00:00:01 cancelled/job-paused"]);
    assert.equal((await scheduler.getJob("j"))?.status, "paused");
    await scheduler.stop();
  });

  it("ensureJob with paused: true pauses the same way", async () => {
    const h = harness();
    const { clock, scheduler } = h;
    let started = 0;
    const task = defineTask("count", () => void started++);
    await scheduler.ensureJob("j", task, { interval: "1m", jitter: "30s" });
    await firedJittered(h);
    const { action } = await scheduler.ensureJob("j", task, { interval: "1m", jitter: "30s", paused: true });
    assert.equal(action, "updated");
    await clock.advance(60_000);
    assert.equal(started, 0);
    assert.deepEqual(await history(scheduler, "j"), ["00:01:00 cancelled/job-paused"]);
    await scheduler.stop();
  });

  it("cancels waiting runs (overlap queue) and lets the running one finish; nothing starts meanwhile", async () => {
    const { clock, scheduler } = harness();
    const gate = deferred();
    const started: string[] = [];
    await scheduler.addJob(
      "q",
      async (ctx: TaskContext) => {
        started.push(ctx.runId.slice(-13, -5));
        await gate.promise;
      },
      { interval: 1, overlap: "queue", maxQueued: 2 },
    );
    await scheduler.start();
    await clock.advance(3000);
    assert.deepEqual(await history(scheduler, "q"), [
      "00:00:01 running",
      "00:00:02 waiting",
      "00:00:03 waiting",
    ]);
    const paused = await scheduler.pauseJob("q");
    assert.equal(paused.activeRuns, 1);
    gate.resolve();
    await clock.advance(5000);
    assert.deepEqual(started, ["00:00:01"]);
    assert.deepEqual(await history(scheduler, "q"), [
      "00:00:01 succeeded",
      "00:00:02 cancelled/job-paused",
      "00:00:03 cancelled/job-paused",
    ]);
    assert.equal((await scheduler.getJob("q"))?.activeRuns, 0);
    await scheduler.stop();
  });

  it("cancels a run waiting for a concurrency slot, not the running ones", async () => {
    const { clock, scheduler } = harness({ concurrency: 1 });
    const cancelled: string[] = [];
    scheduler.events.on("run:cancelled", ({ run }) => void cancelled.push(`${run.jobId} ${run.reason}`));
    const gate = deferred();
    const started: string[] = [];
    const task = defineTask("block", async (ctx: TaskContext) => {
      started.push(ctx.jobId);
      await gate.promise;
    });
    await scheduler.addJob("a", task, { startIn: "1s" });
    await scheduler.addJob("b", task, { startIn: "2s" });
    await scheduler.start();
    await clock.advance(2000);
    assert.deepEqual(started, ["a"]);
    await scheduler.pauseJob("a");
    await scheduler.pauseJob("b");
    gate.resolve();
    await clock.advance(1000);
    assert.deepEqual(started, ["a"]);
    assert.deepEqual(await history(scheduler, "a"), ["00:00:01 succeeded"]);
    assert.deepEqual(await history(scheduler, "b"), ["00:00:02 cancelled/job-paused"]);
    assert.deepEqual(cancelled, ["b job-paused"]);
    await scheduler.stop();
  });

  it("leaves a run that waits for a retry: it has started, and its attempts go on", async () => {
    const { clock, scheduler } = harness();
    const attempts: number[] = [];
    await scheduler.addJob(
      "r",
      (ctx: TaskContext) => {
        attempts.push(ctx.attempt);
        if (ctx.attempt === 1) throw new Error("first attempt fails");
      },
      { startIn: "1s", retry: { attempts: 2, backoff: "fixed", delay: "10s", jitter: false } },
    );
    await scheduler.start();
    await clock.advance(1000);
    assert.deepEqual(await history(scheduler, "r"), ["00:00:01 retrying/error"]);
    await scheduler.pauseJob("r");
    await clock.advance(10_000);
    assert.deepEqual(attempts, [1, 2]);
    assert.deepEqual(await history(scheduler, "r"), ["00:00:01 succeeded"]);
    await scheduler.stop();
  });
});

describe("Scheduler: removing a job", () => {
  it("aborts its running task (reason job-removed), and a run of it waiting for a slot never starts", async () => {
    const { clock, scheduler } = harness({ concurrency: 1 });
    const errors: unknown[] = [];
    scheduler.events.on("error", (e) => void errors.push(e));
    const started: string[] = [];
    const reasons: unknown[] = [];
    const task = defineTask("hang", async (ctx: TaskContext) => {
      started.push(ctx.jobId);
      await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve()));
      reasons.push((ctx.signal.reason as { reason?: unknown }).reason);
    });
    await scheduler.addJob("a", task, { startIn: "1s" });
    await scheduler.addJob("b", task, { startIn: "1s" });
    await scheduler.start();
    await clock.advance(1000);
    assert.equal(started.length, 1);
    const [running, waiting] = started[0] === "a" ? ["a", "b"] : ["b", "a"];
    await scheduler.removeJob(waiting);
    await scheduler.removeJob(running);
    await clock.flush();
    assert.deepEqual(started, [running]);
    assert.deepEqual(reasons, ["job-removed"]);
    assert.deepEqual((await scheduler.listRuns()).items, []);
    assert.deepEqual(errors, []);
    await scheduler.stop({ graceMs: 0 });
  });

  it("aborts every running task of the job, beyond a page of 1,000 live runs", async () => {
    const { clock, scheduler } = harness({ concurrency: 2000 });
    const reasons: unknown[] = [];
    await scheduler.addJob(
      "many",
      async (ctx: TaskContext) => {
        await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve()));
        reasons.push((ctx.signal.reason as { reason?: unknown }).reason);
      },
      { at: new Date(T0 + 3_600_000) },
    );
    await scheduler.start();
    for (let i = 0; i < 1001; i++) {
      await scheduler.runJobNow("many");
      await clock.advance(1);
    }
    await clock.flush();
    assert.equal((await scheduler.getJob("many"))?.activeRuns, 1001);
    await scheduler.removeJob("many");
    await clock.flush();
    assert.equal(reasons.length, 1001);
    assert.ok(reasons.every((reason) => reason === "job-removed"));
    await scheduler.stop({ graceMs: 0 });
  });
});

describe("Scheduler: bursts", () => {
  it("starts every run of a burst before recording their outcomes, then records them all", async () => {
    // More jobs than one claim batch (100) and than the concurrency: a finished task frees its slot
    // at once, and its record waits until the burst has been fired.
    const { clock, scheduler } = harness({ concurrency: 2 });
    const order: string[] = [];
    scheduler.events.on("run:started", () => order.push("started"));
    scheduler.events.on("run:succeeded", () => order.push("succeeded"));
    let calls = 0;
    const task = defineTask("tick", () => void calls++);
    for (let i = 0; i < 250; i++) await scheduler.addJob(`job${i}`, task, { startIn: "1s" });
    await scheduler.start();
    await clock.advance(1000);
    await scheduler.onIdle();
    assert.equal(calls, 250);
    assert.equal(order.length, 500);
    assert.equal(order.lastIndexOf("started"), 249);
    assert.equal((await scheduler.listRuns({ status: ["succeeded"], limit: 1000 })).items.length, 250);
    const job = await scheduler.getJob("job7");
    assert.equal(job?.runCount, 1);
    assert.equal(job?.status, "completed");
    await scheduler.stop();
  });
});

describe("Scheduler: recording outcomes during a burst", () => {
  /**
   * Fires bursts of one-off jobs due at the same instant, one burst a second, `sizes[i]` jobs in
   * the i-th; the order of start and outcome events in each.
   */
  async function bursts(...sizes: number[]): Promise<Array<Array<"started" | "succeeded">>> {
    const { clock, scheduler } = harness({ concurrency: 2 });
    const orders: Array<Array<"started" | "succeeded">> = [];
    let order: Array<"started" | "succeeded"> = [];
    scheduler.events.on("run:started", () => order.push("started"));
    scheduler.events.on("run:succeeded", () => order.push("succeeded"));
    const task = defineTask("tick", () => undefined);
    for (const [b, size] of sizes.entries()) {
      for (let i = 0; i < size; i++) {
        await scheduler.addJob(`burst${b}-job${i}`, task, {
          startAt: new Date(clock.now() + 1000 * (b + 1)),
        });
      }
    }
    await scheduler.start();
    for (let b = 0; b < sizes.length; b++) {
      order = [];
      await clock.advance(1000);
      await scheduler.onIdle();
      orders.push(order);
    }
    await scheduler.stop();
    return orders;
  }

  it("records outcomes once 2,000 are waiting in the first burst, whose size nothing foretold", async () => {
    const [first] = await bursts(3000);
    const firstRecord = first!.indexOf("succeeded");
    assert.ok(firstRecord >= 2000, `first outcome recorded after ${firstRecord} starts`);
    assert.ok(firstRecord < first!.lastIndexOf("started"), "no outcome was recorded before the burst ended");
  });

  it("after a burst of up to 20,000, starts every run of the next before recording any outcome", async () => {
    const order = (await bursts(100, 3000))[1]!;
    assert.equal(order.filter((e) => e === "succeeded").length, 3000);
    assert.equal(order.indexOf("succeeded"), 3000, "the first outcome came after the last start");
  });

  it("past 20,000 runs of a burst, records outcomes while it goes on, and all of them in the end", async () => {
    const order = (await bursts(100, 24_000))[1]!;
    assert.equal(order.filter((e) => e === "succeeded").length, 24_000);
    const firstRecord = order.indexOf("succeeded");
    assert.ok(firstRecord >= 20_000, `first outcome recorded after ${firstRecord} starts`);
    assert.ok(firstRecord < order.lastIndexOf("started"), "no outcome was recorded before the burst ended");
  });

  it("after a burst of more than 20,000, records outcomes once 2,000 are waiting", async () => {
    const [, after] = await bursts(21_000, 3000);
    assert.equal(after!.filter((e) => e === "succeeded").length, 3000);
    const firstRecord = after!.indexOf("succeeded");
    assert.ok(firstRecord >= 2000, `first outcome recorded after ${firstRecord} starts`);
    assert.ok(firstRecord < after!.lastIndexOf("started"), "no outcome was recorded before the burst ended");
  });
});

describe("Scheduler: retries and timeouts", () => {
  it("retries with exponential backoff and records every attempt", async () => {
    const { clock, scheduler } = harness();
    const attempts: number[] = [];
    await scheduler.addJob(
      "flaky",
      (ctx: TaskContext) => {
        attempts.push(ctx.attempt);
        if (ctx.attempt < 3) throw new Error(`attempt ${ctx.attempt} failed`);
      },
      { startIn: "1s", retry: { attempts: 3, backoff: "exponential", delay: "10s", jitter: false } },
    );
    const retrying: string[] = [];
    scheduler.on("run:retrying", ({ run }) => void retrying.push(run.nextAttemptAt!.toISOString()));
    await scheduler.start();
    await clock.advance(1000);
    assert.deepEqual(attempts, [1]);
    await clock.advance(9_999);
    assert.deepEqual(attempts, [1]);
    await clock.advance(1);
    assert.deepEqual(attempts, [1, 2]);
    await clock.advance(20_000);
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.deepEqual(retrying, ["2026-03-02T00:00:11.000Z", "2026-03-02T00:00:31.000Z"]);
    const run = (await scheduler.listRuns({ jobId: "flaky" })).items[0]!;
    assert.equal(run.status, "succeeded");
    assert.deepEqual(
      run.attempts.map((a) => [a.attempt, a.outcome, a.error?.message ?? null]),
      [
        [1, "failed", "attempt 1 failed"],
        [2, "failed", "attempt 2 failed"],
        [3, "succeeded", null],
      ],
    );
    assert.equal((await scheduler.getJob("flaky"))?.runCount, 1);
    await scheduler.stop();
  });

  it("does not retry a NonRetryableError", async () => {
    const { clock, scheduler } = harness();
    let attempts = 0;
    await scheduler.addJob(
      "j",
      () => {
        attempts++;
        throw new NonRetryableError("bad input, retrying will not help");
      },
      { startIn: "1s", retry: 5 },
    );
    await scheduler.start();
    await clock.advance("1h");
    assert.equal(attempts, 1);
    const run = (await scheduler.listRuns({ jobId: "j" })).items[0]!;
    assert.equal(run.status, "failed");
    assert.equal(run.reason, "non-retryable");
    await scheduler.stop();
  });

  it("aborts a run at its timeout and records it as timed out, even if the task ignores the signal", async () => {
    const { clock, scheduler } = harness();
    let reason: unknown;
    await scheduler.addJob(
      "slow",
      (ctx: TaskContext) => {
        ctx.signal.addEventListener("abort", () => {
          reason = ctx.signal.reason as unknown;
        });
        return new Promise(() => undefined);
      },
      { startIn: "1s", timeout: "30s" },
    );
    const failed = scheduler.once("run:failed");
    await scheduler.start();
    await clock.advance(30_999);
    assert.equal(reason, undefined);
    await clock.advance(1);
    assert.ok((reason as unknown) instanceof TimeoutError);
    const { run } = await failed;
    assert.equal(run.status, "timed-out");
    assert.equal(run.reason, "timeout");
    assert.equal(run.durationMs, 30_000);
    assert.equal((await scheduler.getJob("slow"))?.status, "failed");
    await scheduler.stop();
  });
});

describe("Scheduler: time jumps and downtime", () => {
  it("does not fire twice when the clock goes backwards", async () => {
    const { clock, scheduler } = harness();
    const fired: string[] = [];
    await scheduler.addJob("j", (ctx: TaskContext) => void fired.push(ctx.runId), { interval: 1 });
    await scheduler.start();
    await clock.advance(3000);
    await clock.jumpTo(T0 + 500);
    await clock.advance(2500);
    assert.equal(fired.length, 3);
    await clock.advance(1000);
    assert.deepEqual(fired.slice(-1), ["j@2026-03-02T00:00:04.000Z"]);
    assert.equal(new Set(fired).size, fired.length);
    await scheduler.stop();
  });

  it("catches up once after the clock jumps forward (catch-up latest), recording what it missed", async () => {
    const { clock, scheduler } = harness({}, T0 + 1000);
    let runs = 0;
    await scheduler.addJob("j", () => void runs++, { cron: "* * * * *" });
    await scheduler.start();
    await clock.jumpTo(T0 + 10 * 60_000 + 30_000);
    assert.equal(runs, 1);
    const h = await history(scheduler, "j");
    assert.equal(h.length, 10);
    assert.deepEqual(h.slice(0, 2), ["00:01:00 missed/catch-up", "00:02:00 missed/catch-up"]);
    assert.equal(h[9], "00:10:00 succeeded");
    assert.equal((await scheduler.getJob("j"))?.missedCount, 9);
    await scheduler.stop();
  });

  for (const [catchUp, expected] of [
    ["none", { runs: 0, missed: 24 }],
    ["latest", { runs: 1, missed: 23 }],
    ["all", { runs: 24, missed: 0 }],
  ] as const) {
    it(`applies catch-up ${catchUp} to a day of downtime on restart`, async () => {
      const { clock, store, scheduler } = harness({}, T0 + 1000);
      let runs = 0;
      const task = defineTask("hourly", () => void runs++);
      await scheduler.addJob("hourly", task, {
        cron: "0 * * * *",
        catchUp,
        overlap: "allow",
        catchUpLimit: 100,
      });
      await scheduler.start();
      await clock.advance("30m");
      await scheduler.stop();
      await clock.advance("24h");
      const restarted = new Scheduler({ clock, store, timezone: "UTC", tasks: [task] });
      await restarted.start();
      await clock.flush();
      const job = await restarted.getJob("hourly");
      assert.equal(runs, expected.runs);
      assert.equal(job?.missedCount, expected.missed);
      assert.equal(job?.nextRunAt?.toISOString(), "2026-03-03T01:00:00.000Z");
      await restarted.stop();
    });
  }

  it("fires a 02:30 job once, at 03:00, on New York's spring-forward day", async () => {
    const { clock, scheduler } = harness(
      { timezone: "America/New_York" },
      Date.parse("2026-03-07T00:00:00Z"),
    );
    const fired: string[] = [];
    await scheduler.addJob("nightly", (ctx: TaskContext) => void fired.push(ctx.scheduledAt.toISOString()), {
      cron: "30 2 * * *",
    });
    await scheduler.start();
    await clock.advance("3d");
    assert.deepEqual(fired, [
      "2026-03-07T07:30:00.000Z",
      "2026-03-08T07:00:00.000Z",
      "2026-03-09T06:30:00.000Z",
    ]);
    await scheduler.stop();
  });
});

describe("Scheduler: lifecycle", () => {
  it("lets running tasks finish on stop, within the grace period", async () => {
    const { clock, scheduler } = harness();
    const gate = deferred();
    await scheduler.addJob("j", () => gate.promise, { startIn: "1s" });
    await scheduler.start();
    await clock.advance(1000);
    const stopped = scheduler.stop({ graceMs: 5000 });
    assert.equal(scheduler.state, "stopping");
    gate.resolve();
    await stopped;
    assert.equal(scheduler.state, "stopped");
    assert.equal((await scheduler.listRuns({ jobId: "j" })).items[0]?.status, "succeeded");
  });

  it("aborts tasks still running when the grace period ends, recording them as cancelled", async () => {
    const { clock, scheduler } = harness();
    let signal: AbortSignal | undefined;
    await scheduler.addJob(
      "j",
      (ctx: TaskContext) => {
        signal = ctx.signal;
        return new Promise(() => undefined);
      },
      { startIn: "1s" },
    );
    await scheduler.start();
    await clock.advance(1000);
    const stopped = scheduler.stop({ graceMs: 5000 });
    assert.equal(scheduler.stop({ graceMs: 5000 }), stopped);
    await clock.advance(5000);
    await stopped;
    assert.equal(signal?.aborted, true);
    const run = (await scheduler.listRuns({ jobId: "j" })).items[0]!;
    assert.equal(run.status, "cancelled");
    assert.equal(run.reason, "shutdown");
  });

  it("keeps and reports a stored job whose task is not registered", async () => {
    const { clock, store, scheduler } = harness();
    await scheduler.addJob(
      "orphan",
      defineTask("gone", () => undefined),
      { interval: 1 },
    );
    const other = new Scheduler({ clock, store, timezone: "UTC" });
    const missing = other.once("job:task-missing");
    await other.start();
    assert.deepEqual(await missing, { jobId: "orphan", taskName: "gone" });
    assert.equal((await other.getJob("orphan"))?.status, "missing-task");
    await clock.advance(1000);
    const run = (await other.listRuns({ jobId: "orphan" })).items[0]!;
    assert.equal(run.status, "failed");
    assert.equal(run.reason, "task-missing");
    assert.ok(await other.getJob("orphan"));
    await other.stop();
  });

  it("survives a listener that throws", async () => {
    const { clock, scheduler } = harness();
    const errors: string[] = [];
    scheduler.on("run:succeeded", () => {
      throw new Error("listener bug");
    });
    scheduler.on("error", ({ error, context }) => void errors.push(`${context}: ${error.message}`));
    let count = 0;
    await scheduler.addJob("j", () => void count++, { interval: 1 });
    await scheduler.start();
    await clock.advance(3000);
    assert.equal(count, 3);
    assert.deepEqual(errors, Array(3).fill("listener:run:succeeded: listener bug"));
    await scheduler.stop();
  });

  it("start() and stop() are idempotent and hand back the promise in flight", async () => {
    const { scheduler } = harness();
    const a = scheduler.start();
    assert.equal(scheduler.start(), a);
    await a;
    await scheduler.start();
    assert.equal(scheduler.state, "running");
    const s = scheduler.stop();
    assert.equal(scheduler.stop(), s);
    await s;
    await scheduler.stop();
    assert.equal(scheduler.state, "stopped");
  });

  it("keeps at most history.maxRunsPerJob finished runs per job", async () => {
    const { clock, scheduler } = harness({ history: { maxRunsPerJob: 3 } });
    await scheduler.addJob("j", () => undefined, { interval: 1 });
    await scheduler.start();
    await clock.advance(10_000);
    const runs = (await scheduler.listRuns({ jobId: "j" })).items;
    assert.deepEqual(
      runs.map((r) => r.scheduledAt.toISOString().slice(17, 19)),
      ["10", "09", "08"],
    );
    assert.equal((await scheduler.getJob("j"))?.runCount, 10);
    await scheduler.stop();
  });

  it("pausing the scheduler stops firing; on resume the catch-up policy applies", async () => {
    const { clock, scheduler } = harness();
    let count = 0;
    await scheduler.addJob("j", () => void count++, { interval: 1 });
    await scheduler.start();
    await clock.advance(1000);
    scheduler.pause();
    await clock.advance(5000);
    assert.equal(count, 1);
    scheduler.resume();
    await clock.flush();
    // Due at 2, 3, 4, 5 and 6 s, fired at 6 s with a grace of 1 s: 2-4 are late and superseded
    // (catch-up latest); 5 and 6 are on time, and 6 would overlap 5 (overlap skip).
    assert.equal(count, 2);
    assert.deepEqual(await history(scheduler, "j"), [
      "00:00:01 succeeded",
      "00:00:02 missed/catch-up",
      "00:00:03 missed/catch-up",
      "00:00:04 missed/catch-up",
      "00:00:05 succeeded",
      "00:00:06 skipped/overlap",
    ]);
    await scheduler.stop();
  });
});
