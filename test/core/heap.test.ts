import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { MinHeap } from "../../src/core/stores/heap.js";

describe("MinHeap", () => {
  it("pops entries in time order, equal times in push order", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), (times) => {
        const heap = new MinHeap();
        times.forEach((at, seq) => heap.push({ at, key: String(seq), seq }));
        const out: Array<[number, number]> = [];
        for (let e = heap.pop(); e; e = heap.pop()) out.push([e.at, e.seq]);
        const expected = times
          .map((at, seq) => [at, seq] as [number, number])
          .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        assert.deepEqual(out, expected);
        assert.equal(heap.size, 0);
      }),
    );
  });

  it("peeks without removing", () => {
    const heap = new MinHeap();
    assert.equal(heap.peek(), undefined);
    heap.push({ at: 5, key: "a", seq: 1 });
    heap.push({ at: 3, key: "b", seq: 2 });
    assert.equal(heap.peek()?.key, "b");
    assert.equal(heap.size, 2);
  });
});
