/**
 * `npm run bench:queue`: distributed cronq (Redis store, BullMQ queues) against raw BullMQ, on one
 * Redis, in one run.
 *
 *   npx tsx bench/queue.ts [--jobs 20000] [--seconds 30] [--latency-seconds 10] [--sched-seconds 20]
 *                          [--sched-sizes 1000,10000] [--only 1,2,3,4] [--dry-run]
 *
 * 1. Throughput: raw BullMQ (jobs added in bulk, one worker process, no-op processor, concurrency
 *    50) against cronq's path (one-off jobs all due at once, claimed, committed and queued by one
 *    replica process, executed and recorded by one worker process at concurrency 50).
 * 2. Latency at 1,000 per second: BullMQ's add-to-start against cronq's fire-to-start (the run
 *    recorded by the replica to the attempt started by the worker) and due-to-start, for 1,000
 *    interval jobs spread evenly over the second.
 * 3. 2,000 jobs firing every second (spread over the second) across 3 replicas and 2 workers: runs
 *    per second sustained, lateness (due to start), duplicates (tasks log every execution) and
 *    misses (occurrences of the window without a successful run).
 * 4. BullMQ job schedulers (`upsertJobScheduler`, every 1000 ms and `* * * * * *`) at 1,000 and
 *    10,000 schedules, one worker process at concurrency 100, against cronq with the same schedules
 *    (one replica, one worker at concurrency 100): fires delivered in the window, missed, lateness.
 *
 * Every process is a child of this one (`--role`), so none shares an event loop with the load it
 * measures. cronq's processes publish their events on the bridge as `cronq scheduler` and `cronq
 * worker` do. A benchmark, not a test: it asserts nothing. Writes the "Distributed (Redis)" section
 * of bench/RESULTS.md.
 */
import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { Scheduler } from "../src/core/scheduler/scheduler.js";
import { type TaskContext, defineTask } from "../src/core/tasks.js";
import { QueueExecutor } from "../src/queue/executor.js";
import { CronqWorker } from "../src/queue/worker.js";
import { RedisEventBridge, RedisStore } from "../src/stores/redis/index.js";
import { deleteKeys as deleteKeysUnder } from "./redis-keys.js";
import { Goals, updateResults } from "./results.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

// ---- Child processes ----------------------------------------------------------------------------

type Role = "bull-drain" | "bull-latency" | "bull-sched" | "cronq-replica" | "cronq-worker";
interface RoleArgs {
  prefix: string;
  concurrency?: number;
  id?: string;
}
/** What a child samples: one entry per execution (scheduled or added time, started, fired). */
interface Sample {
  at: number;
  start: number;
  fired: number;
}

const TASKS = [
  defineTask("noop", () => undefined),
  // Logs each execution, so that duplicates are counted from what actually ran.
  defineTask("record", (ctx: TaskContext) => logRedis().rpush(`${recordPrefix}:x:${ctx.jobId}`, ctx.runId)),
];
/** The prefix of the child's deployment, under which `record` logs. */
let recordPrefix = "";
let logClient: Redis | undefined;
function logRedis(): Redis {
  return (logClient ??= new Redis(REDIS_URL, { maxRetriesPerRequest: null }));
}

