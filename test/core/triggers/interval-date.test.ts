/**
 * Interval and date triggers. Interval cases marked APScheduler come from
 * agronholm/apscheduler tests/triggers/test_interval.py (its `start_time` is the first fire).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dateTrigger, intervalTrigger } from "../../../src/core/triggers/index.js";
import { InvalidArgumentError } from "../../../src/core/errors.js";
import { at, fires, instants, throwsInvalid } from "./helpers.js";

describe("interval trigger", () => {
  it("fires at the start, then every interval, until the end (APScheduler test_end_time)", () => {
    const t = intervalTrigger("1h6s", {
      startAt: "2020-05-16T19:32:44.649+02:00",
      endAt: "2020-05-16T22:33:01+02:00",
    });
    assert.deepEqual(
      fires(t, at("2020-05-16T19:32:44.649+02:00") - 1, 4),
      instants(
        "2020-05-16T19:32:44.649+02:00",
        "2020-05-16T20:32:50.649+02:00",
        "2020-05-16T21:32:56.649+02:00",
        null,
      ),
    );
  });

  it("counts elapsed time across DST changes (APScheduler test_elapsed_interval_across_dst)", () => {
    // Berlin: 2026-03-29 02:00 CET -> 03:00 CEST; 2026-10-25 03:00 CEST -> 02:00 CET.
    for (const start of [
      "2026-03-29T01:59:59.123+01:00",
      "2026-10-25T02:59:59.123+02:00",
      "2026-10-25T02:30:00.123+01:00",
    ]) {
      const t = intervalTrigger(1, { startAt: start, timezone: "Europe/Berlin" });
      const s = at(start);
      assert.deepEqual(
        fires(t, s - 1, 3),
        [s, s + 1000, s + 2000].map((x) => new Date(x).toISOString()),
        start,
      );
    }
  });

  it("allows an end in the second pass of a fold after a start in the first (APScheduler test_end_time_validation_across_dst)", () => {
    const t = intervalTrigger("15m", {
      startAt: "2026-10-25T02:45:00+02:00",
      endAt: "2026-10-25T02:15:00+01:00",
    });
    assert.deepEqual(
      fires(t, at("2026-10-25T02:45:00+02:00") - 1, 4),
      instants("2026-10-25T02:45:00+02:00", "2026-10-25T01:00:00Z", "2026-10-25T02:15:00+01:00", null),
    );
    throwsInvalid(
      () =>
        intervalTrigger("15m", { startAt: "2026-10-25T02:15:00+01:00", endAt: "2026-10-25T02:45:00+02:00" }),
      "endAt",
    );
  });

  it("an end equal to the start allows exactly one fire (APScheduler test_end_time_does_not_allow_later_fold)", () => {
    const t = intervalTrigger("1h", {
      startAt: "2026-10-25T02:30:00+02:00",
      endAt: "2026-10-25T02:30:00+02:00",
    });
    assert.deepEqual(
      fires(t, at("2026-10-25T02:30:00+02:00") - 1, 2),
      instants("2026-10-25T02:30:00+02:00", null),
    );
  });

  it("an hourly interval keeps 60 minutes between fires while New York's clock jumps", () => {
    const t = intervalTrigger("1h", { startAt: "2025-03-09T00:30:00-05:00" });
    assert.deepEqual(
      fires(t, "2025-03-09T00:30:00-05:00", 2),
      instants("2025-03-09T01:30:00-05:00", "2025-03-09T03:30:00-04:00"),
    );
  });

  it("aligns to its anchor from any instant, also far past the start", () => {
    const t = intervalTrigger("90m", { startAt: "2026-01-01T00:00:00Z" });
    assert.equal(t.nextMs(at("2026-06-01T00:00:00Z")), at("2026-06-01T01:30:00Z"));
    assert.equal(t.nextMs(at("2026-06-01T01:30:00Z")), at("2026-06-01T03:00:00Z"));
    assert.equal(t.nextMs(at("2025-01-01T00:00:00Z")), at("2026-01-01T00:00:00Z"));
  });

  it("reads numbers as seconds and durations in every documented form", () => {
    const start = "2026-01-01T00:00:00Z";
    for (const [every, ms] of [
      [1, 1000],
      [0.5, 500],
      ["500ms", 500],
      ["30s", 30_000],
      ["20m", 1_200_000],
      ["1d", 86_400_000],
      ["1h30m", 5_400_000],
      ["PT1H30M", 5_400_000],
    ] as const) {
      assert.equal(
        intervalTrigger(every, { startAt: start }).nextMs(at(start)),
        at(start) + ms,
        String(every),
      );
    }
  });

  it("rejects a zero, negative or malformed interval (APScheduler test_bad_interval)", () => {
    const startAt = "2026-01-01T00:00:00Z";
    throwsInvalid(
      () => intervalTrigger(0, { startAt }),
      "interval",
      "Expected `interval` to be a duration of at least 1ms, got 0 (number)",
    );
    throwsInvalid(
      () => intervalTrigger(-5, { startAt }),
      "interval",
      /Expected `interval` to be a duration like "30s"/,
    );
    throwsInvalid(() => intervalTrigger("1x", { startAt }), "interval", /got "1x" \(string\)/);
    throwsInvalid(() => intervalTrigger("P1M", { startAt }), "interval", /may not use years or months/);
  });

  it("rejects an end before the start (APScheduler test_bad_end_time)", () => {
    throwsInvalid(
      () => intervalTrigger(1, { startAt: "2020-05-16T00:00:00+02:00", endAt: "2020-05-15T00:00:00+02:00" }),
      "endAt",
      /Expected `endAt` to be an instant at or after startAt \(2020-05-15T22:00:00.000Z\)/,
    );
  });
});

describe("date trigger", () => {
  it("fires once at its instant, then never (APScheduler test_date.py semantics)", () => {
    const t = dateTrigger("2026-05-01T10:00:00Z");
    assert.equal(t.recurring, false);
    assert.deepEqual(fires(t, "2026-01-01T00:00:00Z", 2), instants("2026-05-01T10:00:00Z", null));
    assert.equal(t.nextMs(at("2026-05-01T10:00:00Z")), null);
    assert.equal(t.nextMs(at("2026-05-01T09:59:59.999Z")), at("2026-05-01T10:00:00Z"));
  });

  it("accepts a Date and epoch milliseconds", () => {
    assert.equal(dateTrigger(new Date("2026-05-01T10:00:00Z")).nextMs(0), at("2026-05-01T10:00:00Z"));
    assert.equal(dateTrigger(at("2026-05-01T10:00:00Z")).nextMs(0), at("2026-05-01T10:00:00Z"));
  });

  it("reads ISO text without an offset as wall-clock time in its timezone", () => {
    assert.equal(
      dateTrigger("2026-07-01 09:00", { timezone: "Europe/Berlin" }).nextMs(0),
      at("2026-07-01T09:00:00+02:00"),
    );
    assert.equal(
      dateTrigger("2026-01-15", { timezone: "America/New_York" }).nextMs(0),
      at("2026-01-15T00:00:00-05:00"),
    );
    assert.equal(dateTrigger("2026-01-15T10:11:12.5").nextMs(0), at("2026-01-15T10:11:12.500Z"));
  });

  it("resolves a wall-clock time in a DST gap to the end of the gap, and a repeated one to its first pass", () => {
    assert.equal(
      dateTrigger("2025-03-09T02:30", { timezone: "America/New_York" }).nextMs(0),
      at("2025-03-09T03:00:00-04:00"),
    );
    assert.equal(
      dateTrigger("2025-11-02T01:30", { timezone: "America/New_York" }).nextMs(0),
      at("2025-11-02T01:30:00-04:00"),
    );
  });

  it("rejects malformed and impossible dates, naming `at`", () => {
    const expected = /Expected `at` to be a Date, epoch milliseconds, or an ISO 8601 date-time/;
    for (const bad of [
      "tomorrow",
      "2026-02-30",
      "2026-13-01",
      "2026-01-01T24:00",
      "2026-01-01T10:60",
      "2026-1-1",
      "",
    ]) {
      throwsInvalid(() => dateTrigger(bad), "at", expected);
    }
    throwsInvalid(() => dateTrigger(new Date(NaN)), "at", /got Invalid Date \(Date\)/);
    throwsInvalid(() => dateTrigger(1.5), "at", expected);
    throwsInvalid(() => dateTrigger(null as unknown as string), "at", /got null/);
    throwsInvalid(() => dateTrigger("1850-01-01T00:00:00Z"), "at", /between the years 1900 and 9999/);
  });
});

describe("every trigger's next()", () => {
  it("rejects an invalid Date and NaN", () => {
    const t = dateTrigger("2026-05-01T10:00:00Z");
    assert.throws(() => t.next(new Date(NaN)), InvalidArgumentError);
    assert.throws(() => t.nextMs(NaN), InvalidArgumentError);
    assert.throws(() => t.next("2026-01-01" as unknown as Date), InvalidArgumentError);
  });

  it("searches from 1900 for -Infinity and finds nothing after 9999", () => {
    const t = intervalTrigger("1d", { startAt: "2026-01-01T00:00:00Z" });
    assert.equal(t.nextMs(-Infinity), at("2026-01-01T00:00:00Z"));
    assert.equal(t.nextMs(Infinity), null);
    assert.equal(t.nextMs(at("9999-12-31T12:00:00Z")), null);
  });

  it("returns a new Date for next(Date)", () => {
    const t = intervalTrigger("1m", { startAt: "2026-01-01T00:00:00Z" });
    assert.deepEqual(t.next(new Date("2026-01-01T00:00:30Z")), new Date("2026-01-01T00:01:00Z"));
  });
});
