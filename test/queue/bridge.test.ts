import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type CronqEvents, TypedEmitter } from "../../src/core/events.js";
import { Scheduler } from "../../src/core/scheduler/scheduler.js";
import type { TaskContext } from "../../src/core/tasks.js";
import { defineTask } from "../../src/core/tasks.js";
import { QueueExecutor } from "../../src/queue/executor.js";
import { RedisEventBridge, redisCluster, replicaHeartbeat } from "../../src/stores/redis/index.js";
import { redisSkip } from "../stores/redis-helpers.js";
import { testCluster } from "./fixtures/cluster.js";

const LATER = (): Date => new Date(Date.now() + 3_600_000);

describe("event bridge and cluster view", { skip: redisSkip }, () => {
  it("re-emits on an API process the runs that replicas and workers report", async () => {
    const noop = defineTask("noop", () => undefined);
    const cluster = testCluster("bridge", [noop]);
    const bridges: RedisEventBridge[] = [];
    try {
      const worker = await cluster.worker();
      const replica = await cluster.replica();
      // The API process: a scheduler that does not fire, on its own store.
      const apiStore = cluster.store();
      const api = new Scheduler({
        store: apiStore,
        executor: new QueueExecutor({ store: apiStore }),
        tasks: [noop],
      });
      for (const [events, options] of [
        [worker.events, { publish: true, subscribe: false }],
        [replica.events, { publish: true, subscribe: false }],
        [api.events, { publish: true, subscribe: true }],
      ] as const) {
        const bridge = new RedisEventBridge({ store: cluster.store(), ...options });
        bridges.push(bridge);
        await bridge.attach(events);
      }
      const seen: string[] = [];
      api.events.onAny((event) => void seen.push(event));
      await api.addJob("j", "noop", { at: LATER() });
      const succeeded = api.events.once("run:succeeded");
      // Not started, on a shared store: the run is handed to whichever replica looks next.
      const run = await api.runJobNow("j");
      const { run: done } = await succeeded;
      assert.equal(done.id, run.id);
      assert.ok(done.startedAt instanceof Date);
      assert.ok(done.attempts[0]!.startedAt instanceof Date);
      assert.ok(seen.includes("run:started"));
      // Its own events are not echoed back to it.
      assert.equal(seen.filter((e) => e === "job:added").length, 1);
      assert.equal(seen.filter((e) => e === "run:fired").length, 1);
    } finally {
      await Promise.all(bridges.map((b) => b.close()));
      await cluster.dispose();
    }
  });

  it("reports a message it cannot read as an error, and re-emits the readable events beside it", async () => {
    const cluster = testCluster("bridge-bad", []);
    const events = new TypedEmitter<CronqEvents>();
    const bridge = new RedisEventBridge({ store: cluster.store(), publish: false });
    try {
      await bridge.attach(events);
      const errors: string[] = [];
      events.on("error", ({ error }) => void errors.push(error.message));
      const removed = events.once("job:removed");
      const publisher = cluster.store();
      const message = {
        s: "elsewhere",
        e: [
          [
            "run:started",
            { run: { id: "a@2026-11-27T00:00:00.000Z", startedAt: "2026-11-27T00:00:00.000Z" } },
          ],
          ["job:removed", { jobId: "a" }],
        ],
      };
      await publisher.client.publish(bridge.channel, JSON.stringify(message));
      assert.deepEqual(await removed, { jobId: "a" });
      assert.deepEqual(errors, ["A run:started event from elsewhere that this cronq cannot read."]);
    } finally {
      await bridge.close();
      await cluster.dispose();
    }
  });

  it("lists live replicas and workers, what runs where, and the queue depth", async () => {
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    const cluster = testCluster("view", [
      defineTask("hold", (ctx: TaskContext) => (ctx.jobId === "held" ? hold : undefined)),
    ]);
    try {
      const worker = await cluster.worker({ concurrency: 1, heartbeatInterval: "100ms" });
      const replica = await cluster.replica();
      const heartbeat = replicaHeartbeat(cluster.store(), replica, 100);
      heartbeat.start();
      await replica.addJob("held", "hold", { at: LATER() });
      await replica.addJob("queued", "hold", { at: LATER() });
      const started = worker.events.once("run:started");
      const held = await replica.runJobNow("held");
      await started;
      await replica.runJobNow("queued");
      const view = redisCluster({ store: cluster.store(), scheduler: replica });
      // Heartbeats are written every 100 ms: wait for one that lists the running run.
      let snapshot = await view.snapshot();
      while (snapshot.workers[0]?.running.length !== 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        snapshot = await view.snapshot();
      }
      assert.deepEqual(
        snapshot.replicas.map((r) => [r.id, r.self, r.state]),
        [[replica.id, true, "running"]],
      );
      assert.equal(snapshot.workers[0].id, worker.id);
      assert.equal(snapshot.workers[0].concurrency, 1);
      assert.equal(snapshot.workers[0].running[0]!.runId, held.id);
      assert.equal(snapshot.queue.depth, 1);
      assert.deepEqual(snapshot.queue.byGroup, { default: 1 });
      release();
      await heartbeat.stop();
      await worker.stop();
      const after = await view.snapshot();
      assert.deepEqual(after.replicas, []);
      assert.deepEqual(after.workers, []);
    } finally {
      release();
      await cluster.dispose();
    }
  });
});
