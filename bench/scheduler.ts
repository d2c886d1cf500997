/**
 * `npm run bench:scheduler`: cronq against croner, node-cron and toad-scheduler, each run in its own
 * process (bench/scheduler/runner.mjs), in the same session on the same machine.
 *
 * - same: N jobs on `* * * * * *`, all due at the same instant every second (the hardest case), for
 *   1,000, 10,000 and 100,000 jobs;
 * - staggered: N interval jobs of 1 s added one after another (the case that suits toad-scheduler);
 * - cronq with the SQLite store.
 * Lateness (due time to task start), fires missed, CPU, memory per job after adding the jobs and
 * at the end, and whether the live heap still grows once the run history is at its retention
 * (measured after full collections, 5 s apart, with the jobs still firing). A peer predicted to need more memory than the machine should give it at 100,000 jobs
 * (from its bytes per job at 10,000) is reported as not run.
 *
 * Each configuration runs `--rounds` times (3 by default), the peers of a size taking turns and
 * starting from a different one each round, so that the machine's drift falls on all of them; the
 * table gives the median of the rounds for each column and every round's p99, and the ratios are
 * between those medians. Under the table, the goals, met or not. Writes both to
 * bench/RESULTS.md (not with `--quick`, which leaves out 100,000 jobs).
 *
 *   npm run bench:scheduler -- [--rounds N] [--seconds S] [--quick]
 */
import { spawnSync } from "node:child_process";
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Goals, updateResults } from "./results.js";

interface Result {
  peer: string;
  jobs: number;
  mode: string;
  expected: number;
  fired: number;
  missed: number;
  duplicates: number;
  p50: number | null;
  p99: number | null;
  /** The p99 of the fires due after the window's first 3 s. */
  p99Steady: number | null;
  max: number | null;
  cpuPercent: number;
  addMs: number;
  bytesPerJob: number;
  endBytesPerJob: number;
  retainedMB: number;
  retainedGrowthMB: number;
}

const args = process.argv.slice(2);
/** The positive integer after `--name`, or `fallback` when the flag is absent. */
function intOption(name: string, fallback: number): number {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`${name}: expected a positive integer, got ${args[at + 1] ?? "nothing"}\n`);
    process.exit(2);
  }
  return value;
}
const seconds = intOption("--seconds", 15);
const rounds = intOption("--rounds", 3);
const quick = args.includes("--quick");
const runner = fileURLToPath(new URL("./scheduler/runner.mjs", import.meta.url));
const MEMORY_BUDGET = Math.min(12e9, totalmem() / 2);

function run(peer: string, jobs: number, mode: string, store = "memory"): Result | string {
  const started = Date.now();
  // stderr goes to a file, not a pipe: node-cron warns once per missed fire, which at 100,000
  // jobs is more than any pipe buffer holds. Its last line explains a failure.
  const dir = mkdtempSync(join(tmpdir(), "cronq-bench-"));
  const stderrFd = openSync(join(dir, "stderr"), "w");
  const child = spawnSync(
    process.execPath,
    ["--expose-gc", "--max-old-space-size=14000", runner, peer, String(jobs), mode, String(seconds), store],
    {
      encoding: "utf8",
      timeout: (seconds + 240) * 1000,
      maxBuffer: 1 << 28,
      stdio: ["ignore", "pipe", stderrFd],
    },
  );
  closeSync(stderrFd);
  const stderr = tail(join(dir, "stderr"), 4096);
  rmSync(dir, { recursive: true, force: true });
  const label = `${peer}${store === "sqlite" ? " (SQLite)" : ""} ${mode} ${jobs}`;
  if (child.status !== 0 || !child.stdout.trim()) {
    const why = child.error?.message ?? (stderr.trim().split("\n").pop() || `exit ${child.status}`);
    process.stderr.write(`${label}: did not finish (${why})\n`);
    return `did not finish: ${why.slice(0, 80)}`;
  }
  const result = JSON.parse(child.stdout.trim().split("\n").pop()!) as Result;
  process.stderr.write(
    `${label}: p99 ${result.p99} ms, missed ${result.missed}, ${Math.round((Date.now() - started) / 1000)} s\n`,
  );
  return result;
}

/** The last `bytes` of a file: node-cron's warnings at 100,000 jobs outgrow any string. */
function tail(path: string, bytes: number): string {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const buffer = Buffer.alloc(Math.min(bytes, size));
    readSync(fd, buffer, 0, buffer.length, size - buffer.length);
    return buffer.toString("utf8");
  } finally {
    closeSync(fd);
  }
}

const sizes = quick ? [1000, 10_000] : [1000, 10_000, 100_000];
const peers = ["cronq", "croner", "node-cron", "toad"];

