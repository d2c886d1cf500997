/**
 * The DST policy. Default (classic cron, as Vixie cron and croner 11): a fixed time of day that
 * does not exist fires once at the first instant after the gap, and a repeated one fires on the
 * first pass; wildcard and step schedules fire at every real instant whose local time matches.
 * `dst: { gap, fold }` overrides either choice.
 *
 * Transition instants used below (from the IANA tz database, checked against Intl in
 * timezone.test.ts):
 * - America/New_York: 2025-03-09 02:00 EST -> 03:00 EDT (07:00Z); 2025-11-02 02:00 EDT -> 01:00 EST (06:00Z).
 * - Europe/London: 2025-03-30 01:00 GMT -> 02:00 BST (01:00Z); 2025-10-26 02:00 BST -> 01:00 GMT (01:00Z).
 * - Europe/Berlin: 2025-03-30 02:00 CET -> 03:00 CEST (01:00Z); 2025-10-26 03:00 CEST -> 02:00 CET (01:00Z).
 * - Australia/Sydney: 2025-04-06 03:00 AEDT -> 02:00 AEST (2025-04-05T16:00Z);
 *   2025-10-05 02:00 AEST -> 03:00 AEDT (2025-10-04T16:00Z).
 * - Australia/Lord_Howe (30-minute shift): 2024-04-07 02:00 (+11) -> 01:30 (+10:30) (2024-04-06T15:00Z);
 *   2024-10-06 02:00 (+10:30) -> 02:30 (+11) (2024-10-05T15:30Z).
 * - Asia/Kolkata: +05:30 all year, no transitions.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cronTrigger, type CronTriggerOptions } from "../../../src/core/triggers/index.js";
import { at, fires, instants } from "./helpers.js";

function run(expr: string, options: CronTriggerOptions, after: string, count: number): (string | null)[] {
  return fires(cronTrigger(expr, options), after, count);
}

describe("DST: the worked example of docs/triggers.md (America/New_York, 2026)", () => {
  const ny = { timezone: "America/New_York" };
  it("a 02:30 job fires at 03:00 EDT on spring-forward day (2026-03-08), once", () => {
    assert.deepEqual(
      run("30 2 * * *", ny, "2026-03-07T12:00:00-05:00", 3),
      instants("2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00", "2026-03-10T02:30:00-04:00"),
    );
  });
  it("a 01:30 job fires once on fall-back day (2026-11-01), at 01:30 EDT", () => {
    assert.deepEqual(
      run("30 1 * * *", ny, "2026-10-31T12:00:00-04:00", 3),
      instants("2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00", "2026-11-03T01:30:00-05:00"),
    );
  });
});

describe("DST in America/New_York", () => {
  const ny = { timezone: "America/New_York" } as const;

  it("fixed times on both sides of the spring gap, as croniter's forward range (2020-03-08)", () => {
    // croniter test_croniter_dst.py test_range_dst_forward: 01:00 and 01:30 stay in EST, 02:00 becomes
    // 03:00 EDT, 03:00 and later are unaffected. (For 02:30 croniter answers 03:30; cronq follows
    // Vixie cron and croner 11, see the next test.)
    const day = (expr: string): (string | null)[] => run(expr, ny, "2020-03-07T12:00:00-05:00", 2);
    assert.deepEqual(day("0 1 * * *"), instants("2020-03-08T01:00:00-05:00", "2020-03-09T01:00:00-04:00"));
    assert.deepEqual(day("30 1 * * *"), instants("2020-03-08T01:30:00-05:00", "2020-03-09T01:30:00-04:00"));
    assert.deepEqual(day("0 2 * * *"), instants("2020-03-08T03:00:00-04:00", "2020-03-09T02:00:00-04:00"));
    assert.deepEqual(day("0 3 * * *"), instants("2020-03-08T03:00:00-04:00", "2020-03-09T03:00:00-04:00"));
    assert.deepEqual(day("30 4 * * *"), instants("2020-03-08T04:30:00-04:00", "2020-03-09T04:30:00-04:00"));
  });

  it("a fixed time inside the gap fires at the first instant after it, 03:00 EDT", () => {
    // 2025-03-09: 02:00 EST -> 03:00 EDT; 02:30 does not exist.
    assert.deepEqual(run("30 2 * * *", ny, "2025-03-09T06:00:00Z", 1), instants("2025-03-09T03:00:00-04:00"));
    // Two fixed times in the gap still fire once.
    assert.deepEqual(
      run("15,45 2 * * *", ny, "2025-03-09T06:00:00Z", 2),
      instants("2025-03-09T03:00:00-04:00", "2025-03-10T02:15:00-04:00"),
    );
  });

  it("gap: 'skip' drops the fixed time that does not exist (robfig/cron, APScheduler)", () => {
    // robfig spec_test.go TestNext "Daylight savings time EST -> EDT":
    // "0 30 2 11 Mar ?" after 2012-03-11T00:00:00-0500 -> 2013-03-11T02:30:00-0400.
    assert.deepEqual(
      run("0 30 2 11 Mar ?", { ...ny, dst: { gap: "skip" } }, "2012-03-11T00:00:00-05:00", 1),
      instants("2013-03-11T02:30:00-04:00"),
    );
    // APScheduler test_cron.py test_dst_change "spring_skip_hour": hour=2 from 2013-03-09 20:00.
    assert.deepEqual(
      run("0 2 * * *", { ...ny, dst: { gap: "skip" } }, "2013-03-09T20:00:00-05:00", 1),
      instants("2013-03-11T02:00:00-04:00"),
    );
    // The default shifts it instead.
    assert.deepEqual(
      run("0 2 * * *", ny, "2013-03-09T20:00:00-05:00", 1),
      instants("2013-03-10T03:00:00-04:00"),
    );
  });

  it("fixed times around the autumn fold fire on the first pass, as croniter's backward range (2020-11-01)", () => {
    // croniter test_croniter_dst.py test_range_dst_backwards (forward_rets).
    const day = (expr: string): (string | null)[] => run(expr, ny, "2020-10-31T12:00:00-04:00", 2);
    assert.deepEqual(day("0 0 * * *"), instants("2020-11-01T00:00:00-04:00", "2020-11-02T00:00:00-05:00"));
    assert.deepEqual(day("0 1 * * *"), instants("2020-11-01T01:00:00-04:00", "2020-11-02T01:00:00-05:00"));
    assert.deepEqual(day("30 1 * * *"), instants("2020-11-01T01:30:00-04:00", "2020-11-02T01:30:00-05:00"));
    assert.deepEqual(day("0 2 * * *"), instants("2020-11-01T02:00:00-05:00", "2020-11-02T02:00:00-05:00"));
    assert.deepEqual(day("30 3 * * *"), instants("2020-11-01T03:30:00-05:00", "2020-11-02T03:30:00-05:00"));
  });

  it("fold: 'second' and 'both' fire on the second pass of a repeated time (robfig/cron)", () => {
    // robfig spec_test.go: "0 30 1 04 Nov ?" after 2012-11-04T01:45:00-0400 -> 2012-11-04T01:30:00-0500.
    for (const fold of ["second", "both"] as const) {
      assert.deepEqual(
        run("0 30 1 04 Nov ?", { ...ny, dst: { fold } }, "2012-11-04T01:45:00-04:00", 1),
        instants("2012-11-04T01:30:00-05:00"),
      );
    }
    assert.deepEqual(
      run("30 1 * * *", { ...ny, dst: { fold: "second" } }, "2025-11-01T12:00:00-04:00", 2),
      instants("2025-11-02T01:30:00-05:00", "2025-11-03T01:30:00-05:00"),
    );
    assert.deepEqual(
      run("30 1 * * *", { ...ny, dst: { fold: "both" } }, "2025-11-01T12:00:00-04:00", 3),
      instants("2025-11-02T01:30:00-04:00", "2025-11-02T01:30:00-05:00", "2025-11-03T01:30:00-05:00"),
    );
    // The default does not come back for the second pass.
    assert.deepEqual(
      run("30 1 * * *", ny, "2025-11-02T01:45:00-04:00", 1),
      instants("2025-11-03T01:30:00-05:00"),
    );
  });

  it("wildcard schedules skip missing times and fire on both passes (APScheduler test_dst_change)", () => {
    // "interval_spring": minute */30 from 2013-03-10 01:35 EST -> 03:00 EDT.
    assert.deepEqual(
      run("*/30 * * * *", ny, "2013-03-10T01:35:00-05:00", 1),
      instants("2013-03-10T03:00:00-04:00"),
    );
    // "interval_autumn": from 2013-11-03 01:35 EDT (fold 0) -> 01:00 EST (fold 1).
    assert.deepEqual(
      run("*/30 * * * *", ny, "2013-11-03T01:35:00-04:00", 1),
      instants("2013-11-03T01:00:00-05:00"),
    );
    // "absolute_spring" / "absolute_autumn": hour=8 is unaffected.
    assert.deepEqual(
      run("0 8 * * *", ny, "2013-03-09T12:00:00-05:00", 1),
      instants("2013-03-10T08:00:00-04:00"),
    );
    assert.deepEqual(
      run("0 8 * * *", ny, "2013-11-02T12:00:00-04:00", 1),
      instants("2013-11-03T08:00:00-05:00"),
    );
  });

  it("robfig/cron: a fixed time after the fold is unaffected (0 30 2 04 Nov ?)", () => {
    assert.deepEqual(
      run("0 30 2 04 Nov ?", ny, "2012-11-04T00:00:00-04:00", 1),
      instants("2012-11-04T02:30:00-05:00"),
    );
  });
});

