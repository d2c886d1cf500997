/**
 * `npm run bench:api`: the REST API's throughput and latency with the embedded store (SQLite),
 * while 1,000 jobs fire every second.
 *
 *   npx tsx bench/api.ts [--seconds 10] [--rate 500]
 *
 * The server runs in a child process of its own (SQLite file, scheduler on the system clock, API on
 * 127.0.0.1), so that the load generator (autocannon, here) does not share its event loop. For
 * each scenario the table shows what autocannon measured and how the scheduler kept up meanwhile:
 * fires per second and the p99 of their lateness.
 *
 * - GET /jobs?limit=100 (1,000+ jobs) and POST /jobs (a new job each time, firing hourly), each at
 *   a fixed 500 requests per second (the goal: p99 under 20 ms), then as fast as 10 connections go;
 * - with the 1,000 jobs all due at the same instant every second (the worst case: the scheduler
 *   records 1,000 fires and 2,000 attempt transactions in one burst), spread evenly over the second,
 *   and, for reference, not firing at all (paused).
 *
 * A benchmark, not a test: it asserts nothing. Writes the "REST API" section of bench/RESULTS.md.
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { Scheduler } from "../src/core/scheduler/scheduler.js";
import { defineTask } from "../src/core/tasks.js";
import { startServer } from "../src/server/index.js";
import { SqliteStore } from "../src/stores/sqlite/index.js";
import { updateResults } from "./results.js";

const TOKEN = "bench-token-0123456789abcdef";
const FIRING_JOBS = 1000;

// ---- The server process -------------------------------------------------------------------------

interface FireStats {
  /** The p99 of the server's event-loop delay: how long a request may wait behind other work. */
  loopDelayP99: number;
  fires: number;
  seconds: number;
  latenessP99: number | null;
  jobs: number;
}

type ToServer = { type: "reset" } | { type: "stats" } | { type: "stop" };
type FromServer = { type: "ready"; url: string } | { type: "stats"; stats: FireStats };

/**
 * - `same-instant`: the 1,000 jobs are due at the same instant every second;
 * - `spread`: job i fires i ms past each second, one every millisecond;
 * - `other-process`: same-instant, but fired by a scheduler in another process on the same SQLite
 *   file (`cronq serve` next to `cronq scheduler`), so that the API's event loop does only HTTP;
 * - `paused`: nothing fires (the API alone, for reference).
 */
type Firing = "same-instant" | "spread" | "other-process" | "paused";

function benchScheduler(store: SqliteStore): Scheduler {
  return new Scheduler({
    store,
    timezone: "UTC",
    tasks: [defineTask("noop", () => undefined)],
    concurrency: 1000,
    // Lateness above 1 s would count as a misfire: keep every fire, to measure it.
    jobDefaults: { misfireGrace: null },
  });
}

/** The firing scheduler of `other-process`: reports its fires' lateness to its parent. */
async function fire(path: string): Promise<void> {
  const store = new SqliteStore({ path });
  const scheduler = benchScheduler(store);
  let batch: number[] = [];
  scheduler.on("run:fired", ({ run, lateMs }) => {
    if (run.origin !== "manual") batch.push(lateMs);
  });
  await scheduler.start();
  const timer = setInterval(() => {
    process.send?.({ type: "late", values: batch });
    batch = [];
  }, 250);
  process.on("message", () => {
    clearInterval(timer);
    void scheduler.stop({ graceMs: 1000 }).then(() => process.exit(0));
  });
}

