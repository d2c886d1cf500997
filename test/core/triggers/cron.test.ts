/**
 * Cron next-fire times. Expected values come from the public test suites of croniter, cron-parser,
 * robfig/cron and APScheduler (the source file is cited next to each case), or are hand-checked
 * calendar facts whose reasoning is written next to them. Times without a zone in those suites
 * are read as UTC here.
 *
 * Field order: croniter puts an optional seconds field LAST ("* * * * * 15,25"); robfig/cron,
 * cron-parser and cronq put it FIRST. Cases taken from croniter are rewritten seconds-first.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cronTrigger, type CronTriggerOptions } from "../../../src/core/triggers/index.js";
import { at, fires, instants, throwsInvalid } from "./helpers.js";

interface Case {
  expr: string;
  after: string;
  expected: string[];
  options?: CronTriggerOptions;
  source: string;
}

function check(cases: Case[]): void {
  for (const c of cases) {
    const opts = c.options ?? {};
    const name = `${c.expr}${opts.timezone ? ` in ${opts.timezone}` : ""}${opts.dayMatch === "and" ? " (day rules ANDed)" : ""} after ${c.after} fires at ${c.expected.join(", ")}`;
    it(name, () => {
      const trigger = cronTrigger(c.expr, opts);
      assert.deepEqual(fires(trigger, c.after, c.expected.length), instants(...c.expected), c.source);
    });
  }
}

describe("cron: cases from croniter (src/croniter/tests/test_croniter.py)", () => {
  check([
    // testSecondSec: '* * * * * 15,25' (seconds last in croniter)
    {
      expr: "15,25 * * * * *",
      after: "2012-04-06T13:26:10Z",
      expected: ["2012-04-06T13:26:15Z", "2012-04-06T13:26:25Z", "2012-04-06T13:27:15Z"],
      source: "croniter testSecondSec",
    },
    // testSecondRepeat: '* * * * * */15'
    {
      expr: "*/15 * * * * *",
      after: "2012-04-06T13:26:36Z",
      expected: ["2012-04-06T13:26:45Z", "2012-04-06T13:27:00Z", "2012-04-06T13:27:15Z"],
      source: "croniter testSecondRepeat",
    },
    // testMinute: '*/5 * * * *' from 12:18 gives 12:20 ... 12:55, then 13:00
    {
      expr: "*/5 * * * *",
      after: "2010-01-23T12:18:00Z",
      expected: [
        "2010-01-23T12:20:00Z",
        "2010-01-23T12:25:00Z",
        "2010-01-23T12:30:00Z",
        "2010-01-23T12:35:00Z",
        "2010-01-23T12:40:00Z",
        "2010-01-23T12:45:00Z",
        "2010-01-23T12:50:00Z",
        "2010-01-23T12:55:00Z",
        "2010-01-23T13:00:00Z",
      ],
      source: "croniter testMinute",
    },
    // testHour
    {
      expr: "0 */3 * * *",
      after: "2010-01-24T12:02:00Z",
      expected: [
        "2010-01-24T15:00:00Z",
        "2010-01-24T18:00:00Z",
        "2010-01-24T21:00:00Z",
        "2010-01-25T00:00:00Z",
      ],
      source: "croniter testHour",
    },
    // testDay: 1 4 7 ... 25 28, then March 1
    {
      expr: "0 0 */3 * *",
      after: "2010-02-24T12:09:00Z",
      expected: ["2010-02-25T00:00:00Z", "2010-02-28T00:00:00Z", "2010-03-01T00:00:00Z"],
      source: "croniter testDay",
    },
    // testDay, leap years 1996 and 2000
    {
      expr: "0 0 * * *",
      after: "1996-02-27T00:00:00Z",
      expected: ["1996-02-28T00:00:00Z", "1996-02-29T00:00:00Z"],
      source: "croniter testDay (leap year)",
    },
    {
      expr: "0 0 * * *",
      after: "2000-02-27T00:00:00Z",
      expected: ["2000-02-28T00:00:00Z", "2000-02-29T00:00:00Z"],
      source: "croniter testDay (leap year 2000)",
    },
    // testWeekDay
    {
      expr: "0 0 * * sat",
      after: "2010-02-25T00:00:00Z",
      expected: ["2010-02-27T00:00:00Z", "2010-03-06T00:00:00Z"],
      source: "croniter testWeekDay",
    },
    {
      expr: "0 0 1 * wed",
      after: "2010-01-25T00:00:00Z",
      expected: ["2010-01-27T00:00:00Z", "2010-02-01T00:00:00Z", "2010-02-03T00:00:00Z"],
      source: "croniter testWeekDay (day-of-month OR day-of-week)",
    },
    // testNthWeekDay
    {
      expr: "0 0 * * sat#1",
      after: "2010-02-25T00:00:00Z",
      expected: ["2010-03-06T00:00:00Z", "2010-04-03T00:00:00Z"],
      source: "croniter testNthWeekDay",
    },
    {
      expr: "0 0 * * wed#5",
      after: "2010-01-25T00:00:00Z",
      expected: ["2010-03-31T00:00:00Z", "2010-06-30T00:00:00Z", "2010-09-29T00:00:00Z"],
      source: "croniter testNthWeekDay",
    },
    // testWeekDayDayAnd (day_or=False)
    {
      expr: "0 0 1 * mon",
      options: { dayMatch: "and" },
      after: "2010-01-25T00:00:00Z",
      expected: ["2010-02-01T00:00:00Z", "2010-03-01T00:00:00Z", "2010-11-01T00:00:00Z"],
      source: "croniter testWeekDayDayAnd",
    },
    // testMonth: February 2010 to January 2011
    {
      expr: "0 0 1 * *",
      after: "2010-01-25T00:00:00Z",
      expected: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
        .map((m) => `2010-${String(m).padStart(2, "0")}-01T00:00:00Z`)
        .concat("2011-01-01T00:00:00Z"),
      source: "croniter testMonth",
    },
    // testLastDayOfMonth (lower-case l)
    {
      expr: "0 0 l * *",
      after: "2015-09-04T00:00:00Z",
      expected: [
        "2015-09-30T00:00:00Z",
        "2015-10-31T00:00:00Z",
        "2015-11-30T00:00:00Z",
        "2015-12-31T00:00:00Z",
      ],
      source: "croniter testLastDayOfMonth",
    },
    // testISOWeekday: 7 is Sunday
    {
      expr: "0 0 * * 7",
      after: "2010-02-25T00:00:00Z",
      expected: ["2010-02-28T00:00:00Z", "2010-03-07T00:00:00Z"],
      source: "croniter testISOWeekday",
    },
    // testBug2
    {
      expr: "0 * * 3 *",
      after: "2012-01-01T00:00:00Z",
      expected: ["2012-03-01T00:00:00Z", "2012-03-01T01:00:00Z", "2012-03-01T02:00:00Z"],
      source: "croniter testBug2",
    },
    // testBug3
    {
      expr: "00 03 16,30 * *",
      after: "2013-03-01T12:17:34.257Z",
      expected: ["2013-03-16T03:00:00Z", "2013-03-30T03:00:00Z", "2013-04-16T03:00:00Z"],
      source: "croniter testBug3",
    },
    // testBug57: a/n runs from a to the end of the field
    {
      expr: "0 4/6 * * *",
      after: "2012-02-24T00:00:00Z",
      expected: ["2012-02-24T04:00:00Z"],
      source: "croniter testBug57",
    },
    {
      expr: "0 0/6 * * *",
      after: "2012-02-24T00:00:00Z",
      expected: ["2012-02-24T06:00:00Z"],
      source: "croniter testBug57",
    },
    // test_multiple_months
    {
      expr: "0 0 1 3,6,9,12 *",
      after: "2016-03-01T00:00:00Z",
      expected: ["2016-06-01T00:00:00Z"],
      source: "croniter test_multiple_months",
    },
    {
      expr: "0 0 1 3,6,9,12 *",
      after: "2016-02-15T00:00:00Z",
      expected: ["2016-03-01T00:00:00Z"],
      source: "croniter test_multiple_months",
    },
    {
      expr: "0 0 1 3,6,9,12 *",
      after: "2016-12-03T10:00:00Z",
      expected: ["2017-03-01T00:00:00Z"],
      source: "croniter test_multiple_months",
    },
    // test_rangeGenerator
    {
      expr: "1-9/2 0 1 * *",
      after: "2013-03-04T00:00:00Z",
      expected: [
        "2013-04-01T00:01:00Z",
        "2013-04-01T00:03:00Z",
        "2013-04-01T00:05:00Z",
        "2013-04-01T00:07:00Z",
        "2013-04-01T00:09:00Z",
      ],
      source: "croniter test_rangeGenerator",
    },
    // testSundayToThursdayWithAlphaConversion (2010-08-25 is a Wednesday)
    {
      expr: "30 22 * * sun-thu",
      after: "2010-08-25T15:56:00Z",
      expected: ["2010-08-25T22:30:00Z"],
      source: "croniter testSundayToThursdayWithAlphaConversion",
    },
    // test_issue145 (day_or=False): the 8th of a quarter's first month that is a Wednesday
    {
      expr: "0 13 8 1,4,7,10 wed",
      options: { dayMatch: "and" },
      after: "2020-09-24T00:00:00Z",
      expected: ["2025-01-08T13:00:00Z"],
      source: "croniter test_issue145",
    },
    // test_issue156: '* * * * *,0' (seconds last) from 11:00:59.999999 is 1547463660
    {
      expr: "*,0 * * * * *",
      after: "2019-01-14T11:00:59.999Z",
      expected: ["2019-01-14T11:01:00Z"],
      source: "croniter test_issue156",
    },
    // test_std_dst3: Adelaide leaves DST (+10:30 -> +09:30) on 2020-04-05
    {
      expr: "0 0 24 * *",
      options: { timezone: "Australia/Adelaide" },
      after: "2020-03-24T00:00:00+10:30",
      expected: ["2020-04-24T00:00:00+09:30"],
      source: "croniter test_std_dst3",
    },
  ]);

  // test_milliseconds: sub-second positions of `after`
  it("0 10 * * * fires the next day when `after` is a fraction past 10:00, and at 10:00 from just before", () => {
    // croniter test_milliseconds (500 microseconds past, and 1 microsecond before)
    const trigger = cronTrigger("0 10 * * *");
    assert.equal(trigger.nextMs(at("2018-01-02T10:00:00Z") + 0.5), at("2018-01-03T10:00:00Z"));
    assert.equal(trigger.nextMs(at("2018-01-02T10:00:01Z")), at("2018-01-03T10:00:00Z"));
    assert.equal(trigger.nextMs(at("2018-01-02T10:00:00Z") - 0.001), at("2018-01-02T10:00:00Z"));
  });

  // test_weekday_range and test_issue_monsun_117: each search starts one day after the last fire
  for (const [expr, expected, source] of [
    [
      "* 0 0 * * 2-4",
      [
        "2019-01-15 00:00:00",
        "2019-01-16 00:00:01",
        "2019-01-17 00:00:02",
        "2019-01-22 00:00:00",
        "2019-01-23 00:00:01",
        "2019-01-24 00:00:02",
        "2019-01-29 00:00:00",
        "2019-01-30 00:00:01",
        "2019-01-31 00:00:02",
        "2019-02-05 00:00:00",
      ],
      "croniter test_weekday_range ('0 0 * * 2-4 *')",
    ],
    [
      "* 0 0 * * Wed-Sun",
      [
        "2019-01-16 00:00:00",
        "2019-01-17 00:00:01",
        "2019-01-18 00:00:02",
        "2019-01-19 00:00:03",
        "2019-01-20 00:00:04",
        "2019-01-23 00:00:00",
        "2019-01-24 00:00:01",
        "2019-01-25 00:00:02",
        "2019-01-26 00:00:03",
        "2019-01-27 00:00:04",
      ],
      "croniter test_issue_monsun_117 ('0 0 * * Wed-Sun *')",
    ],
  ] as const) {
    it(`${expr} with each search one day after the last fire gives croniter's sequence`, () => {
      const trigger = cronTrigger(expr);
      let after = at("2019-01-14T00:00:00Z");
      const got: string[] = [];
      for (let i = 0; i < 10; i++) {
        const next = trigger.nextMs(after)!;
        got.push(new Date(next).toISOString().replace("T", " ").slice(0, 19));
        after = next + 86_400_000;
      }
      assert.deepEqual(got, expected, source);
    });
  }
});