async function child(role: Role, args: RoleArgs): Promise<void> {
  recordPrefix = args.prefix;
  const samples: Sample[] = [];
  let count = 0;
  let first = 0;
  let last = 0;
  let stop: () => Promise<void> = () => Promise.resolve();
  let go: () => Promise<void> = () => Promise.resolve();
  const conn = {
    connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }),
    prefix: `${args.prefix}:q`,
  };
  if (role.startsWith("bull-")) {
    const worker = new Worker(
      "bench",
      (job) => {
        const now = Date.now();
        if (count++ === 0) first = now;
        last = now;
        if (role === "bull-latency")
          samples.push({ at: (job.data as { t: number }).t, start: now, fired: 0 });
        // A job scheduler's job id ends with the time it is due (`repeat:<scheduler id>:<ms>`);
        // its timestamp is when BullMQ created it, about one interval earlier.
        if (role === "bull-sched")
          samples.push({ at: Number(job.id!.slice(job.id!.lastIndexOf(":") + 1)), start: now, fired: 0 });
        return Promise.resolve();
      },
      {
        ...conn,
        concurrency: args.concurrency ?? 50,
        removeOnComplete: { count: 0 },
        removeOnFail: { count: 0 },
      },
    );
    await worker.waitUntilReady();
    stop = () => worker.close();
  } else {
    const store = new RedisStore({ redis: REDIS_URL, prefix: args.prefix, offlineTimeout: null });
    await store.open();
    const bridge = new RedisEventBridge({ store, subscribe: false });
    if (role === "cronq-replica") {
      const scheduler = new Scheduler({
        store,
        executor: new QueueExecutor({ store }),
        tasks: TASKS,
        timezone: "UTC",
        ...(args.id ? { id: args.id } : {}),
      });
      await bridge.attach(scheduler.events);
      go = () => scheduler.start();
      stop = () => scheduler.stop({ graceMs: 0 });
    } else {
      const worker = new CronqWorker({ store, tasks: TASKS, concurrency: args.concurrency ?? 50 });
      await bridge.attach(worker.events);
      worker.events.on("run:succeeded", ({ run }) => {
        count++;
        last = run.endedAt!.getTime();
        samples.push({
          at: run.dueAt.getTime(),
          start: run.attempts[0]!.startedAt.getTime(),
          fired: run.firedAt.getTime(),
        });
      });
      await worker.start();
      stop = () => worker.stop({ graceMs: 0 });
    }
  }
  process.on("message", (message: { type: string; from?: number; to?: number }) => {
    void (async () => {
      if (message.type === "go") {
        await go();
        process.send!({ type: "went", at: Date.now() });
      } else if (message.type === "count") {
        process.send!({ type: "count", count, first, last, cpu: process.cpuUsage() });
      } else if (message.type === "samples") {
        const inWindow = samples.filter((s) => s.at >= message.from! && s.at < message.to!);
        process.send!({ type: "samples", samples: inWindow });
      } else if (message.type === "stop") {
        await stop();
        process.exit(0);
      }
    })();
  });
  process.send!({ type: "ready" });
}

class Child {
  readonly process: ChildProcess;
  readonly ready: Promise<void>;
  constructor(role: Role, args: RoleArgs) {
    this.process = fork(fileURLToPath(import.meta.url), ["--role", role, "--args", JSON.stringify(args)], {
      // BENCH_CPU_PROF=<dir>: a CPU profile of every child, to see where the time goes.
      execArgv: [
        "--import",
        "tsx",
        ...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
      ],
    });
    this.ready = this.#next("ready").then(() => undefined);
  }
  #next<T>(type: string): Promise<T> {
    return new Promise((resolve) => {
      const on = (m: { type: string }): void => {
        if (m.type !== type) return;
        this.process.off("message", on);
        resolve(m as T);
      };
      this.process.on("message", on);
    });
  }
  /** Milliseconds of CPU this process used so far. */
  async cpuMs(): Promise<number> {
    const { cpu } = await this.ask<{ cpu: NodeJS.CpuUsage }>("count");
    return (cpu.user + cpu.system) / 1000;
  }
  async ask<T>(type: string, extra: object = {}, reply = type): Promise<T> {
    const answer = this.#next<T>(reply);
    this.process.send({ type, ...extra });
    return answer;
  }
  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.process.once("exit", resolve));
    this.process.send({ type: "stop" });
    await Promise.race([exited, sleep(10_000).then(() => this.process.kill("SIGKILL"))]);
  }
}

// ---- Helpers ------------------------------------------------------------------------------------

const goals = new Goals();
const goal = goals.add.bind(goals);

function quantile(sorted: readonly number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
}
const fmt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "-");
const ms = (n: number): string => (Number.isFinite(n) ? `${n < 10 ? n.toFixed(1) : Math.round(n)} ms` : "-");

/** Milliseconds of CPU the Redis server used so far (all clients: run the bench on a quiet Redis). */
async function redisCpuMs(): Promise<number> {
  const client = new Redis(REDIS_URL);
  const info = await client.info("cpu");
  client.disconnect();
  const field = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return (field("used_cpu_sys") + field("used_cpu_user")) * 1000;
}