describe("DST in Europe/London", () => {
  const london = { timezone: "Europe/London" } as const;
  it("01:30 on spring-forward day fires at 02:00 BST, the first instant after the gap", () => {
    assert.deepEqual(
      run("30 1 * * *", london, "2025-03-29T12:00:00Z", 2),
      instants("2025-03-30T02:00:00+01:00", "2025-03-31T01:30:00+01:00"),
    );
  });
  it("01:30 on fall-back day fires at 01:30 BST only; with fold 'second' at 01:30 GMT", () => {
    assert.deepEqual(
      run("30 1 * * *", london, "2025-10-26T00:00:00+01:00", 2),
      instants("2025-10-26T01:30:00+01:00", "2025-10-27T01:30:00Z"),
    );
    assert.deepEqual(
      run("30 1 * * *", { ...london, dst: { fold: "second" } }, "2025-10-26T00:00:00+01:00", 1),
      instants("2025-10-26T01:30:00Z"),
    );
  });
  it("every 20 minutes skips the missing hour and repeats the doubled one", () => {
    assert.deepEqual(
      run("*/20 * * * *", london, "2025-03-30T00:40:00Z", 3),
      instants("2025-03-30T02:00:00+01:00", "2025-03-30T02:20:00+01:00", "2025-03-30T02:40:00+01:00"),
    );
    assert.deepEqual(
      run("*/20 1 * * *", london, "2025-10-26T01:30:00+01:00", 4),
      instants(
        "2025-10-26T01:40:00+01:00",
        "2025-10-26T01:00:00Z",
        "2025-10-26T01:20:00Z",
        "2025-10-26T01:40:00Z",
      ),
    );
  });
});

