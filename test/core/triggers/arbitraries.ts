/** fast-check generators for trigger tests. */
import fc from "fast-check";

/** Zones with DST in both hemispheres, half-hour and 45-minute offsets, and none. */
export const ZONES = [
  "UTC",
  "America/New_York",
  "Europe/London",
  "Europe/Berlin",
  "Australia/Sydney",
  "Australia/Lord_Howe",
  "Asia/Kolkata",
  "America/Sao_Paulo",
  "Pacific/Auckland",
  "Pacific/Chatham",
  "America/St_Johns",
  "Asia/Tehran",
  "America/Santiago",
  "+05:30",
  "-03:00",
] as const;

const int = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min, max });

/** One field of plain values: `*`, n, a-b, *\/n, a-b/n and lists of them. */
export function valueField(min: number, max: number): fc.Arbitrary<string> {
  const item = fc.oneof(
    int(min, max).map(String),
    fc.tuple(int(min, max), int(min, max)).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
    int(1, Math.max(1, max - min)).map((s) => `*/${s}`),
    fc
      .tuple(int(min, max), int(min, max), int(1, Math.max(1, max - min)))
      .map(([a, b, s]) => `${Math.min(a, b)}-${Math.max(a, b)}/${s}`),
  );
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant("*") },
    { weight: 4, arbitrary: item },
    { weight: 2, arbitrary: fc.array(item, { minLength: 2, maxLength: 3 }).map((a) => a.join(",")) },
  );
}

const dayOfMonth = fc.oneof(
  { weight: 4, arbitrary: valueField(1, 31) },
  { weight: 1, arbitrary: fc.constantFrom("L", "LW", "15W", "1W", "31W", "L,15", "1,L") },
);
const dayOfWeek = fc.oneof(
  { weight: 4, arbitrary: valueField(0, 7) },
  {
    weight: 1,
    arbitrary: fc.constantFrom("MON-FRI", "5L", "1#2", "FRI#5", "SUN,SAT", "0L,3#1", "mon", "7", "sat#L"),
  },
);

/**
 * Cron expressions in the syntax that cronq and croner 11 share (croner does not know `L-n`,
 * and reads `a/n` only with `sloppyRanges`), 5 or 6 fields.
 */
export const cronExpression: fc.Arbitrary<string> = fc
  .tuple(
    fc.boolean(),
    valueField(0, 59),
    valueField(0, 59),
    valueField(0, 23),
    dayOfMonth,
    valueField(1, 12),
    dayOfWeek,
  )
  .map(([six, s, m, h, d, mo, w]) => (six ? [s, m, h, d, mo, w] : [m, h, d, mo, w]).join(" "));

/** Instants from 1975 to 2090, in whole milliseconds. */
export const instant: fc.Arbitrary<number> = int(Date.UTC(1975, 0, 1), Date.UTC(2090, 0, 1));