async function deleteKeys(prefix: string): Promise<void> {
  const client = new Redis(REDIS_URL);
  await deleteKeysUnder(client, prefix);
  client.disconnect();
}

function newPrefix(name: string): string {
  return `cronq-bench:${name}:${randomBytes(3).toString("hex")}`;
}

/** A scheduler that does not fire, to add jobs the way the API does. */
async function addJobs(
  prefix: string,
  n: number,
  options: (i: number) => Parameters<Scheduler["addJob"]>[2],
  task = "noop",
): Promise<void> {
  const store = new RedisStore({ redis: REDIS_URL, prefix });
  const admin = new Scheduler({ store, tasks: TASKS, timezone: "UTC" });
  for (let i = 0; i < n; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, n - i) }, (_, k) => admin.addJob(`j${i + k}`, task, options(i + k))),
    );
  }
  await store.close();
}

async function cronqProcesses(
  prefix: string,
  replicas: number,
  workers: number,
  concurrency: number,
): Promise<Child[]> {
  const children = [
    ...Array.from({ length: workers }, () => new Child("cronq-worker", { prefix, concurrency })),
    ...Array.from({ length: replicas }, (_, i) => new Child("cronq-replica", { prefix, id: `r${i + 1}` })),
  ];
  await Promise.all(children.map((c) => c.ready));
  return children;
}

async function samplesOf(children: Child[], from: number, to: number): Promise<Sample[]> {
  const replies = await Promise.all(
    children.map((c) => c.ask<{ samples: Sample[] }>("samples", { from, to })),
  );
  return replies.flatMap((r) => r.samples);
}

// ---- 1. Throughput ------------------------------------------------------------------------------

async function throughput(jobs: number): Promise<string[]> {
  const rawPrefix = newPrefix("raw");
  const queue = new Queue("bench", {
    connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }),
    prefix: `${rawPrefix}:q`,
  });
  let redis0 = await redisCpuMs();
  for (let i = 0; i < jobs; i += 1000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1000, jobs - i) }, (_, k) => ({ name: "noop", data: { i: i + k } })),
    );
  }
  const raw = new Child("bull-drain", { prefix: rawPrefix, concurrency: 50 });
  await raw.ready;
  const rawCpu0 = await raw.cpuMs();
  const rawStart = Date.now();
  await raw.ask("go", {}, "went");
  let rawDone = { count: 0, first: 0, last: 0 };
  while (rawDone.count < jobs) rawDone = await sleep(100).then(() => raw.ask("count"));
  const rawRate = jobs / ((rawDone.last - rawStart) / 1000);
  const rawCpu = [(await redisCpuMs()) - redis0, (await raw.cpuMs()) - rawCpu0];
  await raw.stop();
  await queue.close();
  await deleteKeys(rawPrefix);

  const prefix = newPrefix("path");
  const [worker, replica] = await cronqProcesses(prefix, 1, 1, 50);
  // Due now, never late: every occurrence runs, whatever the backlog.
  await addJobs(prefix, jobs, () => ({ at: new Date(), misfireGrace: null }));
  redis0 = await redisCpuMs();
  const cpu0 = [await replica!.cpuMs(), await worker!.cpuMs()];
  const { at: goAt } = await replica!.ask<{ at: number }>("go", {}, "went");
  let done = { count: 0, last: 0 };
  while (done.count < jobs) done = await sleep(100).then(() => worker!.ask("count"));
  const rate = jobs / ((done.last - goAt) / 1000);
  const cpu = [
    (await redisCpuMs()) - redis0,
    (await replica!.cpuMs()) - cpu0[0]!,
    (await worker!.cpuMs()) - cpu0[1]!,
  ];
  await Promise.all([replica!.stop(), worker!.stop()]);
  await deleteKeys(prefix);
  const per = (msTotal: number): string => `${((1000 * msTotal) / jobs).toFixed(0)} µs`;
  goal(rate / rawRate >= 0.7, `throughput at least 0.7 times raw BullMQ's: ${(rate / rawRate).toFixed(2)}`);
  return [
    `| raw BullMQ: add in bulk, drain | ${fmt(jobs)} | ${fmt(rawRate)} | 1 | ${per(rawCpu[0]!)} | - | ${per(rawCpu[1]!)} |`,
    `| cronq: claim, commit, queue, execute, record | ${fmt(jobs)} | ${fmt(rate)} | ${(rate / rawRate).toFixed(2)} | ${per(cpu[0]!)} | ${per(cpu[1]!)} | ${per(cpu[2]!)} |`,
  ];
}