describe("cron: cases from robfig/cron (spec_test.go, TestNext and TestActivation)", () => {
  // robfig/cron's Parse reads "sec min hour dom month [dow]": its five-field specs have seconds first
  // and no day of week, so they are written here with a trailing "*" for the day of week.
  check([
    {
      expr: "0 0/15 * * * *",
      after: "2012-07-09T14:45:00Z",
      expected: ["2012-07-09T15:00:00Z"],
      source: "robfig TestNext",
    },
    {
      expr: "0 0/15 * * * *",
      after: "2012-07-09T14:59:00Z",
      expected: ["2012-07-09T15:00:00Z"],
      source: "robfig TestNext",
    },
    {
      expr: "0 0/15 * * * *",
      after: "2012-07-09T14:59:59Z",
      expected: ["2012-07-09T15:00:00Z"],
      source: "robfig TestNext",
    },
    {
      expr: "0 20-35/15 * * * *",
      after: "2012-07-09T15:45:00Z",
      expected: ["2012-07-09T16:20:00Z"],
      source: "robfig TestNext (wrap hours)",
    },
    {
      expr: "0 */15 * * * *",
      after: "2012-07-09T23:46:00Z",
      expected: ["2012-07-10T00:00:00Z"],
      source: "robfig TestNext (wrap days)",
    },
    {
      expr: "0 20-35/15 * * * *",
      after: "2012-07-09T23:45:00Z",
      expected: ["2012-07-10T00:20:00Z"],
      source: "robfig TestNext",
    },
    {
      expr: "15/35 20-35/15 * * * *",
      after: "2012-07-09T23:35:51Z",
      expected: ["2012-07-10T00:20:15Z"],
      source: "robfig TestNext",
    },
    {
      expr: "15/35 20-35/15 1/2 * * *",
      after: "2012-07-09T23:35:51Z",
      expected: ["2012-07-10T01:20:15Z"],
      source: "robfig TestNext",
    },
    {
      expr: "15/35 20-35/15 10-12 * * *",
      after: "2012-07-09T23:35:51Z",
      expected: ["2012-07-10T10:20:15Z"],
      source: "robfig TestNext",
    },
    {
      expr: "15/35 20-35/15 1/2 */2 * *",
      after: "2012-07-09T23:35:51Z",
      expected: ["2012-07-11T01:20:15Z"],
      source: "robfig TestNext",
    },
    {
      expr: "15/35 20-35/15 * 9-20 * *",
      after: "2012-07-09T23:35:51Z",
      expected: ["2012-07-10T00:20:15Z"],
      source: "robfig TestNext",
    },
    {
      expr: "15/35 20-35/15 * 9-20 Jul *",
      after: "2012-07-09T23:35:51Z",
      expected: ["2012-07-10T00:20:15Z"],
      source: "robfig TestNext",
    },
    {
      expr: "0 0 0 9 Apr-Oct ?",
      after: "2012-07-09T23:35:00Z",
      expected: ["2012-08-09T00:00:00Z"],
      source: "robfig TestNext (wrap months)",
    },
    {
      expr: "0 0 0 */5 Oct Mon",
      after: "2012-07-09T23:35:00Z",
      expected: ["2012-10-01T00:00:00Z"],
      source: "robfig TestNext",
    },
    {
      expr: "0 0 0 * Feb Mon",
      after: "2012-07-09T23:35:00Z",
      expected: ["2013-02-04T00:00:00Z"],
      source: "robfig TestNext (wrap years)",
    },
    {
      expr: "0 0 0 * Feb Mon/2",
      after: "2012-07-09T23:35:00Z",
      expected: ["2013-02-01T00:00:00Z"],
      source: "robfig TestNext",
    },
    {
      expr: "0 * * * * *",
      after: "2012-12-31T23:59:45Z",
      expected: ["2013-01-01T00:00:00Z"],
      source: "robfig TestNext (wrap everything)",
    },
    {
      expr: "0 0 0 29 Feb ?",
      after: "2012-07-09T23:35:00Z",
      expected: ["2016-02-29T00:00:00Z"],
      source: "robfig TestNext (leap year)",
    },
    {
      expr: "0 30 2 04 Nov ?",
      options: { timezone: "America/New_York" },
      after: "2012-11-04T00:00:00-04:00",
      expected: ["2012-11-04T02:30:00-05:00"],
      source: "robfig TestNext (EDT -> EST)",
    },
  ]);

  // TestActivation: Next(t - 1s) == t exactly when the expression matches t.
  const activation: Array<[string, string, boolean]> = [
    ["2012-07-15T15:00:00Z", "0 0/15 * * Jul *", true],
    ["2012-07-15T15:00:00Z", "0 0/15 * * Jun *", false],
    ["2012-07-15T08:30:00Z", "0 30 08 ? Jul Sun", true],
    ["2012-07-15T08:30:00Z", "0 30 08 15 Jul ?", true],
    ["2012-07-16T08:30:00Z", "0 30 08 ? Jul Sun", false],
    ["2012-07-16T08:30:00Z", "0 30 08 15 Jul ?", false],
    ["2012-07-09T15:00:00Z", "@hourly", true],
    ["2012-07-09T15:04:00Z", "@hourly", false],
    ["2012-07-09T15:00:00Z", "@daily", false],
    ["2012-07-09T00:00:00Z", "@daily", true],
    ["2012-07-09T00:00:00Z", "@weekly", false],
    ["2012-07-08T00:00:00Z", "@weekly", true],
    ["2012-07-08T01:00:00Z", "@weekly", false],
    ["2012-07-08T00:00:00Z", "@monthly", false],
    ["2012-07-01T00:00:00Z", "@monthly", true],
    // Both day fields restricted: either may match.
    ["2012-07-15T00:00:00Z", "0 * * 1,15 * Sun", true],
    ["2012-06-15T00:00:00Z", "0 * * 1,15 * Sun", true],
    ["2012-08-01T00:00:00Z", "0 * * 1,15 * Sun", true],
    // One of them is a star: both must match.
    ["2012-07-15T00:00:00Z", "0 * * * * Mon", false],
    ["2012-07-09T00:00:00Z", "0 * * 1,15 * *", false],
    ["2012-07-15T00:00:00Z", "0 * * 1,15 * *", true],
    ["2012-07-15T00:00:00Z", "0 * * */2 * Sun", true],
  ];
  for (const [time, expr, expected] of activation) {
    it(`${expr} ${expected ? "fires" : "does not fire"} at ${time}`, () => {
      const t = at(time);
      assert.equal(cronTrigger(expr).nextMs(t - 1000) === t, expected, "robfig TestActivation");
    });
  }

  it("0 0 0 30 Feb ? and 0 0 0 31 Apr ? never fire, so they are rejected when built", () => {
    // robfig TestNext "Unsatisfiable": Next returns the zero time.
    throwsInvalid(() => cronTrigger("0 0 0 30 Feb ?"), "cron", /never fires/);
    throwsInvalid(() => cronTrigger("0 0 0 31 Apr ?"), "cron", /never fires/);
  });
});

