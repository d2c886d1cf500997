/**
 * Unions and intersections. Cases marked APScheduler come from agronholm/apscheduler
 * tests/triggers/test_combining.py (OrTrigger and AndTrigger).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  cronTrigger,
  dateTrigger,
  intersectionTrigger,
  intervalTrigger,
  unionTrigger,
} from "../../../src/core/triggers/index.js";
import { at, fires, instants, throwsInvalid } from "./helpers.js";

const start = "2020-05-16T14:17:30.254+02:00";
const plus = (s: number): string => new Date(at(start) + s * 1000).toISOString();

describe("union", () => {
  it("fires at each date of two date triggers, then never (APScheduler TestOrTrigger.test_two_datetriggers)", () => {
    const t = unionTrigger([dateTrigger(start), dateTrigger("2020-05-18T15:01:53.940+02:00")]);
    assert.deepEqual(fires(t, at(start) - 1, 3), instants(start, "2020-05-18T15:01:53.940+02:00", null));
    assert.equal(t.recurring, false);
  });

  it("merges two intervals with their own ends (APScheduler TestOrTrigger.test_two_interval_triggers)", () => {
    const t = unionTrigger([
      intervalTrigger(4, { startAt: start, endAt: plus(16) }),
      intervalTrigger(6, { startAt: start, endAt: plus(18) }),
    ]);
    assert.deepEqual(
      fires(t, at(start) - 1, 8),
      [0, 4, 6, 8, 12, 16, 18].map(plus).concat([null as unknown as string]),
    );
  });

  it("fires once when two triggers fire at the same instant", () => {
    const t = unionTrigger([cronTrigger("0 * * * *"), cronTrigger("*/30 * * * *")]);
    assert.deepEqual(
      fires(t, "2026-01-01T00:00:00Z", 3),
      instants("2026-01-01T00:30:00Z", "2026-01-01T01:00:00Z", "2026-01-01T01:30:00Z"),
    );
  });

  it("honours its own bounds on top of its triggers'", () => {
    const t = unionTrigger([cronTrigger("0 * * * *")], {
      startAt: "2026-01-01T05:00:00Z",
      endAt: "2026-01-01T06:00:00Z",
    });
    assert.deepEqual(
      fires(t, "2026-01-01T00:00:00Z", 3),
      instants("2026-01-01T05:00:00Z", "2026-01-01T06:00:00Z", null),
    );
  });
});

describe("intersection", () => {
  it("two different dates never coincide (APScheduler TestAndTrigger.test_two_datetriggers, threshold 0)", () => {
    const t = intersectionTrigger([dateTrigger(start), dateTrigger(plus(1))]);
    assert.equal(t.nextMs(at(start) - 1), null);
  });

  it("every 90 minutes, but only during business hours on weekdays", () => {
    // 2026-01-02 is a Friday; the interval fires at 00:00, 01:30, 03:00, ... UTC.
    const t = intersectionTrigger([
      intervalTrigger("90m", { startAt: "2026-01-01T00:00:00Z" }),
      cronTrigger("* 9-17 * * MON-FRI"),
    ]);
    assert.deepEqual(
      fires(t, "2026-01-02T08:00:00Z", 7),
      instants(
        "2026-01-02T09:00:00Z",
        "2026-01-02T10:30:00Z",
        "2026-01-02T12:00:00Z",
        "2026-01-02T13:30:00Z",
        "2026-01-02T15:00:00Z",
        "2026-01-02T16:30:00Z",
        "2026-01-05T09:00:00Z",
      ),
    );
  });

  it("the first Monday of the month is 1-7 of the month AND Monday", () => {
    const t = intersectionTrigger([cronTrigger("0 9 1-7 * *"), cronTrigger("0 9 * * MON")]);
    assert.deepEqual(
      fires(t, "2026-01-01T00:00:00Z", 2),
      instants("2026-01-05T09:00:00Z", "2026-02-02T09:00:00Z"),
    );
  });

  it("throws, instead of looping, when its triggers never coincide (APScheduler test_max_iterations)", () => {
    const t = intersectionTrigger([
      intervalTrigger(4, { startAt: start }),
      intervalTrigger(4, { startAt: plus(2) }),
    ]);
    throwsInvalid(
      () => t.nextMs(at(start)),
      "trigger",
      /found no instant where all its triggers fire within 100000 steps/,
    );
  });
});

describe("combination factories", () => {
  it("reject empty and oversized lists and things that are not triggers", () => {
    throwsInvalid(() => unionTrigger([]), "triggers", /an array of 1 to 50 triggers/);
    throwsInvalid(
      () => intersectionTrigger(Array.from({ length: 51 }, () => cronTrigger("* * * * *"))),
      "triggers",
    );
    throwsInvalid(
      () => unionTrigger([{ kind: "cron" } as never]),
      "triggers[0]",
      /a trigger built by cronTrigger\(\)/,
    );
  });
});