async function serve(firing: Firing): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "cronq-bench-api-"));
  const path = join(dir, "cronq.db");
  const store = new SqliteStore({ path });
  const scheduler = benchScheduler(store);
  for (let i = 0; i < FIRING_JOBS; i++) {
    await scheduler.addJob(`fire-${String(i).padStart(4, "0")}`, "noop", {
      interval: 1,
      ...(firing === "spread" ? { startIn: `${1000 + i}ms` } : {}),
      paused: firing === "paused",
    });
  }
  let lateness: number[] = [];
  let since = Date.now();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  scheduler.on("run:fired", ({ run, lateMs }) => {
    if (run.origin !== "manual") lateness.push(lateMs);
  });
  let firer: ChildProcess | undefined;
  if (firing === "other-process") {
    // This process only serves the API: its scheduler is never started.
    const child = fork(fileURLToPath(import.meta.url), ["--fire", path], { execArgv: ["--import", "tsx"] });
    firer = child;
    // Ready once the other process fires: the first scenario must not start before it does.
    await new Promise<void>((resolve) => {
      child.on("message", (m: { values: number[] }) => {
        lateness.push(...m.values);
        if (m.values.length > 0) resolve();
      });
    });
  } else {
    await scheduler.start();
  }
  const server = await startServer({
    scheduler,
    port: 0,
    auth: { tokens: [{ name: "bench", token: TOKEN, access: "full" }] },
    logger: false,
  });
  const send = (message: FromServer): void => void process.send?.(message);
  process.on("message", (message: ToServer) => {
    void (async () => {
      if (message.type === "reset") {
        lateness = [];
        since = Date.now();
        loop.reset();
      } else if (message.type === "stats") {
        const sorted = [...lateness].sort((a, b) => a - b);
        send({
          type: "stats",
          stats: {
            loopDelayP99: Math.round(loop.percentile(99) / 1e6),
            fires: sorted.length,
            seconds: (Date.now() - since) / 1000,
            latenessP99: sorted.length
              ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!
              : null,
            jobs: Object.values(await scheduler.countJobs()).reduce((a, b) => a + b, 0),
          },
        });
      } else {
        await server.close();
        const child = firer;
        if (child) {
          child.send("stop");
          await new Promise((resolve) => child.once("exit", resolve));
        }
        await scheduler.stop({ graceMs: 1000 });
        await store.close();
        rmSync(dir, { recursive: true, force: true });
        process.exit(0);
      }
    })();
  });
  send({ type: "ready", url: server.url });
}

// ---- The load generator -------------------------------------------------------------------------

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}

type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;

