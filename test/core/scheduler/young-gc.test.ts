import assert from "node:assert/strict";
import { PerformanceObserver, constants } from "node:perf_hooks";
import { runInNewContext } from "node:vm";
import { describe, it } from "node:test";
import { collectYoungGeneration } from "../../../src/core/scheduler/young-gc.js";

/** The kinds of the garbage collections that `action` ran, as the process's gc entries report them. */
async function collectionsDuring(action: () => void): Promise<number[]> {
  const kinds: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      kinds.push((entry as unknown as { detail: { kind: number } }).detail.kind);
  });
  observer.observe({ entryTypes: ["gc"] });
  action();
  // gc entries are delivered on a later turn of the event loop.
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  observer.disconnect();
  return kinds;
}

describe("collectYoungGeneration", () => {
  it("runs one young-generation collection, and no full one", async () => {
    const kinds = await collectionsDuring(() => collectYoungGeneration());
    assert.ok(kinds.includes(constants.NODE_PERFORMANCE_GC_MINOR), `kinds: ${kinds.join(", ")}`);
    assert.ok(!kinds.includes(constants.NODE_PERFORMANCE_GC_MAJOR), `kinds: ${kinds.join(", ")}`);
  });

  it("leaves no gc function behind where the process was not started with --expose-gc", () => {
    collectYoungGeneration();
    if (process.execArgv.includes("--expose-gc")) return; // (then it is the global one)
    assert.equal(typeof (globalThis as { gc?: unknown }).gc, "undefined");
    assert.equal(runInNewContext("typeof gc"), "undefined", "a context made afterwards has none either");
  });
});
