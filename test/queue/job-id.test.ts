import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { occurrenceId } from "../../src/core/jobs/job.js";
import { queueJobId, runIdOfQueueJob } from "../../src/queue/job-id.js";

describe("queue job ids", () => {
  it("encodes an occurrence id without ':' and decodes it back", () => {
    assert.equal(queueJobId("job1@2026-11-27T09:00:00.000Z"), "job1@2026-11-27T09%3A00%3A00.000Z");
    assert.equal(runIdOfQueueJob("job1@2026-11-27T09%3A00%3A00.000Z"), "job1@2026-11-27T09:00:00.000Z");
  });

  it("round-trips any run id, '%' and ':' included", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("a", ":", "%", "3", "A", "2", "5", "@", "é") }), (id) => {
        const encoded = queueJobId(id);
        assert.ok(!encoded.includes(":"));
        assert.equal(runIdOfQueueJob(encoded), id);
      }),
    );
  });

  it("never makes an id BullMQ refuses: no ':' and never an integer", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() === s),
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        (jobId, at) => {
          const id = queueJobId(occurrenceId(jobId, at));
          assert.ok(!id.includes(":"));
          assert.notEqual(`${parseInt(id, 10)}`, id);
        },
      ),
    );
  });
});
