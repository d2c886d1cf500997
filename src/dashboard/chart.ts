/**
 * A job's recent runs as an SVG chart, built through DOM APIs like the rest of the page: one bar per
 * run, oldest on the left, its height the run's duration and its colour the outcome. Runs without a
 * duration (skipped, missed, cancelled, still running) are dots on the baseline, so that they are
 * seen rather than dropped. Each mark has a `<title>` (shown on hover, read by screen readers), and
 * the chart as a whole a text summary.
 */
import { h, svg } from "./dom.js";
import { formatDateTime, formatDuration } from "./format.js";
import type { Run, RunStatus } from "./types.js";

const W = 720;
const H = 200;
const LEFT = 64;
const RIGHT = 8;
const TOP = 12;
const BOTTOM = 30;

/** A round upper bound for the y axis: 1, 2 or 5 times a power of ten, in milliseconds. */
export function niceCeiling(ms: number): number {
  if (ms <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(ms));
  for (const step of [1, 2, 5, 10]) if (step * power >= ms) return step * power;
  return 10 * power;
}

export function durationChart(runsNewestFirst: readonly Run[]): HTMLElement {
  const runs = [...runsNewestFirst].sort((a, b) => Date.parse(a.scheduledAt) - Date.parse(b.scheduledAt));
  if (runs.length === 0) return h("p", { class: "muted" }, "No runs to chart yet.");

  const durations = runs.map((r) => r.durationMs).filter((d): d is number => d !== null);
  const max = niceCeiling(Math.max(1, ...durations));
  const plotW = W - LEFT - RIGHT;
  const plotH = H - TOP - BOTTOM;
  const step = plotW / runs.length;
  const barW = Math.max(1, Math.min(24, step * 0.7));
  const y = (ms: number): number => TOP + plotH - (ms / max) * plotH;

  const counts = new Map<RunStatus, number>();
  for (const run of runs) counts.set(run.status, (counts.get(run.status) ?? 0) + 1);
  const sorted = [...durations].sort((a, b) => a - b);
  const median = sorted.length > 0 ? sorted[Math.floor(sorted.length / 2)]! : null;
  const first = runs[0]!;
  const last = runs[runs.length - 1]!;
  const summary =
    `The last ${runs.length} runs, from ${formatDateTime(first.scheduledAt)} to ${formatDateTime(last.scheduledAt)}: ` +
    [...counts].map(([status, n]) => `${n} ${status}`).join(", ") +
    (median === null
      ? "."
      : `. Median duration ${formatDuration(median)}, longest ${formatDuration(sorted[sorted.length - 1])}.`);

  const grid = [0, max / 2, max].map((ms) =>
    svg(
      "g",
      { class: "grid-line" },
      svg("line", { x1: LEFT, x2: W - RIGHT, y1: y(ms), y2: y(ms) }),
      svg("text", { x: LEFT - 6, y: y(ms) + 4, "text-anchor": "end" }, formatDuration(ms)),
    ),
  );

  const marks = runs.map((run, i) => {
    const cx = LEFT + step * i + step / 2;
    const label = `${formatDateTime(run.scheduledAt)}: ${run.status}${run.reason ? ` (${run.reason})` : ""}${
      run.durationMs === null ? "" : `, ${formatDuration(run.durationMs)}`
    }`;
    if (run.durationMs === null) {
      return svg(
        "circle",
        { class: `mark o-${run.status}`, cx, cy: TOP + plotH - 4, r: Math.min(4, Math.max(2, barW / 2)) },
        svg("title", null, label),
      );
    }
    const top = y(run.durationMs);
    return svg(
      "rect",
      {
        class: `mark o-${run.status}`,
        x: cx - barW / 2,
        y: Math.min(top, TOP + plotH - 1),
        width: barW,
        height: Math.max(1, TOP + plotH - top),
      },
      svg("title", null, label),
    );
  });

  const axisLabels = [
    svg("text", { x: LEFT, y: H - 8, "text-anchor": "start" }, formatDateTime(first.scheduledAt)),
    runs.length > 1
      ? svg("text", { x: W - RIGHT, y: H - 8, "text-anchor": "end" }, formatDateTime(last.scheduledAt))
      : null,
  ];

  const chart = svg(
    "svg",
    {
      class: "chart",
      viewBox: `0 0 ${W} ${H}`,
      role: "img",
      "aria-labelledby": "chart-title chart-desc",
      preserveAspectRatio: "xMidYMid meet",
    },
    svg("title", { id: "chart-title" }, "Run durations and outcomes over time"),
    svg("desc", { id: "chart-desc" }, summary),
    grid,
    svg("line", { class: "axis", x1: LEFT, x2: W - RIGHT, y1: TOP + plotH, y2: TOP + plotH }),
    marks,
    axisLabels,
  );

  const legend = h(
    "ul",
    { class: "legend" },
    [...counts].map(([status, n]) =>
      h("li", null, h("span", { class: `swatch o-${status}`, "aria-hidden": "true" }), `${status} (${n})`),
    ),
  );
  return h(
    "figure",
    { class: "chart-figure" },
    chart,
    h("figcaption", null, legend, h("p", { class: "muted small" }, summary)),
  );
}
