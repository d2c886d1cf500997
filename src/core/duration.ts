/**
 * Durations as users write them, and the milliseconds the code uses.
 *
 * A {@link Duration} is a number of **seconds** (the seed's `interval=1`; fractions allowed) or a
 * string: a sequence of `<number><unit>` parts with units `ms`, `s`, `m`, `h`, `d`, `w`
 * (`"500ms"`, `"30s"`, `"1h30m"`, `"1.5h"`), or an ISO 8601 duration without years or months
 * (`"PT1H30M"`, `"P1DT12H"`, `"P2W"`), whose length would otherwise depend on the calendar.
 */
import { InvalidArgumentError } from "./errors.js";

export type Duration = number | string;

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const SIMPLE = /^(?:\d+(?:\.\d+)?|\.\d+)(?:ms|s|m|h|d|w)$/;
const PART = /(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h|d|w)/g;
const ISO =
  /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** The largest duration cronq accepts: 100 years, far beyond any schedule, far below float trouble. */
export const MAX_DURATION_MS = 100 * 365 * UNIT_MS.d!;

export const DURATION_EXPECTED =
  'a duration like "30s", "1h30m", "500ms" or "PT1H30M", or a number of seconds';

export interface ParseDurationOptions {
  /** The dotted name of the option being parsed, used in error messages. */
  field?: string;
  /** Smallest allowed value in ms (inclusive). @default 0 */
  minMs?: number;
  /** Whether zero is allowed when `minMs` is 0. @default true */
  allowZero?: boolean;
}

/**
 * Parses a {@link Duration} into whole milliseconds (fractions of a millisecond are rounded).
 * Throws {@link InvalidArgumentError} naming `field` for anything else: negative numbers, NaN,
 * unknown units, empty strings, ISO durations with years or months.
 */
export function parseDuration(value: unknown, options: ParseDurationOptions = {}): number {
  const field = options.field ?? "duration";
  const fail = (extra = ""): never => {
    throw new InvalidArgumentError(field, DURATION_EXPECTED + extra, value);
  };
  let ms: number;
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) fail();
    ms = value * 1000;
  } else if (typeof value === "string") {
    const text = value.trim();
    if (text === "") fail();
    if (/^\d+(?:\.\d+)?$/.test(text)) {
      ms = Number(text) * 1000;
    } else if (text[0] === "P" || text[0] === "p") {
      const m = ISO.exec(text.toUpperCase());
      if (!m || text.length === 1 || /T$/i.test(text))
        fail(" (ISO 8601 durations may not use years or months)");
      const [, w, d, h, min, s] = m!;
      ms =
        Number(w ?? 0) * UNIT_MS.w! +
        Number(d ?? 0) * UNIT_MS.d! +
        Number(h ?? 0) * UNIT_MS.h! +
        Number(min ?? 0) * UNIT_MS.m! +
        Number(s ?? 0) * 1000;
    } else {
      const compact = text.replace(/\s+/g, "").toLowerCase();
      if (SIMPLE.test(compact)) {
        ms = parseFloat(compact) * UNIT_MS[compact.replace(/^[\d.]+/, "")]!;
      } else {
        ms = 0;
        let consumed = 0;
        for (const part of compact.matchAll(PART)) {
          if (part.index !== consumed) fail();
          ms += Number(part[1]) * UNIT_MS[part[2]!]!;
          consumed += part[0].length;
        }
        if (consumed === 0 || consumed !== compact.length) fail();
      }
    }
  } else {
    return fail();
  }
  ms = Math.round(ms);
  if (ms > MAX_DURATION_MS) {
    throw new InvalidArgumentError(field, "a duration of at most 100 years", value);
  }
  const minMs = options.minMs ?? 0;
  if (ms < minMs || (ms === 0 && options.allowZero === false)) {
    throw new InvalidArgumentError(
      field,
      minMs > 0 ? `a duration of at least ${formatDuration(minMs)}` : "a duration greater than zero",
      value,
    );
  }
  return ms;
}

/** `5400000` -> `"1h30m"`, `500` -> `"500ms"`: the shortest exact form, used in descriptions and logs. */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  let rest = Math.round(ms);
  const parts: string[] = [];
  for (const unit of ["d", "h", "m", "s"] as const) {
    const size = UNIT_MS[unit]!;
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0) parts.push(`${rest}ms`);
  return parts.join("");
}
