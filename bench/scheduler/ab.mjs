// Compares builds of cronq on one firing burst, in one process, so that the machine's noise falls
// on all of them alike: one scheduler per build, the bursts alternating between them.
//
//   node bench/scheduler/ab.mjs <jobs> <bursts> <dist> <dist> ...
//     dist: a built `dist` folder (say, of `git worktree add /tmp/base <commit>` built with
//           `npx tsc -p tsconfig.build.json`, beside this checkout's own `dist`)
//
// Each scheduler has <jobs> jobs on `* * * * * *` and a clock of its own that stands still: a burst
// is the scheduler's timer fired by hand at the next whole second, so that all <jobs> are due at
// once and no time passes for the scheduler while it works. Per burst, in wall-clock ms from the
// timer: until the 99th percentile task started (what bench:scheduler's p99 lateness measures),
// until every outcome was recorded; the process's CPU time and garbage-collection pauses. Prints the
// median and lower quartile over the bursts, the first 3 left out (warm-up). Builds are loaded as
// ES modules, so two builds must be two folders. A tool for comparing changes, not a benchmark of
// record: it writes nothing to bench/RESULTS.md.
import { PerformanceObserver } from "node:perf_hooks";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [jobsArg = "10000", burstsArg = "30", ...dists] = process.argv.slice(2);
const N = Number(jobsArg);
const BURSTS = Number(burstsArg);
const WARM_UP = 3;
if (!(N > 0) || !(BURSTS > WARM_UP) || dists.length === 0) {
  process.stderr.write(
    "usage: node bench/scheduler/ab.mjs <jobs> <bursts (more than 3)> <dist> [<dist> ...]\n",
  );
  process.exit(2);
}

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ["gc"] });

const variants = [];
for (const dist of dists) {
  const { Scheduler, defineTask } = await import(pathToFileURL(resolve(dist, "index.js")).href);
  // Half a second past a whole second: no job is due while the jobs are being added.
  const v = { dist, now: Date.UTC(2030, 0, 1) + 500, timers: [], count: 0, k99: 0, at99: 0, samples: [] };
  const clock = {
    now: () => v.now,
    setTimer(callback, delayMs) {
      const timer = { callback, dueAt: v.now + Math.max(0, delayMs), cancelled: false };
      v.timers.push(timer);
      return { cancel: () => void (timer.cancelled = true) };
    },
  };
  const task = defineTask("bench", (_i, ctx) => {
    void ctx.scheduledAt; // as bench:scheduler's task reads it
    if (++v.count === v.k99) v.at99 = performance.now();
  });
  v.scheduler = new Scheduler({ tasks: [task], timezone: "UTC", clock, history: { maxRunsPerJob: 5 } });
  await v.scheduler.start();
  for (let i = 0; i < N; i++)
    await v.scheduler.addJob(`job${i}`, "bench", { cron: "* * * * * *", args: [i] });
  variants.push(v);
}

const lastJob = `job${N - 1}`;
for (let burst = 0; burst < BURSTS; burst++) {
  for (const v of burst % 2 ? [...variants].reverse() : variants) {
    await new Promise((r) => setTimeout(r, 30));
    const second = Math.floor(v.now / 1000) * 1000 + 1000;
    const advance = (to) => {
      v.now = to;
      const due = v.timers.filter((t) => !t.cancelled && t.dueAt <= v.now);
      v.timers = v.timers.filter((t) => !t.cancelled && t.dueAt > v.now);
      for (const timer of due) timer.callback();
    };
    v.k99 = v.count + Math.ceil(N * 0.99);
    gcMs = 0;
    const cpu0 = process.cpuUsage();
    // Up to 1 ms before the second first: a scheduler that prepares the burst ahead does it then
    // (counted in CPU and GC, not in the times, which start at the second).
    advance(second - 1);
    await v.scheduler.onIdle();
    const t0 = performance.now();
    advance(second);
    await v.scheduler.onIdle();
    // Recorded when the last job's run count has moved (at most 5 s).
    while ((await v.scheduler.getJob(lastJob)).runCount < burst + 1 && performance.now() - t0 < 5000) {
      await new Promise((r) => setImmediate(r));
    }
    const allMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (burst >= WARM_UP) {
      v.samples.push({ p99: v.at99 - t0, all: allMs, cpu: (cpu.user + cpu.system) / 1000, gc: gcMs });
    }
  }
}

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * q)];
const stat = (v, key) => {
  const xs = v.samples.map((s) => s[key]);
  return `${quantile(xs, 0.5).toFixed(1)} (q1 ${quantile(xs, 0.25).toFixed(1)})`;
};
process.stdout.write(
  `${N.toLocaleString("en")} jobs due at once, ${BURSTS - WARM_UP} bursts each; median (lower quartile), ms per burst\n`,
);
for (const v of variants) {
  process.stdout.write(
    `${v.dist}: p99 started ${stat(v, "p99")} | all recorded ${stat(v, "all")} | CPU ${stat(v, "cpu")} | GC ${stat(v, "gc")} | fires ${v.count}\n`,
  );
}
for (const v of variants) await v.scheduler.stop();
process.exit(0);
