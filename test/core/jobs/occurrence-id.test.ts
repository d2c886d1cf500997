import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { isOccurrenceId, occurrenceId, parseOccurrenceId } from "../../../src/core/jobs/job.js";

const jobIds = fc.oneof(
  fc.string({ minLength: 1, maxLength: 20 }),
  fc.constantFrom("job", "a@b", "@", "job@x"),
);
// Up to year 275760 either way: the ISO form has 4 digits or 6 with a sign.
const instants = fc.oneof(
  fc.integer({ min: 0, max: 4_102_444_800_000 }),
  fc.integer({ min: -8_640_000_000_000_000, max: 8_640_000_000_000_000 }),
);

describe("occurrence ids", () => {
  it("recognises the id of a job's occurrence", () => {
    assert.equal(isOccurrenceId("job1@2026-11-27T09:00:00.000Z", "job1", Date.UTC(2026, 10, 27, 9)), true);
    assert.deepEqual(parseOccurrenceId("job1@2026-11-27T09:00:00.000Z"), {
      jobId: "job1",
      scheduledAt: Date.UTC(2026, 10, 27, 9),
    });
  });

  it("refuses ids that name the same instant otherwise, another time or another job", () => {
    const at = Date.UTC(2026, 10, 27, 9);
    for (const id of [
      "job1@2026-11-27T09:00:00Z",
      "job1@2026-11-27T10:00:00.000+01",
      "job1@2026-11-27 09:00:00.000Z",
      "job1@2026-11-27T09:00:00.001Z",
      "job2@2026-11-27T09:00:00.000Z",
      "job1#2026-11-27T09:00:00.000Z",
      "jo@1@2026-11-27T09:00:00.000Z",
      "job1@imported-00000000000000",
      "",
    ]) {
      assert.equal(isOccurrenceId(id, "job1", at), false, id);
    }
  });

  it("agrees with building the id and comparing, for any job, instant and candidate", () => {
    fc.assert(
      fc.property(
        jobIds,
        instants,
        instants,
        fc.nat(40),
        fc.string({ minLength: 1, maxLength: 1 }),
        (jobId, at, other, position, char) => {
          const id = occurrenceId(jobId, at);
          const edited = id.slice(0, position) + char + id.slice(position + 1);
          for (const candidate of [id, edited, occurrenceId(jobId, other), occurrenceId(`${jobId}x`, at)]) {
            assert.equal(isOccurrenceId(candidate, jobId, at), candidate === occurrenceId(jobId, at));
          }
        },
      ),
    );
  });
});