describe("cron: cases from cron-parser (tests/*.test.ts)", () => {
  it("0 0 31 * * gives 2103-08-31 as the 20th fire after 2100-10-31", () => {
    // cron-parser tests/31_of_month.test.ts
    assert.equal(
      fires(cronTrigger("0 0 31 * *"), "2100-10-31T00:00:00Z", 20).at(-1),
      "2103-08-31T00:00:00.000Z",
    );
  });

  // cron-parser tests/parser_day_of_month.test.ts: last weekday n of September 2021
  for (const [expr, day] of [
    ["0 0 0 * * 1L", 27],
    ["0 0 0 * * 2L", 28],
    ["0 0 0 * * 3L", 29],
    ["0 0 0 * * 4L", 30],
    ["0 0 0 * * 5L", 24],
    ["0 0 0 * * 6L", 25],
    ["0 0 0 * * 0L", 26],
    ["0 0 0 * * 7L", 26],
  ] as const) {
    it(`${expr} first fires on September ${day}, 2021`, () => {
      assert.deepEqual(
        fires(cronTrigger(expr), "2021-09-01T00:00:00Z", 1),
        instants(`2021-09-${day}T00:00:00Z`),
      );
    });
  }

  it("0 0 0 * * 1L,5L fires on the last Friday and the last Monday of September 2021", () => {
    assert.deepEqual(
      fires(cronTrigger("0 0 0 * * 1L,5L"), "2021-09-01T00:00:00Z", 2),
      instants("2021-09-24T00:00:00Z", "2021-09-27T00:00:00Z"),
    );
  });

  it("0 0 0 * * 1,5L fires every Monday and the last Friday of September 2021", () => {
    const trigger = cronTrigger("0 0 0 * * 1,5L", { endAt: "2021-09-30T00:00:00Z" });
    assert.deepEqual(
      fires(trigger, "2021-09-01T00:00:00Z", 6),
      instants(
        "2021-09-06T00:00:00Z",
        "2021-09-13T00:00:00Z",
        "2021-09-20T00:00:00Z",
        "2021-09-24T00:00:00Z",
        "2021-09-27T00:00:00Z",
        null,
      ),
    );
  });

  it("0 0 6-20/2,L 2 * fires 9 times in February 2016, last on the 29th", () => {
    const trigger = cronTrigger("0 0 6-20/2,L 2 *", { endAt: "2016-11-01T00:00:00Z" });
    const got = fires(trigger, "2016-01-01T00:00:00Z", 10);
    assert.equal(got.indexOf(null), 9);
    assert.equal(got[8], "2016-02-29T00:00:00.000Z");
  });

  it("0 0 1,3,6-10,L 2 * last fires on February 28 in the common year 2014", () => {
    const trigger = cronTrigger("0 0 1,3,6-10,L 2 *", { endAt: "2014-11-01T00:00:00Z" });
    const got = fires(trigger, "2014-01-01T00:00:00Z", 10).filter((x) => x !== null);
    assert.equal(got.at(-1), "2014-02-28T00:00:00.000Z");
  });
});

