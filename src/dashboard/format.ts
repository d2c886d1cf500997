/**
 * Text for times, durations and counts. Pure functions (no DOM), tested under Node in
 * `test/dashboard/format.test.ts`.
 */

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["min", 60_000],
  ["s", 1000],
];

/** A span for people, at most two units: `850 ms`, `1.2 s`, `45 s`, `3 min 5 s`, `2 h 10 min`, `3 d 4 h`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  const abs = Math.abs(ms);
  const sign = ms < 0 ? "-" : "";
  if (abs < 10) return `${sign}${Math.round(abs * 10) / 10} ms`;
  if (abs < 1000) return `${sign}${Math.round(abs)} ms`;
  if (abs < 10_000) return `${sign}${(Math.floor(abs / 100) / 10).toFixed(1)} s`;
  const parts: string[] = [];
  let rest = Math.floor(abs / 1000) * 1000;
  for (const [unit, size] of UNITS) {
    if (parts.length === 2) break;
    const n = Math.floor(rest / size);
    if (n > 0 || parts.length > 0) {
      if (n > 0) parts.push(`${n} ${unit}`);
      rest -= n * size;
      // Two units at most, and only adjacent ones: "2 h 10 min", not "2 h 10 s".
      if (parts.length > 0 && n === 0) break;
    }
  }
  return sign + parts.join(" ");
}

/** Whole seconds, for what ticks each second: `3 s`, `4 min 10 s`, `2 h 5 min`. */
function formatSeconds(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return seconds < 60 ? `${seconds} s` : formatDuration(seconds * 1000);
}

/** A countdown or an age: `in 3 s`, `4 min 10 s ago`, `now`. */
export function formatRelative(targetMs: number, nowMs: number): string {
  const delta = targetMs - nowMs;
  if (Math.abs(delta) < 1000) return "now";
  const span = formatSeconds(Math.abs(delta));
  return delta > 0 ? `in ${span}` : `${span} ago`;
}

/** How long something has run, from its start: `12 s`, `3 min 5 s`. */
export function formatElapsed(startMs: number, nowMs: number): string {
  return formatSeconds(Math.max(0, nowMs - startMs));
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

function dateTimeFormat(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? "";
  let format = dateTimeFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat("en-CA", {
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      ...(timeZone === undefined ? {} : { timeZone }),
    });
    dateTimeFormats.set(key, format);
  }
  return format;
}

/**
 * An instant as `2026-03-02 09:00:05` in `timeZone` (default: the browser's): sortable, and the
 * same on every locale, so that a table of run times lines up.
 */
export function formatDateTime(iso: string | number | null | undefined, timeZone?: string): string {
  if (iso === null || iso === undefined) return "—";
  const ms = typeof iso === "number" ? iso : Date.parse(iso);
  if (!Number.isFinite(ms)) return String(iso);
  const parts: Record<string, string> = {};
  for (const part of dateTimeFormat(timeZone).formatToParts(ms)) parts[part.type] = part.value;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** The browser's timezone name, `Europe/Berlin`; `UTC` when it cannot tell. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/**
 * Milliseconds back to what a person types in a duration field: `1h30m`, `500ms`, `2d`, `0s`.
 * The API accepts all of these forms.
 */
export function durationInput(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "";
  if (ms === 0) return "0s";
  if (ms % 1000 !== 0) return `${ms}ms`;
  let rest = ms / 1000;
  let out = "";
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}

/** `1,234` in the page's language. */
export function formatCount(n: number): string {
  return n.toLocaleString("en");
}

/** An error as one line: `TypeError: x is not a function`. */
export function errorLine(
  error: { name: string; message: string; code?: string | undefined } | null,
): string {
  if (!error) return "";
  const name = error.name && error.name !== "Error" ? `${error.name}: ` : "";
  return `${name}${error.message}${error.code ? ` (${error.code})` : ""}`;
}

/** Shortens text to `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A JSON value for a `<pre>`: indented, or compact when short. */
export function jsonText(value: unknown): string {
  const compact = JSON.stringify(value);
  if (compact === undefined) return "";
  return compact.length <= 60 ? compact : JSON.stringify(value, null, 2);
}

/** `1 run`, `3 runs`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
