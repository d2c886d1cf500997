/**
 * Differential test against croner 11 (a dev dependency used only as a reference): for thousands
 * of random expressions, zones and instants both libraries must give the same next fire time.
 *
 * croner runs with `fixedTimeRule: "no-wildcard"`, the classification cronq uses (a job is at a
 * fixed time when its seconds, minutes and hours have no wildcard and no step), and `domAndDow`
 * for cronq's `dayMatch: "and"`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Cron } from "croner";
import fc from "fast-check";
import { cronTrigger } from "../../../src/core/triggers/index.js";
import { InvalidTriggerError } from "../../../src/core/errors.js";
import { cronExpression, instant, ZONES } from "./arbitraries.js";

const offsetFormats = new Map<string, Intl.DateTimeFormat>();
/** The zone's offset text from Intl, independent of cronq's offset engine. */
function offsetText(zone: string, ms: number): string {
  let f = offsetFormats.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" });
    offsetFormats.set(zone, f);
  }
  return f.format(ms).split(" ").at(-1)!;
}

/** No DST transition within two days of `ms`. */
function awayFromTransitions(zone: string, ms: number): boolean {
  const here = offsetText(zone, ms);
  return offsetText(zone, ms - 2 * 86_400_000) === here && offsetText(zone, ms + 2 * 86_400_000) === here;
}

function croner(expr: string, zone: string, and: boolean): Cron {
  const offset = /^([+-])(\d{2}):(\d{2})$/.exec(zone);
  const where = offset
    ? { utcOffset: (offset[1] === "-" ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) }
    : { timezone: zone };
  return new Cron(expr, { ...where, paused: true, domAndDow: and, fixedTimeRule: "no-wildcard" });
}

function compare(
  expr: string,
  zone: string,
  after: number,
  and: boolean,
): { ours: number | null; theirs: number | null } | "never" {
  let ours: number | null;
  try {
    ours = cronTrigger(expr, { timezone: zone, dayMatch: and ? "and" : "or" }).nextMs(after);
  } catch (error) {
    // cronq rejects expressions that can never fire (croner accepts them, then searches 400 years
    // day by day and returns null, which is too slow to repeat here; see cron-parse.test.ts).
    if (!(error instanceof InvalidTriggerError) || !/never fires/.test(error.message)) throw error;
    return "never";
  }
  const theirs = croner(expr, zone, and).nextRun(new Date(after))?.getTime() ?? null;
  return { ours, theirs };
}

// Mostly "or", the default; croner is slow on rare "and" dates, so they get a quarter of the runs.
const andMode = fc.oneof(
  { weight: 3, arbitrary: fc.constant(false) },
  { weight: 1, arbitrary: fc.constant(true) },
);

const show = (ms: number | null): string => (ms === null ? "null" : new Date(ms).toISOString());

describe("differential test against croner 11", () => {
  it("agrees on 2,500 random expressions, zones and instants away from DST transitions", () => {
    let compared = 0;
    fc.assert(
      fc.property(cronExpression, fc.constantFrom(...ZONES), instant, andMode, (expr, zone, after, and) => {
        const fixed = zone.startsWith("+") || zone.startsWith("-");
        if (!fixed && !awayFromTransitions(zone, after)) return;
        const result = compare(expr, zone, after, and);
        if (result === "never") return;
        const { ours, theirs } = result;
        if (!fixed && theirs !== null && !awayFromTransitions(zone, theirs)) return;
        compared++;
        assert.equal(
          show(ours),
          show(theirs),
          `"${expr}" in ${zone}${and ? " (AND)" : ""} after ${show(after)}`,
        );
      }),
      { numRuns: 2500, seed: 0x0c0ffee },
    );
    assert.ok(compared > 2000, `only ${compared} comparisons`);
  });

  it("agrees around DST transitions in the six policy zones, where both follow Vixie cron", () => {
    // Transition instants (UTC) in each zone, from the tz database.
    const transitions: Array<[string, string]> = [
      ["America/New_York", "2025-03-09T07:00:00Z"],
      ["America/New_York", "2025-11-02T06:00:00Z"],
      ["Europe/London", "2025-03-30T01:00:00Z"],
      ["Europe/London", "2025-10-26T01:00:00Z"],
      ["Europe/Berlin", "2025-03-30T01:00:00Z"],
      ["Europe/Berlin", "2025-10-26T01:00:00Z"],
      ["Australia/Sydney", "2025-04-05T16:00:00Z"],
      ["Australia/Sydney", "2025-10-04T16:00:00Z"],
      ["Australia/Lord_Howe", "2024-04-06T15:00:00Z"],
      ["Australia/Lord_Howe", "2024-10-05T15:30:00Z"],
      ["Asia/Kolkata", "2025-03-09T07:00:00Z"],
    ];
    // Expressions that hit the transition hours often: fixed times and wildcards near 01:00-03:00.
    const nearTransition = fc.oneof(
      cronExpression,
      fc
        .tuple(
          fc.constantFrom("0", "15", "30", "45", "*/15", "*", "0,30"),
          fc.constantFrom("1", "2", "3", "1-3", "*", "*/2", "0,2"),
        )
        .map(([m, h]) => `${m} ${h} * * *`),
    );
    fc.assert(
      fc.property(
        nearTransition,
        fc.constantFrom(...transitions),
        fc.integer({ min: -3 * 3_600_000, max: 3 * 3_600_000 }),
        andMode,
        (expr, [zone, at], delta, and) => {
          const after = Date.parse(at) + delta;
          const result = compare(expr, zone, after, and);
          if (result === "never") return;
          assert.equal(show(result.ours), show(result.theirs), `"${expr}" in ${zone} after ${show(after)}`);
        },
      ),
      { numRuns: 1000, seed: 0xd57 },
    );
  });

  it("agrees when one trigger is asked again and again: chained, and jumping back and forth (its caches)", () => {
    const sixFields = fc
      .tuple(fc.constantFrom("*", "*/10", "0,30", "15-20", "*/7"), cronExpression)
      .map(([sec, rest]) => (rest.split(" ").length === 5 ? `${sec} ${rest}` : rest));
    fc.assert(
      fc.property(
        fc.oneof(cronExpression, sixFields, fc.constant("@daily"), fc.constant("0 0 * * *")),
        fc.constantFrom("UTC", "Europe/Berlin", "+05:30", "Asia/Kolkata"),
        instant,
        fc.array(fc.integer({ min: -2 * 86_400_000, max: 2 * 86_400_000 }), { minLength: 40, maxLength: 40 }),
        (expr, zone, start, jumps) => {
          let trigger: ReturnType<typeof cronTrigger>;
          try {
            trigger = cronTrigger(expr, { timezone: zone });
          } catch (error) {
            if (error instanceof InvalidTriggerError && /never fires/.test(error.message)) return;
            throw error;
          }
          const reference = croner(expr, zone, false);
          let after = start;
          for (let i = 0; i < jumps.length; i++) {
            // Even steps chain from the previous answer, as the scheduler does; odd steps jump.
            if (i % 2 === 1) after += jumps[i]!;
            if (zone.includes("/") && !awayFromTransitions(zone, after)) return;
            const theirs = reference.nextRun(new Date(after))?.getTime() ?? null;
            if (theirs !== null && zone.includes("/") && !awayFromTransitions(zone, theirs)) return;
            const ours = trigger.nextMs(after);
            assert.equal(show(ours), show(theirs), `"${expr}" in ${zone}, call ${i}, after ${show(after)}`);
            if (ours === null) return;
            if (i % 2 === 0) after = ours;
          }
        },
      ),
      { numRuns: 300, seed: 0xcac4e },
    );
  });
});