/** One configuration's rounds: their results, or why it was not run or did not finish. */
interface Row {
  peer: string;
  jobs: number;
  mode: string;
  store: string;
  results: Result[];
  failure: string | null;
}
const rows: Row[] = [];
const findRow = (peer: string, jobs: number, mode: string, store = "memory"): Row | undefined =>
  rows.find((r) => r.peer === peer && r.jobs === jobs && r.mode === mode && r.store === store);
function rowFor(peer: string, jobs: number, mode: string, store = "memory"): Row {
  let row = findRow(peer, jobs, mode, store);
  if (!row) rows.push((row = { peer, jobs, mode, store, results: [], failure: null }));
  return row;
}
/** Runs one round of a configuration, unless an earlier round did not finish. */
function runRound(row: Row): void {
  if (row.failure !== null) return;
  const result = run(row.peer, row.jobs, row.mode, row.store);
  if (typeof result === "string") row.failure = result;
  else row.results.push(result);
}
/** `list` started at its `round`-th element: each round, a different peer goes first. */
function rotate<T>(list: readonly T[], round: number): T[] {
  const at = round % list.length;
  return [...list.slice(at), ...list.slice(0, at)];
}

const bytesAt10k = new Map<string, number>();
for (const jobs of sizes) {
  for (let round = 0; round < rounds; round++) {
    for (const peer of rotate(peers, round)) {
      const row = rowFor(peer, jobs, "same");
      const predicted = (bytesAt10k.get(peer) ?? 0) * jobs;
      if (jobs >= 100_000 && predicted > MEMORY_BUDGET) {
        row.failure ??= `not run: would need about ${(predicted / 1e9).toFixed(1)} GB`;
        continue;
      }
      runRound(row);
    }
  }
  if (jobs === 10_000) {
    for (const row of rows.filter((r) => r.jobs === 10_000)) {
      const bytes = row.results.map((r) => Math.max(r.bytesPerJob, r.endBytesPerJob));
      if (bytes.length > 0) bytesAt10k.set(row.peer, Math.max(...bytes));
    }
  }
}
for (let round = 0; round < rounds; round++) {
  for (const peer of rotate(["cronq", "toad"], round)) runRound(rowFor(peer, 10_000, "staggered"));
}
for (const jobs of quick ? [1000] : [1000, 10_000]) {
  for (let round = 0; round < rounds; round++) runRound(rowFor("cronq", jobs, "same", "sqlite"));
}

