/** The event bridge's compact run: every field of RunInfo survives JSON, instants to the millisecond. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toRunInfo } from "../../src/core/jobs/info.js";
import { decodeRun, encodeRun } from "../../src/stores/redis/run-wire.js";
import { runRecord } from "../../src/testing/records.js";

const through = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe("run wire format", () => {
  it("carries a pending, a finished, a retrying and a coalesced run unchanged", () => {
    const runs = [
      runRecord("a", 1_764_255_600_123),
      runRecord("b", 1_764_255_600_000, {
        status: "failed",
        reason: "timeout",
        args: [{ to: "x@example.com" }, 3, null, "é"],
        startedAt: 1_764_255_600_005,
        endedAt: 1_764_255_601_017,
        durationMs: 1012,
        attempts: [
          {
            attempt: 1,
            startedAt: 1_764_255_600_005,
            endedAt: 1_764_255_600_500,
            durationMs: 495,
            outcome: "failed",
            error: { name: "Error", message: "boom", code: "E1", stack: "Error: boom\n    at x" },
            worker: "w-1",
          },
          {
            attempt: 2,
            startedAt: 1_764_255_600_900,
            endedAt: 1_764_255_601_017,
            durationMs: 117,
            outcome: "timed-out",
            error: { name: "TimeoutError", message: "late" },
            worker: "w-2",
          },
        ],
        error: { name: "TimeoutError", message: "late" },
        worker: "w-2",
      }),
      runRecord("c", 1_764_255_600_000, {
        status: "retrying",
        startedAt: 1_764_255_600_001,
        nextAttemptAt: 1_764_255_610_000,
        attempts: [
          {
            attempt: 1,
            startedAt: 1_764_255_600_001,
            endedAt: 1_764_255_600_002,
            durationMs: 1,
            outcome: "failed",
            error: null,
            worker: null,
          },
        ],
      }),
      runRecord("d", 1_764_000_000_000, {
        status: "missed",
        reason: "catch-up",
        endedAt: 1_764_255_600_000,
        coalesced: { count: 4242, lastScheduledAt: 1_764_255_000_000 },
      }),
    ];
    for (const record of runs) {
      const info = toRunInfo(record);
      assert.deepEqual(decodeRun(through(encodeRun(info))), info);
    }
  });

  it("answers null for what is not a wire run (a message of another version)", () => {
    const info = toRunInfo(runRecord("a", 1000));
    for (const bad of [null, 3, "run", {}, through(info), [], encodeRun(info).slice(0, 18)]) {
      assert.equal(decodeRun(bad), null);
    }
  });
});
