/**
 * How the CLI prints: aligned tables, times as UTC with a relative hint ("in 3m", "2h ago"),
 * durations in the largest sensible unit. Plain text only: no colours, so output pipes cleanly.
 */

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  /** Longer values are cut with an ellipsis. @default 60 */
  max?: number;
}

/** Rows as an aligned table with a header line; "(none)" when there are no rows. */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  if (rows.length === 0) return "(none)\n";
  const cells = rows.map((row) => columns.map((c) => clip(oneLine(c.value(row)), c.max ?? 60)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join("\n") + "\n";
}

/** `key: value` lines with the values aligned. */
export function fields(entries: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${v}`).join("\n") + "\n";
}

/** `2026-03-02 09:00:00Z (in 3m)`; "-" for none. */
export function when(iso: string | null | undefined, now: number): string {
  if (!iso) return "-";
  const ms = Date.parse(iso);
  return `${iso.slice(0, 19).replace("T", " ")}Z (${relative(ms - now)})`;
}

/** `in 3m`, `2h 5m ago`, `now`. */
export function relative(deltaMs: number): string {
  const abs = Math.abs(deltaMs);
  if (abs < 1000) return "now";
  const text = duration(abs, 2);
  return deltaMs > 0 ? `in ${text}` : `${text} ago`;
}

/** `850ms`, `12.3s`, `4m 10s`, `2h 5m`, `3d 4h`: at most `parts` units. */
export function duration(ms: number | null | undefined, parts = 2): string {
  if (ms === null || ms === undefined) return "-";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(Math.round(ms / 100) / 10).toString()}s`;
  const units: Array<[number, string]> = [
    [86_400_000, "d"],
    [3_600_000, "h"],
    [60_000, "m"],
    [1000, "s"],
  ];
  const out: string[] = [];
  let rest = Math.round(ms / 1000) * 1000;
  for (const [size, unit] of units) {
    if (rest >= size && out.length < parts) {
      const n = Math.floor(rest / size);
      rest -= n * size;
      out.push(`${n}${unit}`);
    } else if (out.length > 0) break;
  }
  return out.join(" ");
}

function oneLine(text: string): string {
  return withoutControls(text.replace(/[\r\n\t]+/g, " "), false);
}

/**
 * Control characters replaced by "?": a job id or error message from anywhere must not move the
 * terminal's cursor or change its colours. Newlines stay when `keepNewlines`.
 */
export function withoutControls(text: string, keepNewlines: boolean): string {
  let out = "";
  for (const char of text) {
    const code = char.charCodeAt(0);
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
    out += control && !(keepNewlines && char === "\n") ? "?" : char;
  }
  return out;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A value for a cell: strings as they are, the rest as JSON. */
export function show(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** For `key: value` output, the same sanitising as table cells. */
export function safe(text: string): string {
  return oneLine(text);
}
