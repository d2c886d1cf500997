/**
 * `npm run bench:redis-ops`: the Redis CPU each step of an occurrence costs on the Redis store, as
 * Redis itself counts it (INFO commandstats), so that the cost of the ledger can be seen script by
 * script.
 *
 *   npx tsx bench/redis-ops.ts [--jobs 5000] [--rounds 5] [--dry-run]
 *
 * Each round adds N one-off jobs under a fresh prefix and takes every one through the path a
 * replica and a worker take: claim (batches of 250), commit, mark dispatched, start, finish. Starts
 * and finishes are asked for all at once, as a busy worker does, so that they go out grouped; half
 * of them pass the record the caller holds (as the worker does: the run as queued, then as
 * started) and half do not, which shows what reading the run back costs. BullMQ's own work is not
 * in this table (bench:queue measures the whole path). A benchmark, not a test: it asserts nothing.
 * Writes the "Redis work per run" section of bench/RESULTS.md.
 */
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import type { JobRecord, RunRecord } from "../src/core/jobs/job.js";
import { RedisStore } from "../src/stores/redis/index.js";
import { jobRecord, runRecord } from "../src/testing/records.js";
import { deleteKeys } from "./redis-keys.js";
import { updateResults } from "./results.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "5000" },
    rounds: { type: "string", default: "5" },
    "dry-run": { type: "boolean", default: false },
  },
});
const N = Number(values.jobs);
const ROUNDS = Number(values.rounds);
const BATCH = 250;
const T0 = 1_000_000;

const admin = new Redis(REDIS_URL);

/**
 * What Redis has done so far: the CPU time of its process (user and system, as INFO cpu gives it:
 * parsing, networking, scripts and commands alike), the time inside scripts (EVALSHA, as INFO
 * commandstats counts it), and the commands the scripts called. (commandstats counts a command a
 * script calls under its own name too, and that time again in the script's: summing every line
 * counts it twice.)
 */
interface RedisCounters {
  cpuUs: number;
  scriptUs: number;
  innerCalls: number;
}

async function redisCounters(): Promise<RedisCounters> {
  const cpu = await admin.info("cpu");
  const field = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(cpu)?.[1] ?? 0);
  const counters = {
    cpuUs: (field("used_cpu_user") + field("used_cpu_sys")) * 1e6,
    scriptUs: 0,
    innerCalls: 0,
  };
  for (const line of (await admin.info("commandstats")).split("\n")) {
    const match = /^cmdstat_([\w|]+):calls=(\d+),usec=(\d+)/.exec(line);
    if (!match || match[1] === "info") continue;
    if (/^eval/.test(match[1]!)) counters.scriptUs += Number(match[3]);
    else counters.innerCalls += Number(match[2]);
  }
  return counters;
}

const STEPS = [
  ["add job", "insert_job"],
  ["claim", "claim_due_jobs"],
  ["commit", "commit_fires"],
  ["mark dispatched", "mark_dispatched"],
  ["start, from the queued run", "start_attempts"],
  ["start, reading the run back", "start_attempts"],
  ["finish, from the started run", "finish_attempts"],
  ["finish, reading the run back", "finish_attempts"],
] as const;
type Step = (typeof STEPS)[number][0];
/** Per run: Redis CPU (µs), time inside scripts (µs), commands the scripts called. */
type Cost = RedisCounters;