// ---- 2. Latency at 1,000/s ----------------------------------------------------------------------

async function latency(seconds: number): Promise<string[]> {
  const rawPrefix = newPrefix("lat-raw");
  const raw = new Child("bull-latency", { prefix: rawPrefix, concurrency: 50 });
  await raw.ready;
  await raw.ask("go", {}, "went");
  const queue = new Queue("bench", {
    connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }),
    prefix: `${rawPrefix}:q`,
  });
  const start = Date.now() + 200;
  for (let i = 0; i < seconds * 1000; i++) {
    const wait = start + i - Date.now();
    if (wait > 1) await sleep(wait);
    await queue.add("noop", { t: Date.now() }, { removeOnComplete: true });
  }
  await sleep(1000);
  // (Infinity would not survive the IPC channel's JSON.)
  const rawSamples = (await samplesOf([raw], 0, Number.MAX_SAFE_INTEGER))
    .map((s) => s.start - s.at)
    .sort((a, b) => a - b);
  await raw.stop();
  await queue.close();
  await deleteKeys(rawPrefix);

  const prefix = newPrefix("lat-path");
  const children = await cronqProcesses(prefix, 1, 1, 50);
  const base = Math.ceil((Date.now() + 3000) / 1000) * 1000;
  await addJobs(prefix, 1000, (i) => ({ interval: "1s", startAt: new Date(base + i) }));
  await children[1]!.ask("go", {}, "went");
  const from = base + 2000;
  await sleep(from + seconds * 1000 + 1500 - Date.now());
  const samples = await samplesOf([children[0]!], from, from + seconds * 1000);
  await Promise.all(children.map((c) => c.stop()));
  await deleteKeys(prefix);
  const fired = samples.map((s) => s.start - s.fired).sort((a, b) => a - b);
  const due = samples.map((s) => s.start - s.at).sort((a, b) => a - b);
  const ratio = quantile(fired, 0.99) / quantile(rawSamples, 0.99);
  goal(ratio <= 1.5, `fire-to-start p99 at most 1.5 times BullMQ's add-to-start p99: ${ratio.toFixed(2)}`);
  return [
    `| raw BullMQ, add to start | ${fmt(rawSamples.length)} | ${ms(quantile(rawSamples, 0.5))} | ${ms(quantile(rawSamples, 0.99))} | 1 |`,
    `| cronq, fire to start | ${fmt(fired.length)} | ${ms(quantile(fired, 0.5))} | ${ms(quantile(fired, 0.99))} | ${(quantile(fired, 0.99) / quantile(rawSamples, 0.99)).toFixed(2)} |`,
    `| cronq, due to start | ${fmt(due.length)} | ${ms(quantile(due, 0.5))} | ${ms(quantile(due, 0.99))} | ${(quantile(due, 0.99) / quantile(rawSamples, 0.99)).toFixed(2)} |`,
  ];
}

// ---- 3. 2,000 jobs every second, 3 replicas, 2 workers -------------------------------------------

