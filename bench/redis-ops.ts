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

/** Microseconds Redis spent in commands so far, INFO itself excepted. */
async function redisMicros(): Promise<number> {
  const info = await admin.info("commandstats");
  let total = 0;
  for (const line of info.split("\n")) {
    const match = /^cmdstat_(\w+):calls=\d+,usec=(\d+)/.exec(line);
    if (match && match[1] !== "info") total += Number(match[2]);
  }
  return total;
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

async function round(): Promise<Map<Step, number>> {
  const prefix = `cronq-bench:ops:${randomBytes(3).toString("hex")}`;
  const store = new RedisStore({ redis: REDIS_URL, prefix, leaseClock: "caller" });
  await store.open();
  const perRun = new Map<Step, number>();
  const measure = async (step: Step, runs: number, fn: () => Promise<unknown>): Promise<void> => {
    const before = await redisMicros();
    await fn();
    perRun.set(step, ((await redisMicros()) - before) / runs);
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
const rounds: Array<Map<Step, number>> = [];
for (let i = 0; i < ROUNDS; i++) {
  rounds.push(await round());
  process.stdout.write(`round ${i + 1} of ${ROUNDS}\n`);
}
const version = ((await admin.info("server")).match(/redis_version:(\S+)/) ?? [])[1] ?? "?";
admin.disconnect();

const rows = STEPS.map(([step, script]) => {
  const xs = rounds.map((r) => r.get(step)!);
  return `| ${step} | \`${script}\` | ${median(xs).toFixed(1)} µs | ${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)} µs |`;
});
const firing = [
  "claim",
  "commit",
  "mark dispatched",
  "start, from the queued run",
  "finish, from the started run",
] as const;
const total = firing.reduce((sum, step) => sum + median(rounds.map((r) => r.get(step)!)), 0);
const body = `\`npm run bench:redis-ops\` on ${new Date().toISOString().slice(0, 10)}: Node.js ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? "?"}, Redis ${version} on the same machine, load average ${loadBefore.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end. ${N.toLocaleString("en")} one-off jobs per round, ${ROUNDS} rounds; Redis CPU per run as Redis counts it (INFO commandstats), median of the rounds and the range. BullMQ's own work (adding, moving and finishing its job) comes on top: \`bench:queue\` measures the whole path.

| Step | Script | Redis CPU per run | Range |
|---|---|---:|---:|
${rows.join("\n")}

An occurrence's own steps on the worker's path (claim, commit, mark, start and finish from the records held): **${total.toFixed(0)} µs** of Redis CPU.`;
process.stdout.write(`\n${body}\n`);
if (!values["dry-run"]) updateResults("Redis work per run", body);
