import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatDuration, parseDuration } from "../../src/core/duration.js";
import { InvalidArgumentError } from "../../src/core/errors.js";

describe("parseDuration", () => {
  const cases: Array<[unknown, number]> = [
    [1, 1000],
    [0.5, 500],
    ["500ms", 500],
    ["30s", 30_000],
    ["20m", 1_200_000],
    ["1h", 3_600_000],
    ["1d", 86_400_000],
    ["1w", 604_800_000],
    ["1h30m", 5_400_000],
    ["1h 30m", 5_400_000],
    ["1.5h", 5_400_000],
    ["90", 90_000],
    ["PT1H30M", 5_400_000],
    ["PT0.5S", 500],
    ["P1DT12H", 129_600_000],
    ["P2W", 1_209_600_000],
    ["pt15m", 900_000],
  ];
  for (const [input, ms] of cases) {
    it(`reads ${JSON.stringify(input)} as ${ms} ms`, () => {
      assert.equal(parseDuration(input), ms);
    });
  }

  for (const bad of [
    "",
    "1x",
    "h",
    "1h30",
    "P1Y",
    "P1M",
    "PT",
    "P",
    "-5s",
    "1h-30m",
    "ms",
    -1,
    NaN,
    Infinity,
    null,
    {},
    true,
  ]) {
    it(`rejects ${JSON.stringify(bad)} with a message naming the field and the value`, () => {
      assert.throws(
        () => parseDuration(bad, { field: "interval" }),
        (error: unknown) =>
          error instanceof InvalidArgumentError &&
          error.field === "interval" &&
          error.message.startsWith("Expected `interval` to be a duration like"),
      );
    });
  }

  it("names the unit and the value in the message", () => {
    assert.throws(() => parseDuration("1x", { field: "interval" }), {
      message:
        'Expected `interval` to be a duration like "30s", "1h30m", "500ms" or "PT1H30M", or a number of seconds, got "1x" (string)',
    });
  });

  it("enforces a minimum and refuses zero when asked", () => {
    assert.throws(() => parseDuration("10ms", { field: "x", minMs: 100 }), /at least 100ms/);
    assert.throws(() => parseDuration(0, { field: "x", allowZero: false }), /greater than zero/);
    assert.equal(parseDuration(0, { field: "x" }), 0);
  });

  it("refuses durations beyond 100 years", () => {
    assert.throws(() => parseDuration("40000d"), /at most 100 years/);
  });
});

describe("formatDuration", () => {
  it("writes the shortest exact form", () => {
    assert.equal(formatDuration(5_400_000), "1h30m");
    assert.equal(formatDuration(500), "500ms");
    assert.equal(formatDuration(0), "0s");
    assert.equal(formatDuration(90_061_001), "1d1h1m1s1ms");
  });
});