async function cluster(seconds: number): Promise<string[]> {
  const jobs = 2000;
  const prefix = newPrefix("cluster");
  const children = await cronqProcesses(prefix, 3, 2, 50);
  const base = Math.ceil((Date.now() + 4000) / 1000) * 1000;
  // The jobs' tasks log each execution under their own key: `<job id>:x`.
  await addJobs(prefix, jobs, (i) => ({ interval: "1s", startAt: new Date(base + i / 2) }), "record");
  await Promise.all(children.slice(2).map((c) => c.ask("go", {}, "went")));
  const from = base + 3000;
  const to = from + seconds * 1000;
  await sleep(to + 3000 - Date.now());
  const samples = await samplesOf(children.slice(0, 2), from, to);
  await Promise.all(children.map((c) => c.stop()));
  const client = new Redis(REDIS_URL);
  const executed = new Map<string, number>();
  const pipeline = client.pipeline();
  for (let i = 0; i < jobs; i++) pipeline.lrange(`${prefix}:x:j${i}`, 0, -1);
  for (const [, ids] of (await pipeline.exec())!) {
    for (const id of ids as string[]) executed.set(id, (executed.get(id) ?? 0) + 1);
  }
  client.disconnect();
  await deleteKeys(prefix);
  const duplicates = [...executed.values()].filter((n) => n > 1).length;
  const expected = jobs * seconds;
  const late = samples.map((s) => s.start - s.at).sort((a, b) => a - b);
  const misses = expected - samples.length;
  goal(
    duplicates === 0 && misses === 0 && quantile(late, 0.99) < 250,
    `2,000 jobs/s with 0 duplicates (${duplicates}), 0 misses (${misses}), lateness p99 under 250 ms (${ms(quantile(late, 0.99))})`,
  );
  return [
    `| ${fmt(jobs)} jobs × ${seconds} s | ${fmt(expected)} | ${fmt(samples.length / seconds)} | ${ms(quantile(late, 0.5))} | ${ms(quantile(late, 0.99))} | ${duplicates} | ${fmt(expected - samples.length)} |`,
  ];
}

// ---- 4. BullMQ job schedulers against cronq ------------------------------------------------------

async function schedulers(size: number, kind: "every" | "cron", seconds: number): Promise<string[]> {
  const expected = size * seconds;
  const rawPrefix = newPrefix("sched-raw");
  const queue = new Queue("bench", {
    connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }),
    prefix: `${rawPrefix}:q`,
  });
  for (let i = 0; i < size; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, size - i) }, (_, k) =>
        queue.upsertJobScheduler(
          `s${i + k}`,
          kind === "every" ? { every: 1000 } : { pattern: "* * * * * *" },
          {
            name: "tick",
            opts: { removeOnComplete: true, removeOnFail: true },
          },
        ),
      ),
    );
  }
  const raw = new Child("bull-sched", { prefix: rawPrefix, concurrency: 100 });
  await raw.ready;
  await raw.ask("go", {}, "went");
  const from = Math.ceil((Date.now() + 3000) / 1000) * 1000;
  await sleep(from + seconds * 1000 + 2000 - Date.now());
  const rawSamples = await samplesOf([raw], from, from + seconds * 1000);
  await raw.stop();
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  await deleteKeys(rawPrefix);

  const prefix = newPrefix("sched-path");
  const children = await cronqProcesses(prefix, 1, 1, 100);
  // As BullMQ's `every` schedulers, interval jobs count from their creation (spread over the time
  // it takes to add them); cron jobs all fire on the second, in both.
  await addJobs(prefix, size, () => (kind === "every" ? { interval: "1s" } : { cron: "* * * * * *" }));
  await children[1]!.ask("go", {}, "went");
  const start = Math.ceil(Date.now() / 1000) * 1000 + 2000;
  await sleep(start + seconds * 1000 + 2000 - Date.now());
  const samples = await samplesOf([children[0]!], start, start + seconds * 1000);
  await Promise.all(children.map((c) => c.stop()));
  await deleteKeys(prefix);
  const row = (who: string, s: Sample[]): string => {
    const late = s.map((x) => x.start - x.at).sort((a, b) => a - b);
    const label = kind === "every" ? "every 1000 ms" : "`* * * * * *`";
    return `| ${who}, ${label} | ${fmt(size)} | ${fmt(expected)} | ${fmt(s.length)} (${((100 * s.length) / expected).toFixed(0)}%) | ${fmt(expected - s.length)} | ${ms(quantile(late, 0.5))} | ${ms(quantile(late, 0.99))} |`;
  };
  const p99 = (x: Sample[]): number =>
    quantile(
      x.map((y) => y.start - y.at).sort((a, b) => a - b),
      0.99,
    );
  goal(
    samples.length >= rawSamples.length && p99(samples) < p99(rawSamples),
    `${fmt(size)} schedules (${kind}): at least BullMQ's delivered fires (${fmt(samples.length)} against ${fmt(rawSamples.length)}) with a lower lateness p99 (${ms(p99(samples))} against ${ms(p99(rawSamples))})`,
  );
  return [row("BullMQ job schedulers", rawSamples), row("cronq", samples)];
}