/** The median of numbers (the mean of the middle two for an even count); null for none. */
function median(values: ReadonlyArray<number | null>): number | null {
  const sorted = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
/** A configuration's medians over its rounds. */
interface Summary {
  p50: number | null;
  p99: number | null;
  p99Steady: number | null;
  max: number | null;
  missed: number;
  /** Over all rounds: every round must have missed nothing for "none missed". */
  missedMost: number;
  duplicates: number;
  cpuPercent: number;
  bytesPerJob: number;
  endBytesPerJob: number;
  retainedGrowthMB: number;
  p99s: Array<number | null>;
}
function summarize(results: readonly Result[]): Summary | null {
  if (results.length === 0) return null;
  const m = (pick: (r: Result) => number | null): number | null => median(results.map(pick));
  return {
    p50: m((r) => r.p50),
    p99: m((r) => r.p99),
    p99Steady: m((r) => r.p99Steady),
    max: m((r) => r.max),
    missed: m((r) => r.missed)!,
    missedMost: Math.max(...results.map((r) => r.missed)),
    duplicates: Math.max(...results.map((r) => r.duplicates)),
    cpuPercent: m((r) => r.cpuPercent)!,
    bytesPerJob: m((r) => r.bytesPerJob)!,
    endBytesPerJob: m((r) => r.endBytesPerJob)!,
    retainedGrowthMB: m((r) => r.retainedGrowthMB)!,
    p99s: results.map((r) => r.p99),
  };
}
const summaryOf = (peer: string, jobs: number, mode: string, store = "memory"): Summary | null =>
  summarize(findRow(peer, jobs, mode, store)?.results ?? []);

const fmt = (n: number | null, digits = 0): string => (n === null ? "-" : n.toFixed(digits));
const lines = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (${cpus()[0]?.model.trim() ?? "unknown CPU"}), Node ${process.version}, ${seconds} s per run, each peer in its own process, ${rounds} round${rounds === 1 ? "" : "s"} per configuration (the peers of a size taking turns); every column is the median of the rounds, and *p99 per round* lists each round's. Lateness: due time to task start, in ms; *p99 after 3 s* leaves out the fires due in the window's first 3 s, while the JIT compiles the firing path (the p99 of the whole window is the measure). *dup* is the most in any round. Memory: heap bytes per job after adding the jobs, and at the end of the run (cronq keeps 5 runs per job); *live heap growth* is how much the heap still live after a full collection grew over 5 s of firing once the window was over (the history long at its retention): about zero for a scheduler whose memory stops growing. Ratio: the peer's median p99 over cronq's at the same size.`,
  "",
  "| mode | jobs | scheduler | p50 ms | p99 ms | p99 per round | p99 after 3 s | max ms | missed | dup | CPU % | bytes/job added | bytes/job end | live heap growth MB | p99 vs cronq |",
  "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
];
for (const row of rows) {
  const label = row.store === "sqlite" ? `${row.peer} (SQLite)` : row.peer;
  const summary = summarize(row.results);
  if (!summary) {
    lines.push(
      `| ${row.mode} | ${row.jobs.toLocaleString("en")} | ${label} | ${row.failure ?? "no result"} | | | | | | | | | | | |`,
    );
    continue;
  }
  const base = summaryOf("cronq", row.jobs, row.mode);
  const ratio =
    base?.p99 && summary.p99 !== null ? `${(summary.p99 / Math.max(base.p99, 1)).toFixed(1)}x` : "-";
  // A configuration that finished some rounds and not a later one says so beside its medians.
  const perRound =
    summary.p99s.map((p) => fmt(p)).join(" / ") + (row.failure ? ` (then ${row.failure})` : "");
  lines.push(
    `| ${row.mode} | ${row.jobs.toLocaleString("en")} | ${label} | ${fmt(summary.p50)} | ${fmt(summary.p99)} | ${perRound} | ${fmt(summary.p99Steady)} | ${fmt(summary.max)} | ${summary.missed.toLocaleString("en")} | ${summary.duplicates} | ${fmt(summary.cpuPercent)} | ${fmt(summary.bytesPerJob)} | ${fmt(summary.endBytesPerJob)} | ${fmt(summary.retainedGrowthMB, 1)} | ${ratio} |`,
  );
}

/** The goals, met or not, from the medians: printed under the table. */
const goals = new Goals();
const goal = goals.add.bind(goals);
const at10k = summaryOf("cronq", 10_000, "same");
const peersAt10k = peers
  .filter((peer) => peer !== "cronq")
  .map((peer) => ({ peer, summary: summaryOf(peer, 10_000, "same") }))
  .filter((p): p is { peer: string; summary: Summary } => p.summary !== null && p.summary.p99 !== null);
const best = peersAt10k.sort((a, b) => a.summary.p99! - b.summary.p99!)[0];
if (at10k?.p99 != null && best) {
  const times = best.summary.p99! / Math.max(at10k.p99, 1);
  goal(
    at10k.p99 < 20 && times >= 5,
    `10,000 jobs due at once: p99 under 20 ms (${fmt(at10k.p99)} ms) and at least 5 times lower than the best peer's (${best.peer}: ${fmt(best.summary.p99)} ms, ${times.toFixed(1)} times)`,
  );
}
const staggered = summaryOf("cronq", 10_000, "staggered");
const toadStaggered = summaryOf("toad", 10_000, "staggered");
if (staggered?.p99 != null && toadStaggered?.p99 != null) {
  goal(
    staggered.p99 <= toadStaggered.p99,
    `staggered, 10,000 jobs: p99 no worse than toad-scheduler's (${fmt(staggered.p99)} ms against ${fmt(toadStaggered.p99)})`,
  );
  goal(
    staggered.bytesPerJob < toadStaggered.bytesPerJob,
    `staggered, 10,000 jobs: memory per job below toad-scheduler's (${fmt(staggered.bytesPerJob)} bytes against ${fmt(toadStaggered.bytesPerJob)})`,
  );
}
const at100k = summaryOf("cronq", 100_000, "same");
if (at100k?.p99 != null) {
  goal(
    at100k.p99 < 250 && at100k.missedMost === 0,
    `100,000 jobs due at once: p99 under 250 ms (${fmt(at100k.p99)} ms) and no fire missed in any round (at most ${at100k.missedMost.toLocaleString("en")})`,
  );
  goal(
    at100k.bytesPerJob < 1024,
    `100,000 jobs: under 1 KB per job once added (${fmt(at100k.bytesPerJob)} bytes)`,
  );
  goal(
    Math.abs(at100k.retainedGrowthMB) < 1,
    `100,000 jobs: memory stops growing at the history's retention (live heap growth over 5 s: ${fmt(at100k.retainedGrowthMB, 1)} MB, under 1 MB)`,
  );
}
if (goals.lines.length > 0) lines.push("", goals.toString());
const table = lines.join("\n");
process.stdout.write(`${table}\n`);
if (!quick) updateResults("Scheduler", table);