describe("DST in Europe/Berlin", () => {
  const berlin = { timezone: "Europe/Berlin" } as const;
  it("hourly fires at 02:00 CEST, 02:00 CET, then 03:00 CET on fall-back day (APScheduler test_dst_change2)", () => {
    // APScheduler test_cron.py test_dst_change2 (minute=0, start 2024-10-27 02:00 fold 0, inclusive).
    assert.deepEqual(
      run("0 * * * *", berlin, "2024-10-27T01:59:59+02:00", 3),
      instants("2024-10-27T02:00:00+02:00", "2024-10-27T02:00:00+01:00", "2024-10-27T03:00:00+01:00"),
    );
    assert.deepEqual(
      run("1 * * * *", berlin, "2024-10-27T02:00:59+02:00", 3),
      instants("2024-10-27T02:01:00+02:00", "2024-10-27T02:01:00+01:00", "2024-10-27T03:01:00+01:00"),
    );
  });
  it("02:30 on spring-forward day fires at 03:00 CEST; gap 'skip' goes to the next day", () => {
    assert.deepEqual(
      run("30 2 * * *", berlin, "2025-03-29T12:00:00+01:00", 1),
      instants("2025-03-30T03:00:00+02:00"),
    );
    assert.deepEqual(
      run("30 2 * * *", { ...berlin, dst: { gap: "skip" } }, "2025-03-29T12:00:00+01:00", 1),
      instants("2025-03-31T02:30:00+02:00"),
    );
  });
  it("02:30 on fall-back day fires on the first pass, 02:30 CEST", () => {
    assert.deepEqual(
      run("30 2 * * *", berlin, "2025-10-25T12:00:00+02:00", 2),
      instants("2025-10-26T02:30:00+02:00", "2025-10-27T02:30:00+01:00"),
    );
  });
  it("a 1-second schedule passes through the gap without a pause or a duplicate", () => {
    assert.deepEqual(
      run("* * * * * *", berlin, "2025-03-30T01:59:58+01:00", 3),
      instants("2025-03-30T01:59:59+01:00", "2025-03-30T03:00:00+02:00", "2025-03-30T03:00:01+02:00"),
    );
  });
});

