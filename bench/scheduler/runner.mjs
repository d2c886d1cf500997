// One benchmark run in its own process: one peer, one size, one mode. Prints one JSON line.
//
//   node --expose-gc bench/scheduler/runner.mjs <peer> <jobs> <mode> <seconds> [store]
//     peer: cronq | croner | node-cron | toad
//     mode: same (every job on `* * * * * *`: all N due at the same instant) | staggered (interval
//           1 s, jobs added one after another)
//     store: memory | sqlite (cronq only)
//   KEEP=<n>: cronq's finished runs kept per job (default 5)
//   PER_SECOND=1: also print, to stderr, each due second's fires and lateness (min, p50, p99, max),
//                 and the garbage-collection pauses that began while that second's fires were late
//
// Lateness is measured from each fire's due time to the moment the task function starts: the due
// time the library reports when it reports one (cronq's ctx.scheduledAt, node-cron's context.date),
// else the whole second (same mode) or the job's own grid (staggered). Fires are counted by due
// time inside a window that starts one second after start-up, so that start-up is not measured.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [peer, jobsArg, mode, secondsArg, storeKind = "memory"] = process.argv.slice(2);
const N = Number(jobsArg);
const SECONDS = Number(secondsArg);
const gc = globalThis.gc ?? (() => undefined);

const lateness = new Float64Array(N * (SECONDS + 2));
let count = 0;
// The same, without the first WARM_SECONDS of the window: lateness once the JIT has compiled the
// firing path (reported beside the whole window's, which stays the measure).
const WARM_SECONDS = 3;
const steady = new Float64Array(N * Math.max(1, SECONDS - WARM_SECONDS + 2));
let steadyCount = 0;
let duplicates = 0;
let windowStart = Infinity;
let windowEnd = Infinity;
// Per job: the last due time seen, to catch a second fire of the same occurrence.
const lastDue = new Float64Array(N).fill(-1);
// PER_SECOND: lateness by due second.
const perSecond = process.env.PER_SECOND ? new Map() : null;
// PER_SECOND: garbage-collection pauses (start in epoch ms, duration in ms, kind).
const GC_KINDS = { 1: "minor", 2: "minor-ms", 4: "major", 8: "incremental", 16: "weak" };
const gcPauses = [];
if (perSecond) {
  const { PerformanceObserver } = await import("node:perf_hooks");
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcPauses.push({
        at: performance.timeOrigin + entry.startTime,
        ms: entry.duration,
        kind: entry.detail?.kind,
      });
    }
  }).observe({ entryTypes: ["gc"] });
}

function record(job, due, now) {
  // Fires before the window run the same code (their values are overwritten by the window's
  // first fires), so that the first measured second is not the one in which this function meets
  // its own branches for the first time and V8 deoptimises it (measured: the first measured burst
  // of each peer ran this function's deoptimised code).
  const counted = due >= windowStart && due < windowEnd;
  if (lastDue[job] === due) {
    if (counted) duplicates++;
    return;
  }
  lastDue[job] = due;
  const late = now - due;
  if (count < lateness.length) {
    lateness[count] = late;
    if (counted) count++;
  }
  if (steadyCount < steady.length) {
    steady[steadyCount] = late;
    if (counted && due >= windowStart + WARM_SECONDS * 1000) steadyCount++;
  }
  if (counted && perSecond) {
    let list = perSecond.get(due);
    if (!list) perSecond.set(due, (list = []));
    list.push(late);
  }
}

