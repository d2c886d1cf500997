/** triggerFromOptions: what a user writes in addJob, and every mistake it can contain. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  cronTrigger,
  triggerFromOptions,
  type TriggerContext,
  type TriggerOptions,
} from "../../../src/core/triggers/index.js";
import { InvalidArgumentError } from "../../../src/core/errors.js";
import { at, fires, instants, throwsInvalid } from "./helpers.js";

const context: TriggerContext = { now: at("2026-01-01T12:00:00Z"), timezone: "Europe/Berlin" };
const build = (options: TriggerOptions): ReturnType<typeof triggerFromOptions> =>
  triggerFromOptions(options, context);

describe("triggerFromOptions", () => {
  it("interval alone fires first at now + interval, then every interval (as APScheduler)", () => {
    const t = build({ interval: "90m" });
    assert.equal(t.kind, "interval");
    assert.deepEqual(fires(t, context.now, 2), instants("2026-01-01T13:30:00Z", "2026-01-01T15:00:00Z"));
    assert.equal(t.nextMs(context.now - 3_600_000), at("2026-01-01T13:30:00Z"));
  });

  it("interval with startIn or startAt fires first at that time", () => {
    assert.deepEqual(
      fires(build({ interval: 60, startIn: "5m" }), context.now, 2),
      instants("2026-01-01T12:05:00Z", "2026-01-01T12:06:00Z"),
    );
    assert.deepEqual(
      fires(build({ interval: "1h", startAt: "2026-01-02 08:00" }), context.now, 2),
      instants("2026-01-02T08:00:00+01:00", "2026-01-02T09:00:00+01:00"),
    );
  });

  it("startIn or startAt alone is a single run", () => {
    const t = build({ startIn: "10s" });
    assert.equal(t.kind, "date");
    assert.deepEqual(fires(t, context.now, 2), instants("2026-01-01T12:00:10Z", null));
    assert.deepEqual(
      fires(build({ startAt: new Date("2026-03-01T00:00:00Z") }), context.now, 1),
      instants("2026-03-01T00:00:00Z"),
    );
  });

  it("at fires once, reading text without an offset in the timezone", () => {
    assert.equal(build({ at: "2026-06-01T09:00" }).nextMs(context.now), at("2026-06-01T09:00:00+02:00"));
    assert.equal(
      build({ at: "2026-06-01T09:00", timezone: "UTC" }).nextMs(context.now),
      at("2026-06-01T09:00:00Z"),
    );
  });

  it("cron defaults to the context's timezone and takes startAt and endAt as bounds", () => {
    const t = build({ cron: "0 9 * * *", startAt: "2026-01-03", endAt: "2026-01-04T09:00" });
    assert.deepEqual(
      fires(t, context.now, 3),
      instants("2026-01-03T09:00:00+01:00", "2026-01-04T09:00:00+01:00", null),
    );
    assert.equal((t.toJSON() as { timezone?: string }).timezone, "Europe/Berlin");
  });

  it("cron honours timezone, dst and cronDayMatch", () => {
    const t = build({ cron: "0 0 1-7 * MON", timezone: "UTC", cronDayMatch: "and" });
    assert.deepEqual(fires(t, context.now, 1), instants("2026-01-05T00:00:00Z"));
    const skip = build({ cron: "30 2 * * *", timezone: "America/New_York", dst: { gap: "skip" } });
    assert.deepEqual(fires(skip, "2026-03-08T00:00:00-05:00", 1), instants("2026-03-09T02:30:00-04:00"));
  });

  it("calendar counts from now by default, and from startAt when given", () => {
    const t = build({ calendar: { unit: "month", dayOfMonth: 31, time: "09:00" } });
    assert.deepEqual(
      fires(t, context.now, 2),
      instants("2026-01-31T09:00:00+01:00", "2026-02-28T09:00:00+01:00"),
    );
    const weekly = build({ calendar: { unit: "week", every: 2, time: "10:00" }, startAt: "2026-01-05" });
    assert.deepEqual(
      fires(weekly, context.now, 2),
      instants("2026-01-05T10:00:00+01:00", "2026-01-19T10:00:00+01:00"),
    );
  });

  it("trigger accepts a built trigger or its spec, and narrows it with startAt/endAt", () => {
    const cron = cronTrigger("0 * * * *");
    assert.equal(build({ trigger: cron }), cron);
    const spec = cron.toJSON();
    assert.deepEqual(fires(build({ trigger: spec }), context.now, 1), instants("2026-01-01T13:00:00Z"));
    const bounded = build({ trigger: cron, startIn: "3h", endAt: "2026-01-01T16:00:00Z" });
    assert.deepEqual(
      fires(bounded, context.now, 3),
      instants("2026-01-01T15:00:00Z", "2026-01-01T16:00:00Z", null),
    );
  });

  it("does not mutate the options it is given", () => {
    const options = Object.freeze({ cron: "0 9 * * *", dst: Object.freeze({ gap: "skip" as const }) });
    build(options);
    assert.deepEqual(options, { cron: "0 9 * * *", dst: { gap: "skip" } });
  });

  describe("mistakes", () => {
    it("no trigger at all", () => {
      throwsInvalid(
        () => build({}),
        "trigger",
        "Expected one of `interval`, `cron`, `at`, `calendar` or `trigger`, or `startIn`/`startAt` for a single run, got none of them",
      );
    });
    it("two triggers at once", () => {
      throwsInvalid(
        () => build({ cron: "* * * * *", interval: "1m" }),
        "cron",
        /absent when `interval` is given: a job has exactly one of/,
      );
      throwsInvalid(() => build({ at: "2026-02-01T00:00:00Z", calendar: { unit: "day" } }), "calendar");
    });
    it("startIn and startAt together, and either with at", () => {
      throwsInvalid(
        () => build({ interval: 1, startIn: 5, startAt: "2026-02-01T00:00:00Z" }),
        "startAt",
        /absent when `startIn` is given/,
      );
      throwsInvalid(
        () => build({ at: "2026-02-01T00:00:00Z", startIn: 5 }),
        "startIn",
        /`at` is already the time of the single run/,
      );
      throwsInvalid(() => build({ at: "2026-02-01T00:00:00Z", startAt: "2026-02-01T00:00:00Z" }), "startAt");
    });
    it("dst or cronDayMatch where they do not apply", () => {
      throwsInvalid(
        () => build({ interval: "1h", dst: { gap: "skip" } }),
        "dst",
        /intervals count elapsed time/,
      );
      throwsInvalid(
        () => build({ calendar: { unit: "day" }, cronDayMatch: "and" }),
        "cronDayMatch",
        /it applies to `cron` only/,
      );
    });
    it("bad values name their field", () => {
      throwsInvalid(
        () => build({ interval: "soon" }),
        "interval",
        /Expected `interval` to be a duration like "30s"/,
      );
      throwsInvalid(() => build({ cron: "61 * * * *" }), "cron", /minute field \(1st\)/);
      throwsInvalid(
        () => build({ cron: "* * * * *", timezone: "Europe/Atlantis" }),
        "timezone",
        /got "Europe\/Atlantis"/,
      );
      throwsInvalid(() => build({ at: "next tuesday" }), "at");
      throwsInvalid(() => build({ startIn: "-5m" }), "startIn", /Expected `startIn` to be a duration/);
      // A fire at exactly `now` would never be returned by next(now).
      throwsInvalid(
        () => build({ startIn: 0 }),
        "startIn",
        "Expected `startIn` to be a duration greater than zero, got 0 (number)",
      );
      throwsInvalid(() => build({ cron: "* * * * *", endAt: "later" }), "endAt");
      throwsInvalid(() => build({ calendar: { unit: "month", dayOfMonth: 40 } }), "calendar.dayOfMonth");
      throwsInvalid(() => build({ calendar: "monthly" as never }), "calendar");
      throwsInvalid(
        () => build({ cron: "* * * * *", cronDayMatch: "xor" as "and" }),
        "cronDayMatch",
        /"or" or "and", got "xor"/,
      );
      throwsInvalid(() => build({ cron: "* * * * *", dst: { fold: "third" as "both" } }), "dst.fold");
      throwsInvalid(() => build({ trigger: { kind: "cron", version: 2 } as never }), "version");
    });
    it("an end before the start", () => {
      throwsInvalid(
        () => build({ cron: "* * * * *", startAt: "2026-03-01T00:00:00Z", endAt: "2026-02-01T00:00:00Z" }),
        "endAt",
      );
    });
    it("a context without a numeric now", () => {
      assert.throws(
        () => triggerFromOptions({ interval: 1 }, { now: NaN, timezone: "UTC" }),
        InvalidArgumentError,
      );
    });
  });
});
