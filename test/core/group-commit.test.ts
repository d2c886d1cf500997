/** GroupCommit: calls made while one is in flight go out together, each keeping its own answer. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GroupCommit } from "../../src/core/stores/group-commit.js";

/** A sender whose calls the test answers by hand, recording the batches it was given. */
function manualSender<R>() {
  const batches: number[][] = [];
  const answers: Array<(results: Array<R | Error>) => void> = [];
  const failures: Array<(error: Error) => void> = [];
  const send = (items: number[]): Promise<Array<R | Error>> => {
    batches.push(items);
    return new Promise((resolve, reject) => {
      answers.push(resolve);
      failures.push(reject);
    });
  };
  return { batches, answers, failures, send };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("GroupCommit", () => {
  it("sends the calls of one turn together, and those made meanwhile as the next batch", async () => {
    const sender = manualSender<string>();
    const group = new GroupCommit(sender.send, 100);
    const first = [1, 2, 3].map((n) => group.add(n));
    await turn();
    assert.deepEqual(sender.batches, [[1, 2, 3]]);
    const second = [4, 5].map((n) => group.add(n));
    await turn();
    // The first batch is still in flight: the others wait.
    assert.deepEqual(sender.batches, [[1, 2, 3]]);
    assert.equal(group.waiting, 2);
    sender.answers[0]!(["a", "b", "c"]);
    assert.deepEqual(await Promise.all(first), ["a", "b", "c"]);
    await turn();
    assert.deepEqual(sender.batches, [
      [1, 2, 3],
      [4, 5],
    ]);
    sender.answers[1]!(["d", "e"]);
    assert.deepEqual(await Promise.all(second), ["d", "e"]);
    assert.equal(group.waiting, 0);
  });

  it("splits what waits into batches of at most maxBatch, one in flight at a time", async () => {
    const sender = manualSender<number>();
    const group = new GroupCommit(sender.send, 2);
    const calls = [1, 2, 3, 4, 5].map((n) => group.add(n));
    for (let i = 0; i < 3; i++) {
      await turn();
      assert.equal(sender.batches.length, i + 1);
      sender.answers[i]!(sender.batches[i]!.map((n) => n * 10));
    }
    assert.deepEqual(sender.batches, [[1, 2], [3, 4], [5]]);
    assert.deepEqual(await Promise.all(calls), [10, 20, 30, 40, 50]);
  });

  it("rejects only the call whose answer is an Error", async () => {
    const sender = manualSender<string>();
    const group = new GroupCommit(sender.send, 10);
    const calls = [1, 2, 3].map((n) => group.add(n));
    await turn();
    const lost = new Error("lease lost");
    sender.answers[0]!(["a", lost, "c"]);
    const settled = await Promise.allSettled(calls);
    assert.deepEqual(settled, [
      { status: "fulfilled", value: "a" },
      { status: "rejected", reason: lost },
      { status: "fulfilled", value: "c" },
    ]);
  });

  it("rejects every call of a batch whose sender failed, and goes on with the next", async () => {
    const sender = manualSender<string>();
    const group = new GroupCommit(sender.send, 10);
    const failed = [1, 2].map((n) => group.add(n));
    await turn();
    const later = group.add(3);
    const down = new Error("connection lost");
    sender.failures[0]!(down);
    for (const call of await Promise.allSettled(failed))
      assert.deepEqual(call, { status: "rejected", reason: down });
    await turn();
    assert.deepEqual(sender.batches, [[1, 2], [3]]);
    sender.answers[1]!(["c"]);
    assert.equal(await later, "c");
  });

  it("survives a sender that throws at once or answers too few results", async () => {
    let mode: "throw" | "short" | "ok" = "throw";
    const group = new GroupCommit<number, number>((items) => {
      if (mode === "throw") throw new Error("bad arguments");
      return Promise.resolve(mode === "short" ? items.slice(1) : items);
    }, 10);
    await assert.rejects(group.add(1), /bad arguments/);
    mode = "short";
    const short = await Promise.allSettled([group.add(1), group.add(2)]);
    assert.deepEqual(short[0], { status: "fulfilled", value: 2 });
    assert.ok(short[1].status === "rejected" && /answered 1 times/.test(String(short[1].reason)));
    mode = "ok";
    assert.equal(await group.add(7), 7);
  });

  it("refuses a batch size that is not a positive integer", () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      assert.throws(
        () => new GroupCommit(() => Promise.resolve([]), bad),
        /maxBatch must be a positive integer/,
      );
    }
  });
});