describe("cron: cases from APScheduler (tests/triggers/test_cron.py)", () => {
  // APScheduler's start_time is inclusive, so these search from 1 ms before it.
  const from = (iso: string): number => at(iso) - 1;
  it("0 0 L 2 * fires on 2012-02-29 (test_cron_trigger_4)", () => {
    assert.equal(
      cronTrigger("0 0 L 2 *", { timezone: "Europe/Berlin" }).nextMs(from("2012-02-01T00:00:00+01:00")),
      at("2012-02-29T00:00:00+01:00"),
    );
  });
  it("day 6-10 of January 2009 AND Wednesday-Friday is January 7 (test_weekday_overlap)", () => {
    const t = cronTrigger("0 0 6-10 1 wed-fri", { timezone: "Europe/Berlin", dayMatch: "and" });
    assert.equal(t.nextMs(from("2009-01-01T00:00:00+01:00")), at("2009-01-07T00:00:00+01:00"));
  });
  it("the last Sunday of each month of 2020 (test_last_weekday)", () => {
    const t = cronTrigger("0 0 * * sun#L", { timezone: "Europe/Berlin" });
    assert.deepEqual(
      fires(t, from("2020-01-01T00:00:00+01:00"), 3),
      instants("2020-01-26T00:00:00+01:00", "2020-02-23T00:00:00+01:00", "2020-03-29T00:00:00+01:00"),
    );
  });
  it("the 4th Wednesday of January 2009 (test_weekday_positional)", () => {
    const t = cronTrigger("0 0 * 1 wed#4", { timezone: "Europe/Berlin" });
    assert.equal(t.nextMs(from("2009-01-01T00:00:00+01:00")), at("2009-01-28T00:00:00+01:00"));
  });
  it("day 30 rolls over February to March 30 and April 30 (test_month_rollover)", () => {
    const t = cronTrigger("0 0 30 * *", { timezone: "Europe/Berlin" });
    assert.deepEqual(
      fires(t, from("2016-02-01T00:00:00+01:00"), 2),
      instants("2016-03-30T00:00:00+02:00", "2016-04-30T00:00:00+02:00"),
    );
  });
  it("hours 5-6 after 07:00 is 05:00 the next day (test_increment_weekday)", () => {
    const t = cronTrigger("0 5-6 * * *", { timezone: "Europe/Berlin" });
    assert.equal(t.nextMs(from("2009-09-25T07:00:00+02:00")), at("2009-09-26T05:00:00+02:00"));
  });
  it("an end time equal to a fire time still allows that fire (test_end_time)", () => {
    const t = cronTrigger("0 4 * * *", {
      timezone: "Europe/Berlin",
      startAt: "2014-04-13T02:00:00+02:00",
      endAt: "2014-04-13T04:00:00+02:00",
    });
    assert.deepEqual(
      fires(t, from("2014-04-13T02:00:00+02:00"), 2),
      instants("2014-04-13T04:00:00+02:00", null),
    );
  });
});

