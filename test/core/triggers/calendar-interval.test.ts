/**
 * Calendar interval triggers. Cases marked APScheduler come from agronholm/apscheduler
 * tests/triggers/test_calendarinterval.py (Europe/Berlin); the rest are hand-checked dates.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { calendarTrigger } from "../../../src/core/triggers/index.js";
import { at, fires, instants, throwsInvalid } from "./helpers.js";

const berlin = "Europe/Berlin";
const from = (iso: string): number => at(iso) - 1;

describe("calendar interval trigger", () => {
  it("fires on the first pass of a repeated wall-clock time (APScheduler test_repeated_time)", () => {
    const t = calendarTrigger({
      unit: "day",
      every: 2,
      time: "02:30",
      startAt: "2016-10-30",
      timezone: berlin,
    });
    assert.deepEqual(
      fires(t, from("2016-10-30T00:00:00+02:00"), 2),
      instants("2016-10-30T02:30:00+02:00", "2016-11-01T02:30:00+01:00"),
    );
  });

  it("moves a missing wall-clock time to the end of the gap; with gap 'skip' it skips the day (APScheduler test_missing_time)", () => {
    const base = { unit: "day", time: "02:30", startAt: "2016-03-27", timezone: berlin } as const;
    assert.deepEqual(
      fires(calendarTrigger(base), from("2016-03-27T00:00:00+01:00"), 1),
      instants("2016-03-27T03:00:00+02:00"),
    );
    assert.deepEqual(
      fires(calendarTrigger({ ...base, dst: { gap: "skip" } }), from("2016-03-27T00:00:00+01:00"), 1),
      instants("2016-03-28T02:30:00+02:00"),
    );
  });

  it("clamps day 31 to the last day of shorter months (APScheduler skips them instead: test_nonexistent_days)", () => {
    const t = calendarTrigger({ unit: "month", startAt: "2016-03-31", timezone: berlin });
    assert.deepEqual(
      fires(t, from("2016-03-31T00:00:00+02:00"), 4),
      instants(
        "2016-03-31T00:00:00+02:00",
        "2016-04-30T00:00:00+02:00",
        "2016-05-31T00:00:00+02:00",
        "2016-06-30T00:00:00+02:00",
      ),
    );
  });

  it("every month on day 31 at 09:00: Feb 28 or 29, Apr 30, and back to the 31st", () => {
    const t = calendarTrigger({
      unit: "month",
      dayOfMonth: 31,
      time: "09:00",
      startAt: "2027-01-01T00:00:00Z",
      timezone: "UTC",
    });
    assert.deepEqual(
      fires(t, "2027-01-01T00:00:00Z", 5).map((x) => x!.slice(0, 10)),
      ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31"],
    );
    assert.equal(fires(t, "2028-02-01T00:00:00Z", 1)[0], "2028-02-29T09:00:00.000Z");
  });

  it("every year on February 29 fires on February 28 in common years", () => {
    const t = calendarTrigger({
      unit: "year",
      month: 2,
      dayOfMonth: 29,
      startAt: "2024-01-01T00:00:00Z",
      timezone: "UTC",
    });
    assert.deepEqual(
      fires(t, "2024-01-01T00:00:00Z", 5).map((x) => x!.slice(0, 10)),
      ["2024-02-29", "2025-02-28", "2026-02-28", "2027-02-28", "2028-02-29"],
    );
  });

  it("respects its end (APScheduler test_end_date)", () => {
    const t = calendarTrigger({
      unit: "day",
      startAt: "2020-12-31",
      endAt: "2020-12-31T23:59:59",
      timezone: berlin,
    });
    assert.deepEqual(
      fires(t, from("2020-12-31T00:00:00+01:00"), 2),
      instants("2020-12-31T00:00:00+01:00", null),
    );
  });

  it("keeps 09:00 local across DST: every 2 weeks on Monday and Friday", () => {
    // 2026-03-16 is a Monday; Berlin switches to CEST on 2026-03-29.
    const t = calendarTrigger({
      unit: "week",
      every: 2,
      weekdays: [5, 1],
      time: "09:00",
      startAt: "2026-03-16",
      timezone: berlin,
    });
    assert.deepEqual(
      fires(t, from("2026-03-16T00:00:00+01:00"), 5),
      instants(
        "2026-03-16T09:00:00+01:00",
        "2026-03-20T09:00:00+01:00",
        "2026-03-30T09:00:00+02:00",
        "2026-04-03T09:00:00+02:00",
        "2026-04-13T09:00:00+02:00",
      ),
    );
  });

  it("counts weeks from the ISO week (Monday) that contains the start", () => {
    // Start on Wednesday 2026-03-18: the first week is Mon 16 - Sun 22, so Monday 16 is before the start.
    const t = calendarTrigger({
      unit: "week",
      every: 2,
      weekdays: [1, 7],
      time: "08:00",
      startAt: "2026-03-18",
      timezone: "UTC",
    });
    assert.deepEqual(
      fires(t, "2026-03-01T00:00:00Z", 3).map((x) => x!.slice(0, 10)),
      ["2026-03-22", "2026-03-30", "2026-04-05"],
    );
  });

  it("every 3 days at 07:15:30 counts days from the start date", () => {
    const t = calendarTrigger({
      unit: "day",
      every: 3,
      time: "07:15:30",
      startAt: "2026-02-27T10:00:00Z",
      timezone: "UTC",
    });
    // Feb 27 at 07:15:30 is before the start, so the first fire is March 2 (Feb 27 + 3 days, 2026 is common).
    assert.deepEqual(
      fires(t, "2026-01-01T00:00:00Z", 3),
      instants("2026-03-02T07:15:30Z", "2026-03-05T07:15:30Z", "2026-03-08T07:15:30Z"),
    );
  });

  it("takes the day, month and weekday defaults from the start in its timezone", () => {
    // 2026-05-31T23:30Z is June 1 in Berlin.
    const monthly = calendarTrigger({
      unit: "month",
      time: "10:00",
      startAt: "2026-05-31T23:30:00Z",
      timezone: berlin,
    });
    assert.equal(monthly.toJSON().dayOfMonth, 1);
    const yearly = calendarTrigger({ unit: "year", startAt: "2026-05-31T23:30:00Z", timezone: berlin });
    assert.deepEqual([yearly.toJSON().month, yearly.toJSON().dayOfMonth], [6, 1]);
    const weekly = calendarTrigger({ unit: "week", startAt: "2026-05-31T23:30:00Z", timezone: berlin });
    assert.deepEqual(weekly.toJSON().weekdays, [1]);
  });

  it("rejects bad rules, naming the calendar field", () => {
    const startAt = "2026-01-01T00:00:00Z";
    throwsInvalid(
      () => calendarTrigger({ unit: "fortnight" as "day", startAt }),
      "calendar.unit",
      /"day", "week", "month" or "year", got "fortnight"/,
    );
    throwsInvalid(
      () => calendarTrigger({ unit: "day", every: 0, startAt }),
      "calendar.every",
      /a whole number from 1 to 10000, got 0/,
    );
    throwsInvalid(() => calendarTrigger({ unit: "day", every: 1.5, startAt }), "calendar.every");
    throwsInvalid(
      () => calendarTrigger({ unit: "day", time: "24:00", startAt }),
      "calendar.time",
      /"HH:MM" or "HH:MM:SS"/,
    );
    throwsInvalid(() => calendarTrigger({ unit: "day", time: "9am", startAt }), "calendar.time");
    throwsInvalid(
      () => calendarTrigger({ unit: "month", dayOfMonth: 32, startAt }),
      "calendar.dayOfMonth",
      /a day from 1 to 31, got 32/,
    );
    throwsInvalid(() => calendarTrigger({ unit: "month", dayOfMonth: 0, startAt }), "calendar.dayOfMonth");
    throwsInvalid(
      () => calendarTrigger({ unit: "year", month: 2, dayOfMonth: 30, startAt }),
      "calendar.dayOfMonth",
      /1 to 29 \(February has no day beyond\)/,
    );
    throwsInvalid(
      () => calendarTrigger({ unit: "year", month: 13, startAt }),
      "calendar.month",
      /1 \(January\) to 12 \(December\)/,
    );
    throwsInvalid(
      () => calendarTrigger({ unit: "week", weekdays: [0], startAt }),
      "calendar.weekdays",
      /ISO weekdays, 1 \(Monday\) to 7 \(Sunday\)/,
    );
    throwsInvalid(() => calendarTrigger({ unit: "week", weekdays: [], startAt }), "calendar.weekdays");
    throwsInvalid(() => calendarTrigger({ unit: "week", weekdays: [1, 1], startAt }), "calendar.weekdays");
    throwsInvalid(
      () => calendarTrigger({ unit: "day", dayOfMonth: 3, startAt }),
      "calendar.dayOfMonth",
      /absent with unit "day"/,
    );
    throwsInvalid(
      () => calendarTrigger({ unit: "month", weekdays: [1], startAt }),
      "calendar.weekdays",
      /applies to week/,
    );
    throwsInvalid(
      () => calendarTrigger({ unit: "month", month: 3, startAt }),
      "calendar.month",
      /applies to year/,
    );
    throwsInvalid(
      () => calendarTrigger({ unit: "day", startAt, dst: { gap: "later" as "skip" } }),
      "dst.gap",
      /"shift" or "skip"/,
    );
  });
});
