/** triggerFromSpec: JSON round trips and full validation of specs from stores and HTTP. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  boundTrigger,
  calendarTrigger,
  cronTrigger,
  dateTrigger,
  intersectionTrigger,
  intervalTrigger,
  triggerFromSpec,
  unionTrigger,
} from "../../../src/core/triggers/index.js";
import { at, fires, throwsInvalid } from "./helpers.js";

const examples = [
  cronTrigger("0 9 * * MON-FRI", { timezone: "Europe/Berlin" }),
  cronTrigger("0 0 1-7 * MON", {
    dayMatch: "and",
    dst: { gap: "skip" },
    startAt: "2026-01-01T00:00:00Z",
    endAt: "2027-01-01T00:00:00Z",
  }),
  intervalTrigger("90m", { startAt: "2026-01-01T00:00:00Z", endAt: "2026-02-01T00:00:00Z" }),
  dateTrigger("2026-05-01T10:00:00Z"),
  calendarTrigger({
    unit: "week",
    every: 2,
    weekdays: [1, 5],
    time: "09:00",
    startAt: "2026-03-16",
    timezone: "Europe/Berlin",
    dst: { fold: "both" },
  }),
  calendarTrigger({ unit: "year", month: 2, dayOfMonth: 29, startAt: "2024-01-01T00:00:00Z" }),
  unionTrigger([cronTrigger("0 * * * *"), dateTrigger("2026-05-01T10:30:00Z")]),
  intersectionTrigger(
    [intervalTrigger("30m", { startAt: "2026-01-01T00:00:00Z" }), cronTrigger("* 9-17 * * *")],
    { endAt: "2026-12-31T00:00:00Z" },
  ),
];

describe("triggerFromSpec", () => {
  for (const trigger of examples) {
    it(`round-trips a ${trigger.kind} trigger through JSON text: ${trigger.describe()}`, () => {
      const text = JSON.stringify(trigger);
      const rebuilt = triggerFromSpec(JSON.parse(text));
      assert.equal(JSON.stringify(rebuilt), text);
      assert.deepEqual(
        fires(rebuilt, "2026-01-01T00:00:00Z", 20),
        fires(trigger, "2026-01-01T00:00:00Z", 20),
      );
      assert.equal(rebuilt.describe(), trigger.describe());
    });
  }

  it("writes the resolved timezone and every calendar default into the spec", () => {
    assert.deepEqual(cronTrigger("@daily").toJSON(), {
      kind: "cron",
      version: 1,
      expression: "@daily",
      timezone: "UTC",
    });
    assert.deepEqual(calendarTrigger({ unit: "month", startAt: "2026-01-15T08:00:00Z" }).toJSON(), {
      kind: "calendar",
      version: 1,
      every: 1,
      unit: "month",
      time: "00:00:00",
      dayOfMonth: 15,
      timezone: "UTC",
      anchorAt: "2026-01-15T08:00:00.000Z",
      startAt: "2026-01-15T08:00:00.000Z",
    });
  });

  it("rejects what is not a spec", () => {
    throwsInvalid(() => triggerFromSpec(null), "trigger", /a trigger spec object/);
    throwsInvalid(() => triggerFromSpec([]), "trigger");
    throwsInvalid(() => triggerFromSpec("cron"), "trigger");
    throwsInvalid(
      () => triggerFromSpec({ kind: "weekly", version: 1 }),
      "kind",
      /one of "cron", "interval", "date", "calendar", "union", "intersection"/,
    );
    throwsInvalid(
      () => triggerFromSpec({ kind: "cron", expression: "* * * * *" }),
      "version",
      /Expected `version` to be 1, got undefined/,
    );
    throwsInvalid(() => triggerFromSpec({ kind: "cron", version: 2, expression: "* * * * *" }), "version");
  });

  it("rejects unknown fields and wrong field types", () => {
    throwsInvalid(
      () => triggerFromSpec({ kind: "cron", version: 1, expression: "* * * * *", tz: "UTC" }),
      "tz",
      /a cron spec has only/,
    );
    throwsInvalid(() => triggerFromSpec({ kind: "cron", version: 1, expression: 5 }), "expression");
    throwsInvalid(
      () => triggerFromSpec({ kind: "cron", version: 1, expression: "* * * * *", timezone: 1 }),
      "timezone",
      /a string/,
    );
    throwsInvalid(
      () => triggerFromSpec({ kind: "cron", version: 1, expression: "* * * * *", dayMatch: "both" }),
      "dayMatch",
    );
    throwsInvalid(
      () => triggerFromSpec({ kind: "cron", version: 1, expression: "* * * * *", dst: "skip" }),
      "dst",
    );
    throwsInvalid(
      () => triggerFromSpec({ kind: "interval", version: 1, everyMs: 0, anchorAt: "2026-01-01T00:00:00Z" }),
      "everyMs",
    );
    throwsInvalid(
      () => triggerFromSpec({ kind: "interval", version: 1, everyMs: 1.5, anchorAt: "2026-01-01T00:00:00Z" }),
      "everyMs",
    );
    throwsInvalid(() => triggerFromSpec({ kind: "interval", version: 1, everyMs: 1000 }), "anchorAt");
    throwsInvalid(() => triggerFromSpec({ kind: "date", version: 1 }), "at");
    throwsInvalid(
      () =>
        triggerFromSpec({
          kind: "calendar",
          version: 1,
          unit: "day",
          anchorAt: "2026-01-01T00:00:00Z",
          every: "2",
        }),
      "every",
    );
  });

  it("requires instants with an offset, since a spec has no context to read local times in", () => {
    throwsInvalid(
      () => triggerFromSpec({ kind: "date", version: 1, at: "2026-05-01T10:00:00" }),
      "at",
      /an ISO 8601 instant with an offset/,
    );
    throwsInvalid(() => triggerFromSpec({ kind: "date", version: 1, at: 1767225600000 }), "at");
    throwsInvalid(
      () => triggerFromSpec({ kind: "cron", version: 1, expression: "* * * * *", startAt: "yesterday" }),
      "startAt",
    );
  });

  it("names the path of a bad value inside a combination", () => {
    const spec = {
      kind: "union",
      version: 1,
      triggers: [
        cronTrigger("* * * * *").toJSON(),
        {
          kind: "intersection",
          version: 1,
          triggers: [{ kind: "cron", version: 1, expression: "* * 32 * *" }],
        },
      ],
    };
    throwsInvalid(
      () => triggerFromSpec(spec),
      "triggers[1].triggers[0].expression",
      /day-of-month field \(3rd\)/,
    );
    throwsInvalid(
      () => triggerFromSpec({ kind: "union", version: 1, triggers: [] }),
      "triggers",
      /1 to 50 trigger specs/,
    );
  });

  it("limits nesting depth, so that a hostile spec cannot exhaust the stack", () => {
    let spec: object = cronTrigger("* * * * *").toJSON();
    for (let i = 0; i < 9; i++) spec = { kind: "union", version: 1, triggers: [spec] };
    throwsInvalid(
      () => triggerFromSpec(spec),
      `${"triggers[0].".repeat(8)}triggers`,
      /nested at most 8 deep/,
    );
  });
});

describe("boundTrigger", () => {
  it("narrows the bounds of any trigger and keeps tighter ones", () => {
    const t = boundTrigger(cronTrigger("0 * * * *", { endAt: "2026-01-01T05:00:00Z" }), {
      startAt: "2026-01-01T03:00:00Z",
      endAt: "2026-01-02T00:00:00Z",
    });
    assert.deepEqual(fires(t, "2026-01-01T00:00:00Z", 4), [
      "2026-01-01T03:00:00.000Z",
      "2026-01-01T04:00:00.000Z",
      "2026-01-01T05:00:00.000Z",
      null,
    ]);
    const i = boundTrigger(intervalTrigger("1h", { startAt: "2026-01-01T00:30:00Z" }), {
      startAt: "2026-01-01T02:00:00Z",
    });
    assert.equal(i.nextMs(at("2026-01-01T00:00:00Z")), at("2026-01-01T02:30:00Z"));
  });
});