describe("cron: hand-checked calendar facts", () => {
  it("0 0 29 2 * skips 2100, 2200 and 2300, which are not leap years, and fires in 2000 and 2400", () => {
    // Gregorian rule: divisible by 4, except centuries, except multiples of 400.
    const t = cronTrigger("0 0 29 2 *");
    assert.deepEqual(
      fires(t, "2096-03-01T00:00:00Z", 1).concat(fires(t, "2097-01-01T00:00:00Z", 1)),
      instants("2104-02-29T00:00:00Z", "2104-02-29T00:00:00Z"),
    );
    assert.deepEqual(fires(t, "1999-01-01T00:00:00Z", 1), instants("2000-02-29T00:00:00Z"));
    assert.deepEqual(fires(t, "2196-03-01T00:00:00Z", 1), instants("2204-02-29T00:00:00Z"));
    assert.deepEqual(fires(t, "2396-03-01T00:00:00Z", 1), instants("2400-02-29T00:00:00Z"));
  });

  it("Feb 29 through 2096 -> 2104 lands on every leap day in between and no other day", () => {
    const got = fires(cronTrigger("0 12 29 2 *"), "2087-01-01T00:00:00Z", 4);
    assert.deepEqual(
      got,
      instants(
        "2088-02-29T12:00:00Z",
        "2092-02-29T12:00:00Z",
        "2096-02-29T12:00:00Z",
        "2104-02-29T12:00:00Z",
      ),
    );
  });

  it("L is the 28th of February in a common year, the 29th in a leap year, 30 or 31 otherwise", () => {
    assert.deepEqual(
      fires(cronTrigger("0 0 L * *"), "2023-01-15T00:00:00Z", 14),
      instants(
        "2023-01-31T00:00:00Z",
        "2023-02-28T00:00:00Z",
        "2023-03-31T00:00:00Z",
        "2023-04-30T00:00:00Z",
        "2023-05-31T00:00:00Z",
        "2023-06-30T00:00:00Z",
        "2023-07-31T00:00:00Z",
        "2023-08-31T00:00:00Z",
        "2023-09-30T00:00:00Z",
        "2023-10-31T00:00:00Z",
        "2023-11-30T00:00:00Z",
        "2023-12-31T00:00:00Z",
        "2024-01-31T00:00:00Z",
        "2024-02-29T00:00:00Z",
      ),
    );
  });

  it("L-2 is two days before the last day: Jan 29, Feb 26 (2023), Feb 27 (2024)", () => {
    assert.deepEqual(
      fires(cronTrigger("0 0 L-2 * *"), "2023-01-01T00:00:00Z", 2),
      instants("2023-01-29T00:00:00Z", "2023-02-26T00:00:00Z"),
    );
    assert.deepEqual(
      fires(cronTrigger("0 0 L-2 * *"), "2024-02-01T00:00:00Z", 1),
      instants("2024-02-27T00:00:00Z"),
    );
  });

  it("0 0 31 * * fires only in the seven months that have a 31st", () => {
    const got = fires(cronTrigger("0 0 31 * *"), "2025-12-31T12:00:00Z", 7).map((x) => x!.slice(0, 10));
    assert.deepEqual(got, [
      "2026-01-31",
      "2026-03-31",
      "2026-05-31",
      "2026-07-31",
      "2026-08-31",
      "2026-10-31",
      "2026-12-31",
    ]);
  });

  it("rolls over the year: 59 23 31 12 * then 0 0 1 1 *", () => {
    assert.deepEqual(
      fires(cronTrigger("59 23 31 12 *"), "2025-12-31T23:59:00Z", 1),
      instants("2026-12-31T23:59:00Z"),
    );
    assert.deepEqual(
      fires(cronTrigger("@yearly"), "2025-12-31T23:59:59.999Z", 2),
      instants("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
    );
    assert.deepEqual(
      fires(cronTrigger("*/20 * * * * *"), "2025-12-31T23:59:41Z", 2),
      instants("2026-01-01T00:00:00Z", "2026-01-01T00:00:20Z"),
    );
  });

  it("the first-Monday trap: 0 0 1-7 * MON fires on days 1-7 OR Mondays, not on the first Monday", () => {
    // January 2026 starts on a Thursday (2026-01-01 is a Thursday).
    assert.equal(new Date(Date.UTC(2026, 0, 1)).getUTCDay(), 4);
    assert.deepEqual(
      fires(cronTrigger("0 0 1-7 * MON"), "2025-12-31T12:00:00Z", 9).map((x) => x!.slice(0, 10)),
      [
        "2026-01-01",
        "2026-01-02",
        "2026-01-03",
        "2026-01-04",
        "2026-01-05",
        "2026-01-06",
        "2026-01-07",
        "2026-01-12",
        "2026-01-19",
      ],
    );
  });

  it("the first Monday of each month is 0 0 1-7 * MON with day rules ANDed, or 0 0 * * MON#1", () => {
    // First Mondays of 2026: Jan 5, Feb 2, Mar 2, Apr 6.
    for (const t of [cronTrigger("0 0 1-7 * MON", { dayMatch: "and" }), cronTrigger("0 0 * * MON#1")]) {
      assert.deepEqual(
        fires(t, "2026-01-01T00:00:00Z", 4).map((x) => x!.slice(0, 10)),
        ["2026-01-05", "2026-02-02", "2026-03-02", "2026-04-06"],
      );
    }
  });

  it("nW moves a Saturday to Friday and a Sunday to Monday, and stays in the month", () => {
    // 2026-02-15 is a Sunday -> Monday 16th; 2026-08-15 is a Saturday -> Friday 14th;
    // 2026-08-01 is a Saturday -> Monday 3rd (not Friday July 31); 2026-05-31 is a Sunday -> Friday 29th.
    assert.equal(new Date(Date.UTC(2026, 1, 15)).getUTCDay(), 0);
    assert.equal(new Date(Date.UTC(2026, 7, 15)).getUTCDay(), 6);
    assert.equal(new Date(Date.UTC(2026, 7, 1)).getUTCDay(), 6);
    assert.equal(new Date(Date.UTC(2026, 4, 31)).getUTCDay(), 0);
    assert.deepEqual(
      fires(cronTrigger("0 0 15W * *"), "2026-02-01T00:00:00Z", 1),
      instants("2026-02-16T00:00:00Z"),
    );
    assert.deepEqual(
      fires(cronTrigger("0 0 15W * *"), "2026-08-01T00:00:00Z", 1),
      instants("2026-08-14T00:00:00Z"),
    );
    assert.deepEqual(
      fires(cronTrigger("0 0 1W * *"), "2026-07-31T12:00:00Z", 1),
      instants("2026-08-03T00:00:00Z"),
    );
    assert.deepEqual(
      fires(cronTrigger("0 0 31W * *"), "2026-05-01T00:00:00Z", 1),
      instants("2026-05-29T00:00:00Z"),
    );
  });

  it("LW is the last weekday: Friday Jan 30, Friday Feb 27, Tuesday Mar 31 (2026)", () => {
    assert.deepEqual(
      fires(cronTrigger("0 0 LW * *"), "2026-01-01T00:00:00Z", 3),
      instants("2026-01-30T00:00:00Z", "2026-02-27T00:00:00Z", "2026-03-31T00:00:00Z"),
    );
  });

  it("fires on the 5th weekday only in months that have one", () => {
    // Fridays of 2026: January has five (2, 9, 16, 23, 30), February four, May five (1 ... 29).
    assert.deepEqual(
      fires(cronTrigger("0 0 * * FRI#5"), "2026-01-01T00:00:00Z", 2),
      instants("2026-01-30T00:00:00Z", "2026-05-29T00:00:00Z"),
    );
  });

  it("a six-field expression fires on the seconds it lists, and a five-field one at second 0", () => {
    assert.deepEqual(
      fires(cronTrigger("5,35 * * * * *"), "2026-01-01T00:00:05Z", 3),
      instants("2026-01-01T00:00:35Z", "2026-01-01T00:01:05Z", "2026-01-01T00:01:35Z"),
    );
    assert.deepEqual(
      fires(cronTrigger("* * * * *"), "2026-01-01T00:00:00.001Z", 1),
      instants("2026-01-01T00:01:00Z"),
    );
  });

  it("macros expand to their five-field forms", () => {
    const after = "2026-05-14T10:20:30Z"; // a Thursday
    const cases: Array<[string, string]> = [
      ["@yearly", "2027-01-01T00:00:00Z"],
      ["@annually", "2027-01-01T00:00:00Z"],
      ["@monthly", "2026-06-01T00:00:00Z"],
      ["@weekly", "2026-05-17T00:00:00Z"],
      ["@daily", "2026-05-15T00:00:00Z"],
      ["@midnight", "2026-05-15T00:00:00Z"],
      ["@hourly", "2026-05-14T11:00:00Z"],
      ["@DAILY", "2026-05-15T00:00:00Z"],
    ];
    for (const [macro, expected] of cases)
      assert.deepEqual(fires(cronTrigger(macro), after, 1), instants(expected), macro);
  });

  it("reads names in any case, Sunday as 0 or 7, FRI-SUN as Friday to Sunday", () => {
    const base = "2026-05-11T00:00:00Z"; // Monday
    const days = (expr: string): string[] => fires(cronTrigger(expr), base, 3).map((x) => x!.slice(0, 10));
    assert.deepEqual(days("0 0 * * fri-sun"), ["2026-05-15", "2026-05-16", "2026-05-17"]);
    assert.deepEqual(days("0 0 * * 5-7"), ["2026-05-15", "2026-05-16", "2026-05-17"]);
    assert.deepEqual(days("0 0 * * 0"), days("0 0 * * 7"));
    assert.deepEqual(days("0 0 * * Sun"), days("0 0 * * SUN"));
    assert.deepEqual(days("0 0 1 jAn,DEC *"), ["2026-12-01", "2027-01-01", "2027-12-01"]);
  });

  it("never returns `after` itself, even when `after` is a fire time", () => {
    const t = cronTrigger("*/5 * * * *");
    assert.equal(t.nextMs(at("2026-01-01T00:05:00Z")), at("2026-01-01T00:10:00Z"));
  });
});