describe("DST in Australia/Sydney (southern hemisphere)", () => {
  const sydney = { timezone: "Australia/Sydney" } as const;
  it("02:30 on the October spring-forward day fires at 03:00 AEDT", () => {
    assert.deepEqual(
      run("30 2 * * *", sydney, "2025-10-04T12:00:00+10:00", 2),
      instants("2025-10-05T03:00:00+11:00", "2025-10-06T02:30:00+11:00"),
    );
  });
  it("02:30 on the April fall-back day fires once, on the first pass (AEDT)", () => {
    assert.deepEqual(
      run("30 2 * * *", sydney, "2025-04-05T12:00:00+11:00", 2),
      instants("2025-04-06T02:30:00+11:00", "2025-04-07T02:30:00+10:00"),
    );
  });
  it("every 30 minutes repeats 02:00 and 02:30 in April", () => {
    assert.deepEqual(
      run("*/30 * * * *", sydney, "2025-04-06T01:45:00+11:00", 5),
      instants(
        "2025-04-06T02:00:00+11:00",
        "2025-04-06T02:30:00+11:00",
        "2025-04-06T02:00:00+10:00",
        "2025-04-06T02:30:00+10:00",
        "2025-04-06T03:00:00+10:00",
      ),
    );
  });
});

describe("DST in Australia/Lord_Howe (30-minute shift)", () => {
  const lordHowe = { timezone: "Australia/Lord_Howe" } as const;
  it("02:30:00 exists on the spring-forward day, 2024-10-06 (APScheduler test_dst_partial_gap 'half_hour_gap')", () => {
    assert.deepEqual(
      run("0 30 2 * * *", lordHowe, "2024-10-04T23:59:59+10:30", 3),
      instants("2024-10-05T02:30:00+10:30", "2024-10-06T02:30:00+11:00", "2024-10-07T02:30:00+11:00"),
    );
  });
  it("02:15 does not exist that day and fires at 02:30, the end of the 30-minute gap", () => {
    assert.deepEqual(
      run("15 2 * * *", lordHowe, "2024-10-05T12:00:00+10:30", 2),
      instants("2024-10-06T02:30:00+11:00", "2024-10-07T02:15:00+11:00"),
    );
  });
  it("01:45 repeats on 2024-04-07: first pass only by default, both with fold 'both'", () => {
    assert.deepEqual(
      run("45 1 * * *", lordHowe, "2024-04-06T12:00:00+11:00", 2),
      instants("2024-04-07T01:45:00+11:00", "2024-04-08T01:45:00+10:30"),
    );
    assert.deepEqual(
      run("45 1 * * *", { ...lordHowe, dst: { fold: "both" } }, "2024-04-06T12:00:00+11:00", 3),
      instants("2024-04-07T01:45:00+11:00", "2024-04-07T01:45:00+10:30", "2024-04-08T01:45:00+10:30"),
    );
  });
  it("every 15 minutes: 4 fires in the doubled half hour, none in the skipped one", () => {
    assert.deepEqual(
      run("*/15 * * * *", lordHowe, "2024-04-07T01:20:00+11:00", 5),
      instants(
        "2024-04-07T01:30:00+11:00",
        "2024-04-07T01:45:00+11:00",
        "2024-04-07T01:30:00+10:30",
        "2024-04-07T01:45:00+10:30",
        "2024-04-07T02:00:00+10:30",
      ),
    );
    assert.deepEqual(
      run("*/15 * * * *", lordHowe, "2024-10-06T01:50:00+10:30", 2),
      instants("2024-10-06T02:30:00+11:00", "2024-10-06T02:45:00+11:00"),
    );
  });
});

