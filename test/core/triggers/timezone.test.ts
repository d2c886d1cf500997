/**
 * The UTC-offset engine against the runtime's own tz database, read through Intl with
 * `timeZoneName: "longOffset"` (a different Intl path from the one the engine samples).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { formatInZone, getTimeZone } from "../../../src/core/triggers/index.js";
import { at, throwsInvalid } from "./helpers.js";

const formats = new Map<string, Intl.DateTimeFormat>();
/** Offset in ms from Intl's "GMT+05:30" text. */
function intlOffset(zone: string, ms: number): number {
  let f = formats.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" });
    formats.set(zone, f);
  }
  const text = f.formatToParts(ms).find((p) => p.type === "timeZoneName")!.value;
  const m = /^GMT(?:([+-])(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  assert.ok(m, text);
  if (m[1] === undefined) return 0;
  const abs = (Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0)) * 1000;
  return m[1] === "-" ? -abs : abs;
}

const ZONES = [
  "America/New_York",
  "Europe/London",
  "Europe/Berlin",
  "Australia/Sydney",
  "Australia/Lord_Howe",
  "Asia/Kolkata",
  "America/Sao_Paulo",
  "America/Santiago",
  "Africa/Casablanca",
  "Asia/Tehran",
  "Pacific/Chatham",
  "Pacific/Apia",
  "America/St_Johns",
  "Europe/Moscow",
  "Antarctica/Troll",
  "Asia/Gaza",
  "UTC",
];

describe("timezone engine", () => {
  it("agrees with Intl at every hour of each transition day of the six policy zones", () => {
    const days = [
      ["America/New_York", "2025-03-09T00:00:00Z", "2025-11-02T00:00:00Z"],
      ["Europe/London", "2025-03-30T00:00:00Z", "2025-10-26T00:00:00Z"],
      ["Europe/Berlin", "2025-03-30T00:00:00Z", "2025-10-26T00:00:00Z"],
      ["Australia/Sydney", "2025-04-05T12:00:00Z", "2025-10-04T12:00:00Z"],
      ["Australia/Lord_Howe", "2024-04-06T12:00:00Z", "2024-10-05T12:00:00Z"],
      ["Asia/Kolkata", "2025-03-09T00:00:00Z", "2025-11-02T00:00:00Z"],
    ] as const;
    for (const [zone, ...starts] of days) {
      const tz = getTimeZone(zone);
      for (const start of starts) {
        for (let t = at(start); t < at(start) + 86_400_000; t += 15 * 60_000) {
          assert.equal(tz.offsetAt(t), intlOffset(zone, t), `${zone} at ${new Date(t).toISOString()}`);
        }
      }
    }
  });

  it("sees DST periods that last a single week (America/Noronha 2000, Asia/Gaza 2072)", () => {
    // Found by scanning every zone with Intl from 1900 to 2100: these are the shortest periods of
    // constant offset in the tz database, and sampling once a week would miss them.
    for (const [zone, from] of [
      ["America/Noronha", "2000-10-06T00:00:00Z"],
      ["America/Boa_Vista", "2000-10-06T00:00:00Z"],
      ["Asia/Gaza", "2072-10-20T00:00:00Z"],
      ["Asia/Hebron", "2040-10-18T00:00:00Z"],
    ] as const) {
      const tz = getTimeZone(zone);
      const seen = new Set<number>();
      for (let t = at(from); t < at(from) + 12 * 86_400_000; t += 3_600_000) {
        assert.equal(tz.offsetAt(t), intlOffset(zone, t), `${zone} at ${new Date(t).toISOString()}`);
        seen.add(tz.offsetAt(t));
      }
      assert.equal(seen.size, 2, zone);
    }
  });

  it("changes offset exactly at the transition instant, to the millisecond", () => {
    const ny = getTimeZone("America/New_York");
    assert.equal(ny.offsetAt(at("2025-03-09T06:59:59.999Z")), -5 * 3_600_000);
    assert.equal(ny.offsetAt(at("2025-03-09T07:00:00Z")), -4 * 3_600_000);
    const lordHowe = getTimeZone("Australia/Lord_Howe");
    assert.equal(lordHowe.offsetAt(at("2024-10-05T15:29:59.999Z")), 10.5 * 3_600_000);
    assert.equal(lordHowe.offsetAt(at("2024-10-05T15:30:00Z")), 11 * 3_600_000);
  });

  it("agrees with Intl at random instants from 1900 to 2100 in zones with unusual rules", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: at("1900-01-01T00:00:00Z"), max: at("2100-01-01T00:00:00Z") }),
        (zone, t) => {
          assert.equal(
            getTimeZone(zone).offsetAt(t),
            intlOffset(zone, t),
            `${zone} at ${new Date(t).toISOString()}`,
          );
        },
      ),
      { numRuns: 2000, seed: 20261127 },
    );
  });

  it("answers before 1900 and after 9999 with the offsets at the ends of the supported range", () => {
    const ny = getTimeZone("America/New_York");
    assert.equal(ny.offsetAt(at("1800-01-01T00:00:00Z")), ny.offsetAt(at("1900-01-01T00:00:00Z")));
    assert.equal(ny.offsetAt(8.64e15), ny.offsetAt(at("9999-12-31T23:59:59Z")));
  });

  it("reads fixed offsets and Etc zones without tables", () => {
    assert.equal(getTimeZone("+05:30").offsetAt(0), 5.5 * 3_600_000);
    assert.equal(getTimeZone("-0800").offsetAt(0), -8 * 3_600_000);
    assert.equal(getTimeZone("+03").offsetAt(0), 3 * 3_600_000);
    assert.equal(getTimeZone("UTC").offsetAt(at("2025-07-01T00:00:00Z")), 0);
    // POSIX sign convention: Etc/GMT+5 is five hours behind UTC.
    assert.equal(getTimeZone("Etc/GMT+5").offsetAt(at("2025-07-01T00:00:00Z")), -5 * 3_600_000);
    assert.equal(getTimeZone("+05:30").fixed, true);
    assert.equal(getTimeZone("Etc/GMT+5").fixed, true);
    assert.equal(getTimeZone("Europe/Berlin").fixed, false);
  });

  it("rejects unknown zones and impossible offsets, naming the field", () => {
    const expected = /Expected `timezone` to be an IANA timezone such as "Europe\/Berlin"/;
    throwsInvalid(() => getTimeZone("Mars/Olympus_Mons"), "timezone", expected);
    throwsInvalid(() => getTimeZone(""), "timezone", expected);
    throwsInvalid(() => getTimeZone(42), "timezone", /got 42 \(number\)/);
    throwsInvalid(
      () => getTimeZone("+19:00"),
      "timezone",
      /a fixed offset between -18:00 and \+18:00, got "\+19:00"/,
    );
    throwsInvalid(() => getTimeZone("+05:60"), "timezone", /got "\+05:60"/);
    throwsInvalid(() => getTimeZone("Europe/Berlin ", "calendar.timezone"), "calendar.timezone");
  });

  it("formats instants as ISO 8601 with the zone's offset", () => {
    assert.equal(
      formatInZone(at("2025-03-30T01:00:00Z"), getTimeZone("Europe/Berlin")),
      "2025-03-30T03:00:00+02:00",
    );
    assert.equal(
      formatInZone(at("2025-01-01T00:00:00Z"), getTimeZone("Europe/London")),
      "2025-01-01T00:00:00+00:00",
    );
    assert.equal(
      formatInZone(at("2025-01-01T00:00:00.250Z"), getTimeZone("Asia/Kolkata")),
      "2025-01-01T05:30:00.250+05:30",
    );
  });
});
