import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  calendarTrigger,
  cronTrigger,
  dateTrigger,
  describeTrigger,
  intersectionTrigger,
  intervalTrigger,
  unionTrigger,
} from "../../../src/core/triggers/index.js";

describe("describe()", () => {
  it("says an interval in words", () => {
    const startAt = "2026-01-01T00:00:00Z";
    assert.equal(intervalTrigger("5m", { startAt }).describe(), "every 5 minutes");
    assert.equal(intervalTrigger("1h", { startAt }).describe(), "every hour");
    assert.equal(intervalTrigger("90m", { startAt }).describe(), "every 1 hour 30 minutes");
    assert.equal(intervalTrigger("500ms", { startAt }).describe(), "every 500 milliseconds");
    assert.equal(intervalTrigger("2w", { startAt }).describe(), "every 2 weeks");
    assert.equal(
      intervalTrigger(30, { startAt, endAt: "2026-02-01T00:00:00Z" }).describe(),
      "every 30 seconds, until 2026-02-01T00:00:00+00:00",
    );
  });

  it("says a cron expression in words, with its timezone", () => {
    assert.equal(
      cronTrigger("0 9 * * MON-FRI", { timezone: "Europe/Berlin" }).describe(),
      "at 09:00, Monday through Friday, Europe/Berlin",
    );
    assert.equal(cronTrigger("*/5 * * * *").describe(), "every 5 minutes, UTC");
    assert.equal(cronTrigger("0 12 * * 5#L").describe(), "at 12:00, on the last Friday of the month, UTC");
    assert.equal(
      cronTrigger("0 0 1-7 * MON").describe(),
      "at 00:00, between day 1 and 7 of the month, and on Monday (either day rule matches), UTC",
    );
    assert.equal(
      cronTrigger("0 0 1-7 * MON", { dayMatch: "and" }).describe(),
      "at 00:00, between day 1 and 7 of the month, and on Monday (both day rules must match), UTC",
    );
  });

  it("falls back to the expression for the few forms cronstrue cannot read", () => {
    assert.equal(cronTrigger("0 0 15W,L * *").describe(), 'on the cron schedule "0 0 15W,L * *", UTC');
  });

  it("describes every accepted cron form without throwing", () => {
    for (const expr of [
      "0 0 L-2 * *",
      "0 0 1W * *",
      "0 0 LW * *",
      "0 0 * * 0L,3#1",
      "0 0 * * FRIL",
      "0 0 ? * 1-7",
      "@weekly",
      "*/10 * * * * *",
    ]) {
      assert.match(cronTrigger(expr).describe(), /, UTC$/, expr);
    }
  });

  it("says calendar rules with their clamping", () => {
    assert.equal(
      calendarTrigger({
        unit: "month",
        dayOfMonth: 31,
        time: "09:00",
        startAt: "2026-01-01",
        timezone: "Europe/Berlin",
      }).describe(),
      "every month on day 31 (the last day of shorter months) at 09:00, Europe/Berlin, from 2026-01-01T00:00:00+01:00",
    );
    assert.equal(
      calendarTrigger({
        unit: "week",
        every: 2,
        weekdays: [1, 3, 5],
        time: "08:30:15",
        startAt: "2026-03-16T00:00:00Z",
      }).describe(),
      "every 2 weeks on Monday, Wednesday and Friday at 08:30:15, counting from 2026-03-16, UTC, from 2026-03-16T00:00:00+00:00",
    );
    assert.equal(
      calendarTrigger({ unit: "year", month: 2, dayOfMonth: 29, startAt: "2024-01-01T00:00:00Z" }).describe(),
      "every year on February 29 (February 28 in common years) at 00:00, UTC, from 2024-01-01T00:00:00+00:00",
    );
  });

  it("says a date, a union and an intersection", () => {
    assert.equal(dateTrigger("2026-05-01T10:00:00Z").describe(), "once at 2026-05-01T10:00:00+00:00");
    const startAt = "2026-01-01T00:00:00Z";
    assert.equal(
      unionTrigger([cronTrigger("0 9 * * *"), intervalTrigger("6h", { startAt })]).describe(),
      "any of: (at 09:00, UTC); (every 6 hours)",
    );
    assert.equal(
      intersectionTrigger([
        intervalTrigger("90m", { startAt }),
        cronTrigger("* 9-17 * * MON-FRI"),
      ]).describe(),
      "when all of: (every 1 hour 30 minutes); (every minute, between 09:00 and 17:59, Monday through Friday, UTC)",
    );
  });

  it("describeTrigger reads a trigger or its spec", () => {
    const t = cronTrigger("@daily", { timezone: "Asia/Kolkata" });
    assert.equal(describeTrigger(t), "at 00:00, Asia/Kolkata");
    assert.equal(describeTrigger(t.toJSON()), "at 00:00, Asia/Kolkata");
  });
});
