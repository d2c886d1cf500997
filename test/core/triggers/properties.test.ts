/**
 * Properties that every trigger kind must have, checked with fast-check on random triggers:
 * - `next(after)` is strictly after `after`, within the bounds, and strictly increasing;
 * - nothing fires in between: from any instant in [after, next) the answer is the same `next`;
 * - the JSON spec rebuilds a trigger with the same fire times.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  boundTrigger,
  calendarTrigger,
  cronTrigger,
  dateTrigger,
  intersectionTrigger,
  intervalTrigger,
  type Trigger,
  triggerFromSpec,
  unionTrigger,
} from "../../../src/core/triggers/index.js";
import { cronExpression, ZONES } from "./arbitraries.js";

// A narrower range than the differential test: every zone-year touched builds an offset table.
const instant = fc.integer({ min: Date.UTC(2015, 0, 1), max: Date.UTC(2035, 0, 1) });
const zone = fc.constantFrom(...ZONES);

const cron: fc.Arbitrary<Trigger> = fc
  .tuple(
    cronExpression,
    zone,
    fc.constantFrom<"or" | "and">("or", "and"),
    fc.constantFrom(
      undefined,
      { gap: "skip" as const },
      { fold: "both" as const },
      { fold: "second" as const },
    ),
  )
  .filter(([expr, , dayMatch]) => {
    try {
      cronTrigger(expr, { dayMatch });
      return true;
    } catch {
      return false; // "never fires" expressions are rejected when built; see cron-parse.test.ts
    }
  })
  .map(([expr, timezone, dayMatch, dst]) =>
    cronTrigger(expr, { timezone, dayMatch, ...(dst ? { dst } : {}) }),
  );

const interval: fc.Arbitrary<Trigger> = fc
  .tuple(fc.integer({ min: 1, max: 3 * 86_400_000 }), instant)
  .map(([everyMs, startAt]) => intervalTrigger(everyMs / 1000, { startAt }));

const date: fc.Arbitrary<Trigger> = instant.map((at) => dateTrigger(at));

const calendar: fc.Arbitrary<Trigger> = fc
  .record({
    unit: fc.constantFrom<"day" | "week" | "month" | "year">("day", "week", "month", "year"),
    every: fc.integer({ min: 1, max: 5 }),
    h: fc.integer({ min: 0, max: 23 }),
    m: fc.constantFrom(0, 15, 30, 45),
    day: fc.integer({ min: 1, max: 31 }),
    month: fc.integer({ min: 1, max: 12 }),
    weekdays: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
    timezone: zone,
    startAt: instant,
    dst: fc.constantFrom(undefined, { gap: "skip" as const }, { fold: "both" as const }),
  })
  .map((r) =>
    calendarTrigger({
      unit: r.unit,
      every: r.every,
      time: `${String(r.h).padStart(2, "0")}:${String(r.m).padStart(2, "0")}`,
      ...(r.unit === "month" || r.unit === "year"
        ? {
            dayOfMonth:
              r.unit === "year" && r.month === 2
                ? Math.min(r.day, 29)
                : r.unit === "year"
                  ? Math.min(r.day, [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][r.month - 1]!)
                  : r.day,
          }
        : {}),
      ...(r.unit === "year" ? { month: r.month } : {}),
      ...(r.unit === "week" ? { weekdays: r.weekdays } : {}),
      timezone: r.timezone,
      startAt: r.startAt,
      ...(r.dst ? { dst: r.dst } : {}),
    }),
  );

const simple = fc.oneof(cron, interval, date, calendar);
const union: fc.Arbitrary<Trigger> = fc
  .array(simple, { minLength: 1, maxLength: 3 })
  .map((ts) => unionTrigger(ts));
// X AND (X OR Y) fires exactly when X does, so these intersections always have common instants.
const intersection: fc.Arbitrary<Trigger> = fc
  .tuple(fc.oneof(cron, calendar), simple)
  .map(([x, y]) => intersectionTrigger([x, unionTrigger([x, y])]));

// Bounds narrow the trigger's own; narrowing to an empty range is an error (spec.test.ts).
const bounded = (trigger: fc.Arbitrary<Trigger>): fc.Arbitrary<Trigger> =>
  fc
    .tuple(trigger, instant, fc.integer({ min: 0, max: 400 * 86_400_000 }), fc.boolean())
    .filter(([t, start, span, both]) => !both || start + span >= startOf(t))
    .map(([t, start, span, both]) =>
      boundTrigger(t, both ? { startAt: start, endAt: start + span } : { startAt: start }),
    );

const kinds: Array<[string, fc.Arbitrary<Trigger>, number]> = [
  ["cron", cron, 300],
  ["interval", interval, 300],
  ["date", date, 200],
  ["calendar", calendar, 300],
  ["union", union, 100],
  ["intersection", intersection, 100],
  ["bounded (any kind with startAt/endAt)", bounded(simple), 200],
];

function startOf(t: Trigger): number {
  const s = t.toJSON().startAt;
  return s === undefined ? -Infinity : Date.parse(s);
}
function endOf(t: Trigger): number {
  const e = t.toJSON().endAt;
  return e === undefined ? Infinity : Date.parse(e);
}

describe("trigger properties", () => {
  for (const [name, arbitrary, numRuns] of kinds) {
    describe(name, () => {
      it("fires strictly after `after`, within its bounds, strictly increasing", () => {
        fc.assert(
          fc.property(arbitrary, instant, (t, after) => {
            let prev = after;
            for (let i = 0; i < 5; i++) {
              const next = t.nextMs(prev);
              if (next === null) return;
              assert.ok(next > prev, `${next} <= ${prev}`);
              assert.ok(Number.isInteger(next));
              assert.ok(next >= startOf(t) && next <= endOf(t), "outside the bounds");
              prev = next;
            }
          }),
          { numRuns },
        );
      });

      it("never skips a fire: every instant before `next` leads to the same `next`", () => {
        fc.assert(
          fc.property(arbitrary, instant, fc.double({ min: 0, max: 1, noNaN: true }), (t, after, f) => {
            const next = t.nextMs(after);
            if (next === null) return;
            const between = after + Math.floor((next - after) * f);
            if (between >= next) return;
            assert.equal(t.nextMs(between), next, `from ${new Date(between).toISOString()}`);
          }),
          { numRuns },
        );
      });

      it("round-trips through its JSON spec with the same fire times", () => {
        fc.assert(
          fc.property(arbitrary, instant, (t, after) => {
            const text = JSON.stringify(t);
            const rebuilt = triggerFromSpec(JSON.parse(text));
            assert.equal(JSON.stringify(rebuilt), text);
            let a: number | null = after;
            let b: number | null = after;
            for (let i = 0; i < 3 && a !== null; i++) {
              a = t.nextMs(a);
              b = rebuilt.nextMs(b!);
              assert.equal(a, b);
            }
          }),
          { numRuns: Math.ceil(numRuns / 2) },
        );
      });
    });
  }
});
