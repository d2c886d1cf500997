import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fireThrowaway, prime, primeFiringPath } from "../../../src/core/scheduler/prime-sites.js";
import { harness } from "./helpers.js";

// Each test file runs in a process of its own: the first start below is this process's first.
describe("Priming V8's allocation sites with records that die young", () => {
  it("is done by a scheduler's first start in a process, once, and leaves the scheduler's store alone", async () => {
    const h = harness();
    const events: string[] = [];
    h.scheduler.events.onAny((name) => void events.push(name));
    await h.scheduler.start();
    let collected = 0;
    assert.equal(await primeFiringPath(() => void collected++), false, "already primed by start()");
    assert.equal(collected, 0);
    assert.deepEqual((await h.store.listJobs()).items, []);
    assert.deepEqual((await h.store.listRuns({})).items, []);
    assert.deepEqual(events, ["scheduler:started"]);
    await h.scheduler.stop();
  });

  it("runs every throwaway occurrence from its claim to its recorded success", async () => {
    assert.equal(await fireThrowaway(), 256);
    assert.equal(await fireThrowaway(), 256, "again: a store of its own each time");
  });

  it("collects after the firing path, and a collection that throws does not reach the caller", async () => {
    const calls: string[] = [];
    await prime(() => {
      calls.push("collect");
      throw new Error("no gc here");
    });
    assert.deepEqual(calls, ["collect"]);
    await prime(null);
  });
});
