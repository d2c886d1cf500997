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
 * (from its bytes per job at 10,000) is reported as not run. Writes the table to bench/RESULTS.md.
 */
import { spawnSync } from "node:child_process";
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { updateResults } from "./results.js";

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
const seconds = Number(args[args.indexOf("--seconds") + 1] || 15) || 15;
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
const rows: Array<{ peer: string; jobs: number; mode: string; result: Result | string }> = [];
const bytesAt10k = new Map<string, number>();
for (const jobs of sizes) {
  for (const peer of peers) {
    const predicted = (bytesAt10k.get(peer) ?? 0) * jobs;
    if (jobs >= 100_000 && predicted > MEMORY_BUDGET) {
      rows.push({
        peer,
        jobs,
        mode: "same",
        result: `not run: would need about ${(predicted / 1e9).toFixed(1)} GB`,
      });
      continue;
    }
    const result = run(peer, jobs, "same");
    if (typeof result !== "string" && jobs === 10_000)
      bytesAt10k.set(peer, Math.max(result.bytesPerJob, result.endBytesPerJob));
    rows.push({ peer, jobs, mode: "same", result });
  }
}
for (const peer of ["cronq", "toad"])
  rows.push({ peer, jobs: 10_000, mode: "staggered", result: run(peer, 10_000, "staggered") });
for (const jobs of quick ? [1000] : [1000, 10_000])
  rows.push({ peer: "cronq (SQLite)", jobs, mode: "same", result: run("cronq", jobs, "same", "sqlite") });

const fmt = (n: number | null, digits = 0): string => (n === null ? "-" : n.toFixed(digits));
const lines = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (${cpus()[0]?.model.trim() ?? "unknown CPU"}), Node ${process.version}, ${seconds} s per run, each peer in its own process. Lateness: due time to task start, in ms; *p99 after 3 s* leaves out the fires due in the window's first 3 s, while the JIT compiles the firing path (the p99 of the whole window is the measure). Memory: heap bytes per job after adding the jobs, and at the end of the run (cronq keeps 5 runs per job); *live heap growth* is how much the heap still live after a full collection grew over 5 s of firing once the window was over (the history long at its retention): about zero for a scheduler whose memory stops growing. Ratio: the peer's p99 over cronq's at the same size.`,
  "",
  "| mode | jobs | scheduler | p50 ms | p99 ms | p99 after 3 s | max ms | missed | dup | CPU % | bytes/job added | bytes/job end | live heap growth MB | p99 vs cronq |",
  "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
];
for (const { peer, jobs, mode, result } of rows) {
  if (typeof result === "string") {
    lines.push(`| ${mode} | ${jobs.toLocaleString("en")} | ${peer} | ${result} | | | | | | | | | | |`);
    continue;
  }
  const base = rows.find((r) => r.mode === mode && r.jobs === jobs && r.peer === "cronq")?.result;
  const ratio =
    typeof base === "object" && base.p99 && result.p99 !== null
      ? `${(result.p99 / Math.max(base.p99, 1)).toFixed(1)}x`
      : "-";
  lines.push(
    `| ${mode} | ${jobs.toLocaleString("en")} | ${peer} | ${fmt(result.p50)} | ${fmt(result.p99)} | ${fmt(result.p99Steady)} | ${fmt(result.max)} | ${result.missed.toLocaleString("en")} | ${result.duplicates} | ${fmt(result.cpuPercent)} | ${fmt(result.bytesPerJob)} | ${fmt(result.endBytesPerJob)} | ${fmt(result.retainedGrowthMB, 1)} | ${ratio} |`,
  );
}
const table = lines.join("\n");
process.stdout.write(`${table}\n`);
if (!quick) updateResults("Scheduler", table);
