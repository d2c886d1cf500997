import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TaskContext } from "../../src/core/tasks.js";
import { defineTask } from "../../src/core/tasks.js";
import { Queue } from "bullmq";
import { queuePrefix } from "../../src/queue/dispatch.js";
import { QueueExecutor } from "../../src/queue/executor.js";
import { queueJobId } from "../../src/queue/job-id.js";
import { redisSkip } from "../stores/redis-helpers.js";
import { type TestCluster, testCluster } from "./fixtures/cluster.js";

const LATER = (): Date => new Date(Date.now() + 3_600_000);

/** A promise and its resolver: tasks wait on these so that tests decide when they end. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Resolves when `signal` aborts: a task that only ends when it is told to. */
function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

describe("queue executor and worker", { skip: redisSkip }, () => {
  it("runs an occurrence on a worker and records it in the ledger", async () => {
    const seen: string[] = [];
    const cluster = testCluster("basic", [defineTask("echo", (text: string) => void seen.push(text))]);
    try {
      const worker = await cluster.worker();
      const scheduler = await cluster.replica();
      // A job id with ':' (BullMQ refuses ':' in its ids: job-id.ts encodes it).
      await scheduler.addJob("reports:daily", "echo", { at: LATER(), args: ["hi"] });
      const done = worker.events.once("run:succeeded");
      const run = await scheduler.runJobNow("reports:daily");
      const { run: finished } = await done;
      assert.equal(finished.id, run.id);
      assert.deepEqual(seen, ["hi"]);
      const stored = await scheduler.getRun(run.id);
      assert.equal(stored?.status, "succeeded");
      assert.equal(stored?.attempts.length, 1);
      assert.equal(stored?.worker, worker.id);
      assert.equal((await scheduler.getJob("reports:daily"))?.runCount, 1);
    } finally {
      await cluster.dispose();
    }
  });

  it("retries a failed attempt through BullMQ, no earlier than the next attempt time the ledger recorded", async () => {
    let calls = 0;
    const cluster = testCluster("retry", [
      defineTask("flaky", () => {
        calls++;
        if (calls === 1) throw new Error("first attempt fails");
      }),
    ]);
    try {
      const worker = await cluster.worker();
      const scheduler = await cluster.replica();
      await scheduler.addJob("j", "flaky", {
        at: LATER(),
        retry: { attempts: 3, delay: "300ms", backoff: "fixed", jitter: false },
      });
      const retrying = worker.events.once("run:retrying");
      const done = worker.events.once("run:succeeded");
      await scheduler.runJobNow("j");
      const { run: waiting } = await retrying;
      const { run } = await done;
      assert.equal(calls, 2);
      assert.deepEqual(
        run.attempts.map((a) => a.outcome),
        ["failed", "succeeded"],
      );
      assert.equal(run.attempts[0]!.error?.message, "first attempt fails");
      assert.ok(run.attempts[1]!.startedAt.getTime() >= waiting.nextAttemptAt!.getTime());
    } finally {
      await cluster.dispose();
    }
  });

  it("records the final failure once the attempts are used up", async () => {
    const cluster = testCluster("fail", [defineTask("broken", () => Promise.reject(new Error("always")))]);
    try {
      const worker = await cluster.worker();
      const scheduler = await cluster.replica();
      await scheduler.addJob("j", "broken", { at: LATER(), retry: { attempts: 2, delay: "50ms" } });
      const failed = worker.events.once("run:failed");
      await scheduler.runJobNow("j");
      const { run } = await failed;
      assert.equal(run.status, "failed");
      assert.equal(run.reason, "error");
      assert.equal(run.attempts.length, 2);
      assert.equal((await scheduler.getJob("j"))?.failureCount, 1);
    } finally {
      await cluster.dispose();
    }
  });

  it("times out a task that runs too long, through its AbortSignal", async () => {
    let aborted: unknown;
    const cluster = testCluster("timeout", [
      defineTask("hang", async (ctx: TaskContext) => {
        await untilAborted(ctx.signal);
        aborted = ctx.signal.reason;
      }),
    ]);
    try {
      const worker = await cluster.worker();
      const scheduler = await cluster.replica();
      await scheduler.addJob("j", "hang", { at: LATER(), timeout: "200ms" });
      const failed = worker.events.once("run:failed");
      await scheduler.runJobNow("j");
      const { run } = await failed;
      assert.equal(run.status, "timed-out");
      assert.equal(run.reason, "timeout");
      assert.equal((aborted as Error).name, "TimeoutError");
    } finally {
      await cluster.dispose();
    }
  });

  it("cancels a run executing on a worker from another process", async () => {
    const cluster = testCluster("cancel", [
      defineTask("hang", (ctx: TaskContext) => untilAborted(ctx.signal)),
    ]);
    try {
      const { worker, api, run } = await runningOnWorker(cluster);
      const cancelled = worker.events.once("run:cancelled");
      await api.cancelRun(run.id);
      const { run: after } = await cancelled;
      assert.equal(after.status, "cancelled");
      assert.equal(after.reason, "user");
    } finally {
      await cluster.dispose();
    }
  });

  it("removing a job aborts its run executing on a worker (reason job-removed)", async () => {
    let aborted!: (reason: unknown) => void;
    const abortReason = new Promise<unknown>((resolve) => (aborted = resolve));
    const cluster = testCluster("remove", [
      defineTask("hang", async (ctx: TaskContext) => {
        await untilAborted(ctx.signal);
        aborted((ctx.signal.reason as { reason?: unknown }).reason);
      }),
    ]);
    try {
      const { api } = await runningOnWorker(cluster);
      await api.removeJob("j");
      assert.equal(await abortReason, "job-removed");
      assert.equal(await api.getJob("j"), null);
      assert.deepEqual((await api.listRuns({ jobId: "j" })).items, []);
    } finally {
      await cluster.dispose();
    }
  });

  it("overlap replace cancels the run executing on a worker and starts the new occurrence", async () => {
    const cluster = testCluster("replace", [
      defineTask("hang", (ctx: TaskContext) => untilAborted(ctx.signal)),
    ]);
    try {
      const worker = await cluster.worker();
      const scheduler = await cluster.replica();
      const replaced = worker.events.once("run:cancelled");
      await scheduler.addJob("j", "hang", { interval: "300ms", overlap: "replace" });
      const { run } = await replaced;
      assert.equal(run.reason, "replaced");
      const next = await worker.events.once("run:started", { filter: (e) => e.run.id !== run.id });
      assert.ok(next.run.scheduledAt > run.scheduledAt);
    } finally {
      await cluster.dispose();
    }
  });

  it("overlap skip counts a run executing on any worker as running", async () => {
    const release = gate();
    const cluster = testCluster("skip", [defineTask("slow", () => release.promise)]);
    try {
      const workers = [await cluster.worker(), await cluster.worker()];
      const scheduler = await cluster.replica();
      const skipped = scheduler.events.once("run:skipped");
      await scheduler.addJob("j", "slow", { interval: "300ms", overlap: "skip" });
      const { run } = await skipped;
      assert.equal(run.reason, "overlap");
      release.open();
      const running = workers.flatMap((w) => w.running);
      assert.ok(running.length <= 1);
    } finally {
      release.open();
      await cluster.dispose();
    }
  });

  it("consumes only the groups it is given", async () => {
    const ran: string[] = [];
    const cluster = testCluster("groups", [defineTask("mark", (group: string) => void ran.push(group))]);
    try {
      const reports = await cluster.worker({ groups: ["reports"] });
      const scheduler = await cluster.replica();
      await scheduler.addJob("other", "mark", { at: LATER(), args: ["default"] });
      await scheduler.addJob("report", "mark", { at: LATER(), args: ["reports"], group: "reports" });
      const done = reports.events.once("run:succeeded");
      await scheduler.runJobNow("other");
      await scheduler.runJobNow("report");
      await done;
      assert.deepEqual(ran, ["reports"]);
      const defaults = await cluster.worker({ groups: ["default"] });
      await defaults.events.once("run:succeeded");
      assert.deepEqual(ran.sort(), ["default", "reports"]);
    } finally {
      await cluster.dispose();
    }
  });

  it("pausing a job cancels its run queued for a worker, which then starts nothing", async () => {
    const ran: string[] = [];
    const cluster = testCluster("pause", [defineTask("mark", () => void ran.push("ran"))]);
    try {
      const store = cluster.store();
      const executor = new QueueExecutor({ store });
      const scheduler = await cluster.replica({ store, executor });
      await scheduler.addJob("j", "mark", { at: LATER() });
      const run = await scheduler.runJobNow("j");
      await executor.onIdle();
      assert.equal((await scheduler.getRun(run.id))?.status, "dispatched");
      const paused = await scheduler.pauseJob("j");
      assert.equal(paused.activeRuns, 0);
      const cancelled = await scheduler.getRun(run.id);
      assert.equal(cancelled?.status, "cancelled");
      assert.equal(cancelled?.reason, "job-paused");
      assert.deepEqual(cancelled?.attempts, []);
      // The queue job is still there; a worker takes it, finds the run cancelled, and drops it.
      const queue = new Queue("default", { connection: store.client, prefix: queuePrefix(cluster.prefix) });
      assert.notEqual(await queue.getJobState(queueJobId(run.id)), "unknown");
      await cluster.worker();
      const deadline = Date.now() + 10_000;
      while ((await queue.getJobState(queueJobId(run.id))) !== "unknown" && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await queue.close();
      assert.deepEqual(ran, []);
      assert.equal((await scheduler.getRun(run.id))?.status, "cancelled");
    } finally {
      await cluster.dispose();
    }
  });

  it("queues again a dispatched run whose queue job was removed", async () => {
    const cluster = testCluster("lost", [defineTask("noop", () => undefined)]);
    try {
      const store = cluster.store();
      const executor = new QueueExecutor({ store, reconcileIntervalMs: 200 });
      const scheduler = await cluster.replica({ store, executor });
      await scheduler.addJob("j", "noop", { at: LATER() });
      const run = await scheduler.runJobNow("j");
      await executor.onIdle();
      assert.equal((await scheduler.getRun(run.id))?.status, "dispatched");
      // Someone removes the queued job with BullMQ's tools.
      const queue = new Queue("default", { connection: store.client, prefix: queuePrefix(cluster.prefix) });
      await queue.remove(queueJobId(run.id));
      const requeued = scheduler.events.once("error", { filter: (e) => e.context === `run ${run.id}` });
      await requeued;
      await queue.close();
      const worker = await cluster.worker();
      const done = await worker.events.once("run:succeeded");
      assert.equal(done.run.id, run.id);
    } finally {
      await cluster.dispose();
    }
  });

  it("on stop, lets a running task finish within the grace period and hands back the ones not started", async () => {
    const release = gate();
    const cluster = testCluster("grace", [defineTask("slow", () => release.promise)]);
    try {
      const first = await cluster.worker({ concurrency: 1 });
      const scheduler = await cluster.replica();
      await scheduler.addJob("a", "slow", { at: LATER() });
      await scheduler.addJob("b", "slow", { at: LATER() });
      const started = first.events.once("run:started");
      const a = await scheduler.runJobNow("a");
      await started;
      const b = await scheduler.runJobNow("b");
      const stopping = first.stop({ graceMs: 10_000 });
      release.open();
      await stopping;
      assert.equal((await scheduler.getRun(a.id))?.status, "succeeded");
      assert.notEqual((await scheduler.getRun(b.id))?.status, "succeeded");
      const second = await cluster.worker();
      const done = await second.events.once("run:succeeded");
      assert.equal(done.run.id, b.id);
    } finally {
      release.open();
      await cluster.dispose();
    }
  });

  it("on stop, aborts what still runs when the grace period ends, recorded as cancelled (shutdown)", async () => {
    const cluster = testCluster("shutdown", [
      defineTask("hang", (ctx: TaskContext) => untilAborted(ctx.signal)),
    ]);
    try {
      const worker = await cluster.worker();
      const scheduler = await cluster.replica();
      await scheduler.addJob("j", "hang", { at: LATER() });
      const started = worker.events.once("run:started");
      const run = await scheduler.runJobNow("j");
      await started;
      await worker.stop({ graceMs: 100 });
      const after = await scheduler.getRun(run.id);
      assert.equal(after?.status, "cancelled");
      assert.equal(after?.reason, "shutdown");
    } finally {
      await cluster.dispose();
    }
  });
});

/**
 * A worker, a replica and an API process of `cluster`, with a manual run of job "j" (task "hang")
 * started on the worker.
 */
async function runningOnWorker(cluster: TestCluster) {
  const worker = await cluster.worker();
  const scheduler = await cluster.replica();
  const api = await cluster.replica({ id: "api" });
  await scheduler.addJob("j", "hang", { at: LATER() });
  const started = worker.events.once("run:started");
  const run = await scheduler.runJobNow("j");
  await started;
  return { worker, api, run };
}