interface Row {
  firing: Firing;
  scenario: string;
  rate: string;
  result: AutocannonResult;
  fire: FireStats;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: "string", default: "10" },
      rate: { type: "string", default: "500" },
      // One firing mode (same-instant, spread, other-process, paused): printed, not kept in the
      // results, which a partial table would replace.
      only: { type: "string" },
    },
  });
  const only = values.only;
  const seconds = Number(values.seconds);
  const load = (): string =>
    loadavg()
      .map((n) => n.toFixed(1))
      .join(" ");
  const loadBefore = load();
  const rate = Number(values.rate);
  // autocannon ships no types; this is the part of its API used here.
  const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

  const rows: Row[] = [];
  const atRate: Array<[string, string, Record<string, unknown>]> = [
    ["GET /jobs?limit=100", `${rate}/s`, { path: "get", overallRate: rate }],
    ["POST /jobs", `${rate}/s`, { path: "post", overallRate: rate }],
  ];
  const atMax: Array<[string, string, Record<string, unknown>]> = [
    ["GET /jobs?limit=100", "max", { path: "get" }],
    ["POST /jobs", "max", { path: "post" }],
  ];
  const plan: Array<[Firing, Array<[string, string, Record<string, unknown>]>]> = [
    ["same-instant", [...atRate, ...atMax]],
    ["spread", atRate],
    ["other-process", [...atRate, ...atMax]],
    ["paused", atRate],
  ];
  for (const [firing, scenarios] of plan) {
    if (only !== undefined && firing !== only) continue;
    const child = fork(fileURLToPath(import.meta.url), ["--serve", firing], {
      execArgv: ["--import", "tsx"],
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.once("message", (m: FromServer) =>
        m.type === "ready" ? resolve(m.url) : reject(new Error("unexpected")),
      );
      child.once("exit", (code) => reject(new Error(`the server exited with ${code}`)));
    });
    const ask = (message: ToServer): void => void child.send(message);
    const stats = (): Promise<FireStats> =>
      new Promise((resolve) => {
        child.once("message", (m: FromServer) => m.type === "stats" && resolve(m.stats));
        ask({ type: "stats" });
      });
    const headers = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
    const requests: Record<string, Record<string, unknown>> = {
      get: { url: `${url}/jobs?limit=100`, method: "GET", headers: { authorization: headers.authorization } },
      post: {
        url: `${url}/jobs`,
        method: "POST",
        headers,
        body: JSON.stringify({ id: "bench-[<id>]", task: "noop", trigger: { interval: "1h" } }),
        idReplacement: true,
      },
    };
    // Warm up: JIT, SQLite page cache, the first fires.
    await autocannon({ ...requests.get, connections: 10, duration: 3 });
    for (const [scenario, label, { path, ...options }] of scenarios) {
      ask({ type: "reset" });
      const result = await autocannon({
        ...requests[path as string],
        ...options,
        connections: 10,
        duration: seconds,
      });
      rows.push({ firing, scenario, rate: label, result, fire: await stats() });
      process.stdout.write(
        `${firing}: ${scenario} @ ${label}: ${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms\n`,
      );
    }
    ask({ type: "stop" });
    await new Promise((resolve) => child.once("exit", resolve));
  }

  const table = [
    "| 1,000 jobs firing | Scenario | Target | Requests/s | p50 ms | p99 ms | max ms | Errors | Goal | Event-loop delay p99 | Fires/s meanwhile | Fire lateness p99 | Jobs at end |",
    "|---|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ...rows
      .map(({ firing, scenario, rate: r, result, fire }) =>
        [
          firing,
          scenario,
          r,
          Math.round(result.requests.average).toLocaleString("en-US"),
          result.latency.p50,
          result.latency.p99,
          result.latency.max,
          result.errors + result.timeouts + result.non2xx,
          r === "max"
            ? "-"
            : result.latency.p99 < 20 && result.requests.average >= rate * 0.95
              ? "met"
              : "missed",
          `${fire.loopDelayP99} ms`,
          Math.round(fire.fires / fire.seconds).toLocaleString("en-US"),
          fire.latenessP99 === null ? "-" : `${fire.latenessP99} ms`,
          fire.jobs.toLocaleString("en-US"),
        ].join(" | "),
      )
      .map((line) => `| ${line} |`),
  ].join("\n");
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const body = `\`npm run bench:api\` (${seconds} s per scenario after a 3 s warm-up, 10 connections, autocannon against 127.0.0.1). The API runs in a process of its own, on a SQLite file, with ${FIRING_JOBS.toLocaleString("en-US")} jobs firing every second, fired by its own scheduler:

- **same-instant**: all due at the same instant each second (the worst case: 1,000 fires and 2,000 attempt transactions in one burst);
- **spread**: one every millisecond;
- **other-process**: same-instant, but fired by a scheduler in another process on the same SQLite file (\`cronq serve\` beside the scheduler), so the API's event loop does only HTTP;
- **paused**: nothing fires (the API alone).

GET lists a page of 100 of the 1,000+ jobs (about 90 KB of JSON); POST creates a new job each time (firing hourly), so the job count grows during the POST rows. Goal: p99 under 20 ms at 500 requests per second. *Event-loop delay p99* is the API process's: how long a request may wait behind other work in it (firing bursts, the other requests); where it exceeds 20 ms, no request can meet the goal.

${table}

${new Date().toISOString().slice(0, 10)}, Node.js ${process.version}, ${cpus().length} × ${cpu}, load average ${loadBefore} before and ${load()} after (the machine is shared with other work: the load generator, the firing process and other jobs compete for its cores).`;
  if (only === undefined) updateResults("REST API", body);
  process.stdout.write(`\n${table}\n`);
}

if (process.argv.includes("--fire")) await fire(process.argv[process.argv.indexOf("--fire") + 1]!);
else if (process.argv.includes("--serve"))
  await serve(process.argv[process.argv.indexOf("--serve") + 1] as Firing);
else await main();