function heap() {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

// Libraries are loaded before the baseline: memory per job counts jobs, not code.
const lib =
  peer === "cronq"
    ? {
        ...(await import("../../dist/index.js")),
        ...(storeKind === "sqlite" ? await import("../../dist/stores/sqlite/index.js") : {}),
      }
    : peer === "croner"
      ? await import("croner")
      : peer === "node-cron"
        ? (await import("node-cron")).default
        : await import("toad-scheduler");
let stop;
let tmp;
let baseline = heap();
let rssBaseline = process.memoryUsage().rss;
let addStarted = performance.now();

if (peer === "cronq") {
  const { Scheduler, defineTask, SqliteStore } = lib;
  let store;
  if (storeKind === "sqlite") {
    tmp = mkdtempSync(join(tmpdir(), "cronq-bench-"));
    store = new SqliteStore({ path: join(tmp, "bench.db") });
  }
  const task = defineTask("bench", (job, ctx) => record(job, ctx.scheduledAt.getTime(), Date.now()));
  // Defaults everywhere (concurrency 100, misfire grace 1 s, catch-up latest, overlap skip), except
  // a short run history, so that memory reaches its retention within the 15 s window.
  const scheduler = new Scheduler({
    tasks: [task],
    timezone: "UTC",
    history: { maxRunsPerJob: Number(process.env.KEEP ?? 5) },
    ...(store ? { store } : {}),
  });
  await scheduler.start();
  baseline = heap();
  rssBaseline = process.memoryUsage().rss;
  addStarted = performance.now();
  for (let i = 0; i < N; i++) {
    await scheduler.addJob(
      `job${i}`,
      "bench",
      mode === "same" ? { cron: "* * * * * *", args: [i] } : { interval: 1, args: [i] },
    );
  }
  stop = () => scheduler.stop({ graceMs: 1000 });
} else if (peer === "croner") {
  const { Cron } = lib;
  const jobs = [];
  for (let i = 0; i < N; i++) {
    jobs.push(
      new Cron("* * * * * *", () => {
        const now = Date.now();
        record(i, now - (now % 1000), now);
      }),
    );
  }
  stop = () => jobs.forEach((j) => j.stop());
} else if (peer === "node-cron") {
  const cron = lib;
  const tasks = [];
  for (let i = 0; i < N; i++) {
    tasks.push(
      cron.schedule("* * * * * *", (ctx) =>
        record(i, ctx.date.getTime() - (ctx.date.getTime() % 1000), Date.now()),
      ),
    );
  }
  stop = () => tasks.forEach((t) => t.stop());
} else if (peer === "toad") {
  const { ToadScheduler, SimpleIntervalJob, CronJob, Task } = lib;
  const scheduler = new ToadScheduler();
  for (let i = 0; i < N; i++) {
    if (mode === "same") {
      scheduler.addCronJob(
        new CronJob(
          { cronExpression: "* * * * * *" },
          new Task(`t${i}`, () => {
            const now = Date.now();
            record(i, now - (now % 1000), now);
          }),
        ),
      );
    } else {
      const started = Date.now();
      let k = 0;
      scheduler.addSimpleIntervalJob(
        new SimpleIntervalJob(
          { seconds: 1 },
          new Task(`t${i}`, () => {
            k++;
            record(i, started + k * 1000, Date.now());
          }),
        ),
      );
    }
  }
  stop = () => scheduler.stop();
} else {
  throw new Error(`unknown peer ${peer}`);
}

const addMs = performance.now() - addStarted;
const afterAdd = heap();
const rssAfterAdd = process.memoryUsage().rss;
// The window opens at the second whole second from now, so that every job is in place.
windowStart = Math.ceil(Date.now() / 1000) * 1000 + 1000;
windowEnd = windowStart + SECONDS * 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
await sleep(windowStart - Date.now());
const cpuStart = process.cpuUsage();
await sleep(windowEnd - Date.now());
const cpu = process.cpuUsage(cpuStart);
// Late fires of the last seconds still count: give them up to 5 s (reported as lateness).
const deadline = Date.now() + 5000;
while (count < N * SECONDS && Date.now() < deadline) await sleep(100);
// Memory once the run history is at its retention (cronq keeps KEEP runs per job, reached after
// KEEP seconds of firing): what is live after a full collection now, and again RETAINED_AFTER_MS
// later with the jobs still firing, both taken at the same point of a second (three quarters in,
// after the burst). A scheduler whose memory stops growing shows about no difference.
const RETAINED_AFTER_MS = 5000;
const atPhase = async () => sleep(1750 - (Date.now() % 1000));
await atPhase();
const retained = heap();
await sleep(RETAINED_AFTER_MS - 1000);
await atPhase();
const retainedLater = heap();
await stop();
const end = heap();
if (tmp) rmSync(tmp, { recursive: true, force: true });

const quantile = (values, p) =>
  values.length ? values[Math.min(values.length - 1, Math.floor(p * values.length))] : null;
const sorted = lateness.slice(0, count).sort();
const q = (p) => quantile(sorted, p);
process.stdout.write(
  JSON.stringify({
    peer: storeKind === "sqlite" ? "cronq (SQLite)" : peer,
    jobs: N,
    mode,
    seconds: SECONDS,
    expected: N * SECONDS,
    fired: count,
    missed: N * SECONDS - count,
    duplicates,
    p50: q(0.5),
    p99: q(0.99),
    p99Steady: quantile(steady.slice(0, steadyCount).sort(), 0.99),
    max: sorted.length ? sorted[sorted.length - 1] : null,
    cpuPercent: ((cpu.user + cpu.system) / 1000 / (SECONDS * 1000)) * 100,
    addMs,
    bytesPerJob: (afterAdd - baseline) / N,
    rssPerJob: (rssAfterAdd - rssBaseline) / N,
    endBytesPerJob: (end - baseline) / N,
    // Live heap after a full collection once the window is over, and its growth 5 s later.
    retainedMB: retained / 1e6,
    retainedGrowthMB: (retainedLater - retained) / 1e6,
  }) + "\n",
);
for (const [due, list] of [...(perSecond ?? [])].sort((a, b) => a[0] - b[0])) {
  list.sort((a, b) => a - b);
  const at = (p) => list[Math.min(list.length - 1, Math.floor(p * list.length))];
  const max = list[list.length - 1];
  const pauses = gcPauses.filter((gc) => gc.at >= due && gc.at <= due + max);
  const gcMs = pauses.reduce((sum, gc) => sum + gc.ms, 0);
  process.stderr.write(
    `${new Date(due).toISOString()} fires ${list.length} min ${list[0]} p50 ${at(0.5)} p99 ${at(0.99)} ` +
      `max ${max} gc ${pauses.length} pauses ${gcMs.toFixed(1)} ms` +
      (pauses.length
        ? ` (${pauses.map((gc) => `${GC_KINDS[gc.kind] ?? gc.kind}:${gc.ms.toFixed(1)}`).join(" ")})`
        : "") +
      "\n",
  );
}
process.exit(0);