describe("Asia/Kolkata has no DST (+05:30 all year)", () => {
  const kolkata = { timezone: "Asia/Kolkata" } as const;
  it("02:30 fires every day at 21:00Z the day before, in March and in November alike", () => {
    assert.deepEqual(
      run("30 2 * * *", kolkata, "2025-03-07T00:00:00Z", 3),
      instants("2025-03-08T02:30:00+05:30", "2025-03-09T02:30:00+05:30", "2025-03-10T02:30:00+05:30"),
    );
    assert.deepEqual(
      run("30 2 * * *", kolkata, "2025-11-01T00:00:00+05:30", 2),
      instants("2025-11-01T02:30:00+05:30", "2025-11-02T02:30:00+05:30"),
    );
  });
  it("hourly fires at half past every UTC hour", () => {
    assert.deepEqual(
      run("0 * * * *", kolkata, "2025-10-26T00:00:00Z", 3),
      instants("2025-10-26T00:30:00Z", "2025-10-26T01:30:00Z", "2025-10-26T02:30:00Z"),
    );
  });
});

describe("DST cases from other suites", () => {
  it("Europe/Athens */30 through the autumn fold (croniter testTimezoneWinterTime)", () => {
    assert.deepEqual(
      run("*/30 * * * *", { timezone: "Europe/Athens" }, "2013-10-27T02:00:00+03:00", 7),
      instants(
        "2013-10-27T02:30:00+03:00",
        "2013-10-27T03:00:00+03:00",
        "2013-10-27T03:30:00+03:00",
        "2013-10-27T03:00:00+02:00",
        "2013-10-27T03:30:00+02:00",
        "2013-10-27T04:00:00+02:00",
        "2013-10-27T04:30:00+02:00",
      ),
    );
  });
  it("Europe/Athens */30 through the spring gap (croniter testTimezoneSummerTime)", () => {
    assert.deepEqual(
      run("*/30 * * * *", { timezone: "Europe/Athens" }, "2013-03-31T01:00:00+02:00", 5),
      instants(
        "2013-03-31T01:30:00+02:00",
        "2013-03-31T02:00:00+02:00",
        "2013-03-31T02:30:00+02:00",
        "2013-03-31T04:00:00+03:00",
        "2013-03-31T04:30:00+03:00",
      ),
    );
  });
  it("Europe/Athens 2016 (cron-parser tests/timezone.test.ts)", () => {
    const athens = { timezone: "Europe/Athens" } as const;
    // "It works on DST start": 03:00 does not exist on 2016-03-27.
    assert.deepEqual(
      run("0 * * * *", athens, "2016-03-27T02:00:01+02:00", 2),
      instants("2016-03-27T04:00:00+03:00", "2016-03-27T05:00:00+03:00"),
    );
    assert.deepEqual(
      run("30 2 * * *", athens, "2016-03-27T02:00:01+02:00", 2),
      instants("2016-03-27T02:30:00+02:00", "2016-03-28T02:30:00+03:00"),
    );
    assert.deepEqual(
      run("0 3 * * *", athens, "2016-03-27T02:00:01+02:00", 2),
      instants("2016-03-27T04:00:00+03:00", "2016-03-28T03:00:00+03:00"),
    );
    assert.deepEqual(
      run("0 * 27 * *", athens, "2016-03-27T00:00:01+02:00", 4),
      instants(
        "2016-03-27T01:00:00+02:00",
        "2016-03-27T02:00:00+02:00",
        "2016-03-27T04:00:00+03:00",
        "2016-03-27T05:00:00+03:00",
      ),
    );
    // "It works on DST end": 03:00-03:59 happens twice on 2016-10-30.
    assert.deepEqual(
      run("0 * * * *", athens, "2016-10-30T02:00:01+03:00", 3),
      instants("2016-10-30T03:00:00+03:00", "2016-10-30T03:00:00+02:00", "2016-10-30T04:00:00+02:00"),
    );
    assert.deepEqual(
      run("0 3 * * *", athens, "2016-10-30T02:00:01+03:00", 2),
      instants("2016-10-30T03:00:00+03:00", "2016-10-31T03:00:00+02:00"),
    );
    assert.deepEqual(
      run("0 * 30 * *", athens, "2016-10-30T00:00:01+03:00", 5),
      instants(
        "2016-10-30T01:00:00+03:00",
        "2016-10-30T02:00:00+03:00",
        "2016-10-30T03:00:00+03:00",
        "2016-10-30T03:00:00+02:00",
        "2016-10-30T04:00:00+02:00",
      ),
    );
  });
  it("Europe/Warsaw 2017 (croniter test_std_dst)", () => {
    const warsaw = { timezone: "Europe/Warsaw" } as const;
    assert.deepEqual(
      run("0 0 * * *", warsaw, "2017-03-26T00:00:00+01:00", 1),
      instants("2017-03-27T00:00:00+02:00"),
    );
    assert.deepEqual(
      run("0 * * * *", warsaw, "2017-03-26T01:00:00+01:00", 1),
      instants("2017-03-26T03:00:00+02:00"),
    );
    assert.deepEqual(
      run("0 0 * * *", warsaw, "2017-10-29T00:00:00+02:00", 1),
      instants("2017-10-30T00:00:00+01:00"),
    );
    assert.deepEqual(
      run("0 * * * *", warsaw, "2017-10-29T01:59:00+02:00", 1),
      instants("2017-10-29T02:00:00+02:00"),
    );
    assert.deepEqual(
      run("0 * * * *", warsaw, "2017-10-29T02:00:00+01:00", 1),
      instants("2017-10-29T03:00:00+01:00"),
    );
  });
  it("America/Sao_Paulo midnight once on 2018-02-18, when 00:00 falls back to 23:00 (croniter test_std_dst2)", () => {
    const sp = { timezone: "America/Sao_Paulo" } as const;
    for (const after of [
      "2018-02-17T21:00:00-02:00",
      "2018-02-17T23:05:00-02:00",
      "2018-02-17T23:00:00-03:00",
    ]) {
      assert.deepEqual(run("0 0 * * *", sp, after, 1), instants("2018-02-18T00:00:00-03:00"), after);
    }
    assert.deepEqual(
      run("0 0 * * *", sp, "2018-02-18T00:00:00-03:00", 1),
      instants("2018-02-19T00:00:00-03:00"),
    );
  });
  it("Antarctica/Troll's two-hour gap, with gap 'skip' (APScheduler test_dst_partial_gap 'two_hour_gap')", () => {
    // 2024-03-31 01:00 +00 -> 03:00 +02: 01:00:59 and 02:00:59 do not exist, 03:00:59 does.
    assert.deepEqual(
      run(
        "59 0 1-3 * * *",
        { timezone: "Antarctica/Troll", dst: { gap: "skip" } },
        "2024-03-30T03:00:58Z",
        3,
      ),
      instants("2024-03-30T03:00:59Z", "2024-03-31T03:00:59+02:00", "2024-04-01T01:00:59+02:00"),
    );
  });

  it("searches from inside a repeated hour see the second pass of wildcard schedules", () => {
    // croner issue #286 scenario (America/Los_Angeles, 2025-11-02 02:00 PDT -> 01:00 PST).
    const la = { timezone: "America/Los_Angeles" } as const;
    assert.deepEqual(
      run("* * * * *", la, "2025-11-02T01:58:00-07:00", 3),
      instants("2025-11-02T01:59:00-07:00", "2025-11-02T01:00:00-08:00", "2025-11-02T01:01:00-08:00"),
    );
    assert.equal(
      cronTrigger("* * * * *", la).nextMs(at("2025-11-02T01:00:30-08:00")),
      at("2025-11-02T01:01:00-08:00"),
    );
  });
});
