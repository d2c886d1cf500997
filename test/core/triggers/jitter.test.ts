import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { jitterOffsetMs } from "../../../src/core/triggers/index.js";
import { InvalidArgumentError } from "../../../src/core/errors.js";

describe("jitterOffsetMs", () => {
  it("is a pure function of the job id and the scheduled instant", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        fc.integer({ min: 0, max: 86_400_000 }),
        (id, t, max) => {
          assert.equal(jitterOffsetMs(id, t, max), jitterOffsetMs(id, t, max));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("stays within 0 and the maximum, inclusive", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.integer({ min: -8.64e15, max: 8.64e15 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        (id, t, max) => {
          const j = jitterOffsetMs(id, t, max);
          assert.ok(Number.isInteger(j) && j >= 0 && j <= max, `${j} not in [0, ${max}]`);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("is 0 when the maximum is 0", () => {
    assert.equal(jitterOffsetMs("job", 1_700_000_000_000, 0), 0);
  });

  it("keeps the same values across releases (other processes and stored runs depend on them)", () => {
    // Pinned outputs: a change here changes when every jittered job runs.
    assert.deepEqual(
      [
        jitterOffsetMs("report", 1_767_225_600_000, 60_000),
        jitterOffsetMs("report", 1_767_229_200_000, 60_000),
        jitterOffsetMs("backup", 1_767_225_600_000, 60_000),
        jitterOffsetMs("", 0, 1000),
        jitterOffsetMs("ünïcødé-☃", 1_767_225_600_000, 300_000),
      ],
      PINNED,
    );
  });

  it("spreads occurrences evenly: 10 buckets each get 10% +- 2% of 20,000 hourly fires", () => {
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 20_000; i++)
      buckets[Math.floor(jitterOffsetMs("job-7", 1_767_225_600_000 + i * 3_600_000, 9999) / 1000)]!++;
    for (const count of buckets) assert.ok(count > 1600 && count < 2400, `bucket count ${count}`);
  });

  it("differs between jobs scheduled at the same instant", () => {
    const values = new Set<number>();
    for (let i = 0; i < 100; i++) values.add(jitterOffsetMs(`job-${i}`, 1_767_225_600_000, 3_600_000));
    assert.ok(values.size > 95, `only ${values.size} distinct values`);
  });

  it("rejects a negative or fractional maximum, a non-string id and a non-integer instant", () => {
    assert.throws(() => jitterOffsetMs("job", 0, -1), InvalidArgumentError);
    assert.throws(() => jitterOffsetMs("job", 0, 1.5), InvalidArgumentError);
    assert.throws(() => jitterOffsetMs(42 as unknown as string, 0, 10), InvalidArgumentError);
    assert.throws(() => jitterOffsetMs("job", NaN, 10), InvalidArgumentError);
  });
});

const PINNED = [55810, 44836, 33353, 731, 52123];