// ---- Main ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: "string" },
      args: { type: "string" },
      jobs: { type: "string", default: "20000" },
      seconds: { type: "string", default: "30" },
      "latency-seconds": { type: "string", default: "10" },
      "sched-seconds": { type: "string", default: "20" },
      "sched-sizes": { type: "string", default: "1000,10000" },
      only: { type: "string", default: "1,2,3,4" },
      /** Print the table without writing bench/RESULTS.md (trial runs). */
      "dry-run": { type: "boolean", default: false },
    },
  });
  if (values.role) return child(values.role as Role, JSON.parse(values.args!) as RoleArgs);
  const only = new Set(values.only.split(","));
  const schedSizes = values["sched-sizes"].split(",").map(Number);
  if (!schedSizes.every((n) => Number.isInteger(n) && n > 0))
    throw new Error(
      `--sched-sizes: expected positive integers like 1000,10000, got "${values["sched-sizes"]}"`,
    );
  const load = loadavg()[0]!;
  const redisInfo = await new Redis(REDIS_URL).info("server");
  const redisVersion = /redis_version:(\S+)/.exec(redisInfo)?.[1] ?? "?";
  const sections: string[] = [];
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  if (only.has("1")) {
    log("1. throughput...");
    const rows = await throughput(Number(values.jobs));
    sections.push(
      [
        "### 1. Throughput (concurrency 50, one worker process)",
        "",
        "| Path | Jobs | Jobs/s | Ratio to raw | Redis CPU per job | Replica CPU per job | Worker CPU per job |",
        "|---|---:|---:|---:|---:|---:|---:|",
        ...rows,
      ].join("\n"),
    );
    log(rows.join("\n"));
  }
  if (only.has("2")) {
    log("2. latency...");
    const rows = await latency(Number(values["latency-seconds"]));
    sections.push(
      [
        "### 2. Latency at 1,000 per second",
        "",
        "| Measure | Samples | p50 | p99 | p99 ratio to raw |",
        "|---|---:|---:|---:|---:|",
        ...rows,
      ].join("\n"),
    );
    log(rows.join("\n"));
  }
  if (only.has("3")) {
    log("3. cluster...");
    const rows = await cluster(Number(values.seconds));
    sections.push(
      [
        "### 3. 2,000 jobs every second, 3 replicas, 2 workers (concurrency 50 each)",
        "",
        "| Load | Occurrences | Runs/s sustained | Lateness p50 | Lateness p99 | Duplicates | Misses |",
        "|---|---:|---:|---:|---:|---:|---:|",
        ...rows,
      ].join("\n"),
    );
    log(rows.join("\n"));
  }
  if (only.has("4")) {
    const rows: string[] = [];
    for (const size of schedSizes) {
      for (const kind of ["every", "cron"] as const) {
        log(`4. schedulers ${size} ${kind}...`);
        const pair = await schedulers(size, kind, Number(values["sched-seconds"]));
        log(pair.join("\n"));
        rows.push(...pair);
      }
    }
    sections.push(
      [
        `### 4. Schedules firing every second for ${values["sched-seconds"]} s: BullMQ job schedulers and cronq`,
        "",
        "| Scheduler | Schedules | Fires due | Delivered | Missed | Lateness p50 | Lateness p99 |",
        "|---|---:|---:|---:|---:|---:|---:|",
        ...rows,
      ].join("\n"),
    );
  }
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  const body = [
    `\`npm run bench:queue\` on ${new Date().toISOString().slice(0, 10)}: Node.js ${process.version}, ${cpus().length} × ${cpu}, Redis ${redisVersion} on the same machine, load average ${load.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end (the machine is shared with other work). Every BullMQ and cronq process is a child process of its own. Lateness: due time to task start. cronq's replicas and workers publish their events on the bridge, as the CLI's do.`,
    ...sections,
    goals.toString(),
  ].join("\n\n");
  log(body);
  if (!values["dry-run"]) updateResults("Distributed (Redis)", body);
  process.exit(0);
}

await main();
