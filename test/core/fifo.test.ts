import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Fifo } from "../../src/core/executors/fifo.js";

describe("Fifo", () => {
  it("behaves as an array used as a queue, through pushes, takes, removals and compaction", () => {
    const op = fc.oneof(
      fc.record({ push: fc.integer({ min: 1, max: 3000 }) }),
      fc.record({ shift: fc.integer({ min: 1, max: 3000 }) }),
      fc.record({ take: fc.integer({ min: 0, max: 3000 }) }),
      fc.record({ remove: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const fifo = new Fifo<number>();
        const model: number[] = [];
        let next = 0;
        for (const o of ops) {
          if ("push" in o) {
            for (let i = 0; i < o.push; i++) {
              fifo.push(next);
              model.push(next++);
            }
          } else if ("shift" in o) {
            for (let i = 0; i < o.shift; i++) assert.equal(fifo.shift(), model.shift());
          } else if ("take" in o) {
            assert.deepEqual(fifo.take(o.take), model.splice(0, o.take));
          } else {
            const target = model.length === 0 ? -1 : model[o.remove % model.length]!;
            const at = model.indexOf(target);
            assert.equal(
              fifo.remove((n) => n === target),
              at >= 0 ? model.splice(at, 1)[0] : undefined,
            );
          }
          assert.equal(fifo.length, model.length);
        }
        assert.deepEqual([...fifo], model);
        assert.deepEqual(fifo.drain(), model);
        assert.equal(fifo.length, 0);
        assert.equal(fifo.shift(), undefined);
      }),
      { numRuns: 200 },
    );
  });
});