async function round(): Promise<Map<Step, Cost>> {
  const prefix = `cronq-bench:ops:${randomBytes(3).toString("hex")}`;
  const store = new RedisStore({ redis: REDIS_URL, prefix, leaseClock: "caller" });
  await store.open();
  const perRun = new Map<Step, Cost>();
  const measure = async (step: Step, runs: number, fn: () => Promise<unknown>): Promise<void> => {
    const before = await redisCounters();
    await fn();
    const after = await redisCounters();
    perRun.set(step, {
      cpuUs: (after.cpuUs - before.cpuUs) / runs,
      scriptUs: (after.scriptUs - before.scriptUs) / runs,
      innerCalls: (after.innerCalls - before.innerCalls) / runs,
    });
  };
  const owner = { owner: "replica", leaseMs: 60_000 };
  const ids = Array.from({ length: N }, (_, i) => `job-${i}`);
  await measure("add job", N, () =>
    Promise.all(
      ids.map((id) => store.insertJob(jobRecord(id, { nextRunAt: T0 }), { replace: false, now: 0 })),
    ),
  );
  const claimed: JobRecord[] = [];
  await measure("claim", N, async () => {
    while (claimed.length < N)
      claimed.push(...(await store.claimDueJobs({ now: T0, ...owner, limit: BATCH })));
  });
  const runs: RunRecord[] = [];
  await measure("commit", N, async () => {
    for (let i = 0; i < claimed.length; i += BATCH) {
      const commits = claimed.slice(i, i + BATCH).map((job) => ({
        jobId: job.id,
        claimToken: job.claim!.token,
        jobVersion: job.version,
        nextRunAt: null,
        runs: [runRecord(job.id, T0)],
      }));
      for (const result of await store.commitFires(commits, { now: T0, ...owner }))
        runs.push(...result.inserted);
    }
  });
  await measure("mark dispatched", N, async () => {
    for (let i = 0; i < runs.length; i += BATCH) {
      await store.markDispatched(
        runs.slice(i, i + BATCH).map((run) => run.id),
        { now: T0, owner: "replica" },
      );
    }
  });
  const half = Math.floor(runs.length / 2);
  const worker = { owner: "worker", leaseMs: 60_000, token: null };
  const start = (list: RunRecord[], withRecord: boolean): Promise<Array<RunRecord | null>> =>
    Promise.all(
      list.map((run) =>
        store.startAttempt(run.id, {
          now: T0 + 5,
          ...worker,
          ...(withRecord ? { record: { ...run, lease: null } } : {}),
        }),
      ),
    );
  let lean: Array<RunRecord | null> = [];
  let full: Array<RunRecord | null> = [];
  await measure(
    "start, from the queued run",
    half,
    async () => (lean = await start(runs.slice(0, half), true)),
  );
  await measure(
    "start, reading the run back",
    runs.length - half,
    async () => (full = await start(runs.slice(half), false)),
  );
  const finish = (list: Array<RunRecord | null>, withRecord: boolean): Promise<unknown> =>
    Promise.all(
      list.map((run) =>
        store.finishAttempt(run!.id, {
          now: T0 + 7,
          owner: "worker",
          leaseMs: 60_000,
          token: run!.lease!.token,
          outcome: "succeeded",
          error: null,
          reason: null,
          retryAt: null,
          ...(withRecord ? { record: run! } : {}),
        }),
      ),
    );
  await measure("finish, from the started run", lean.length, () => finish(lean, true));
  await measure("finish, reading the run back", full.length, () => finish(full, false));
  await store.close();
  await deleteKeys(admin, prefix);
  return perRun;
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const loadBefore = loadavg()[0]!;
const rounds: Array<Map<Step, Cost>> = [];
for (let i = 0; i < ROUNDS; i++) {
  rounds.push(await round());
  process.stdout.write(`round ${i + 1} of ${ROUNDS}\n`);
}
const version = ((await admin.info("server")).match(/redis_version:(\S+)/) ?? [])[1] ?? "?";
admin.disconnect();

const costOf = (step: Step, key: keyof Cost): number[] => rounds.map((r) => r.get(step)![key]);
const rows = STEPS.map(([step, script]) => {
  const cpu = costOf(step, "cpuUs");
  return `| ${step} | \`${script}\` | ${median(cpu).toFixed(1)} µs | ${Math.min(...cpu).toFixed(1)}-${Math.max(...cpu).toFixed(1)} µs | ${median(costOf(step, "scriptUs")).toFixed(1)} µs | ${median(costOf(step, "innerCalls")).toFixed(1)} |`;
});
const firing = [
  "claim",
  "commit",
  "mark dispatched",
  "start, from the queued run",
  "finish, from the started run",
] as const;
const total = (key: keyof Cost): number => firing.reduce((sum, step) => sum + median(costOf(step, key)), 0);
const body = `\`npm run bench:redis-ops\` on ${new Date().toISOString().slice(0, 10)}: Node.js ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? "?"}, Redis ${version} on the same machine, load average ${loadBefore.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end. ${N.toLocaleString("en")} one-off jobs per round, ${ROUNDS} rounds, medians of the rounds. *Redis CPU* is the Redis process's CPU time (INFO cpu: parsing, networking, scripts), with its range over the rounds; *in the script* is the time inside the script (INFO commandstats), and *commands* the Redis commands the script called, per run. BullMQ's own work (adding, moving and finishing its job) comes on top: \`bench:queue\` measures the whole path.

| Step | Script | Redis CPU per run | Range | In the script | Commands per run |
|---|---|---:|---:|---:|---:|
${rows.join("\n")}

An occurrence's own steps on the worker's path (claim, commit, mark, start and finish from the records held): **${total("cpuUs").toFixed(0)} µs** of Redis CPU, ${total("scriptUs").toFixed(0)} µs of it inside scripts, ${total("innerCalls").toFixed(0)} commands.`;
process.stdout.write(`\n${body}\n`);
if (!values["dry-run"]) updateResults("Redis work per run", body);
