/**
 * SQLite store benchmark: how fast the scheduler's hot paths run against a real file.
 *
 *   npx tsx bench/sqlite-store.ts [--rounds 5] [--synchronous normal|full]
 *
 * - fire N: N jobs all due at once; claimDueJobs + commitFires in batches of 1,000 (the
 *   scheduler's default batch) until none is due; each commit inserts one pending run per job.
 * - commit 1,000: one commitFires of a 1,000-job batch alone (one transaction).
 * - start+finish: startAttempt then finishAttempt (succeeded) of N pending runs, each its own
 *   transaction, as an executor does.
 *
 * Each scenario runs on a fresh file per round; the table shows the median over the rounds.
 * A benchmark, not a test: it asserts nothing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import type { RunRecord } from "../src/core/jobs/job.js";
import { occurrenceId } from "../src/core/jobs/job.js";
import { DEFAULT_JOB_POLICY } from "../src/core/jobs/policies.js";
import { newRunRecord, type FireCommit } from "../src/core/stores/store.js";
import { SqliteStore, type SqliteSynchronous } from "../src/stores/sqlite/index.js";
import { jobRecord } from "../src/testing/records.js";

const { values } = parseArgs({
  options: { rounds: { type: "string", default: "5" }, synchronous: { type: "string", default: "normal" } },
});
const ROUNDS = Number(values.rounds);
const SYNCHRONOUS = values.synchronous as SqliteSynchronous;
const BATCH = 1000;
const LEASE = 30_000;
const DUE = 1_000_000;

interface Sample {
  ops: number;
  ms: number;
}

async function withStore<T>(fn: (store: SqliteStore) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "cronq-bench-"));
  const store = new SqliteStore({ path: join(dir, "bench.db"), synchronous: SYNCHRONOUS });
  await store.open({ retention: { maxRunsPerJob: 100, maxAgeMs: 30 * 86_400_000 } });
  try {
    return await fn(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function addJobs(store: SqliteStore, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await store.insertJob(jobRecord(`job-${i}`, { nextRunAt: DUE }), { replace: false, now: 0 });
  }
}

function pendingRun(jobId: string, at: number): RunRecord {
  return newRunRecord({
    id: occurrenceId(jobId, at),
    jobId,
    taskName: "task",
    origin: "schedule",
    scheduledAt: at,
    dueAt: at,
    firedAt: at,
    status: "pending",
    args: [],
    policy: DEFAULT_JOB_POLICY,
  });
}

/** Claims and commits every due job, batch by batch; returns the pending runs inserted. */
async function fireAll(store: SqliteStore, now: number): Promise<{ runs: RunRecord[]; commitMs: number[] }> {
  const runs: RunRecord[] = [];
  const commitMs: number[] = [];
  for (;;) {
    const claimed = await store.claimDueJobs({ now, owner: "bench", leaseMs: LEASE, limit: BATCH });
    if (claimed.length === 0) break;
    const commits: FireCommit[] = claimed.map((job) => ({
      jobId: job.id,
      claimToken: job.claim!.token,
      jobVersion: job.version,
      nextRunAt: job.nextRunAt! + 1000,
      runs: [pendingRun(job.id, job.nextRunAt!)],
    }));
    const t = performance.now();
    const results = await store.commitFires(commits, { now, owner: "bench", leaseMs: LEASE });
    commitMs.push(performance.now() - t);
    for (const r of results) runs.push(...r.inserted);
  }
  return { runs, commitMs };
}

async function fireScenario(n: number): Promise<{ fire: Sample; commit: Sample }> {
  return withStore(async (store) => {
    await addJobs(store, n);
    const t = performance.now();
    const { runs, commitMs } = await fireAll(store, DUE);
    const ms = performance.now() - t;
    if (runs.length !== n) throw new Error(`expected ${n} runs, got ${runs.length}`);
    return { fire: { ops: n, ms }, commit: { ops: BATCH, ms: median(commitMs) } };
  });
}

async function startFinishScenario(n: number): Promise<Sample> {
  return withStore(async (store) => {
    await addJobs(store, n);
    const { runs } = await fireAll(store, DUE);
    const t = performance.now();
    for (const run of runs) {
      const started = await store.startAttempt(run.id, {
        now: DUE + 1,
        owner: "bench",
        leaseMs: LEASE,
        token: run.lease!.token,
      });
      await store.finishAttempt(run.id, {
        now: DUE + 2,
        owner: "bench",
        token: started!.lease!.token,
        outcome: "succeeded",
        error: null,
        reason: null,
        retryAt: null,
        leaseMs: LEASE,
      });
    }
    return { ops: n, ms: performance.now() - t };
  });
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function row(name: string, samples: readonly Sample[]): string {
  const opsPerSec = median(samples.map((s) => (s.ops / s.ms) * 1000));
  const ms = median(samples.map((s) => s.ms));
  return `| ${name.padEnd(40)} | ${Math.round(opsPerSec).toLocaleString("en-US").padStart(10)} | ${ms.toFixed(1).padStart(9)} |`;
}

async function main(): Promise<void> {
  const lines = [
    `SQLite store, Node ${process.version}, synchronous=${SYNCHRONOUS}, median of ${ROUNDS} rounds, ` +
      `${cpus().length} CPUs, load average at start ${loadavg()[0]!.toFixed(2)}`,
    "",
    `| ${"scenario".padEnd(40)} |      ops/s | median ms |`,
    `|${"-".repeat(42)}|-----------:|----------:|`,
  ];
  for (const n of [1_000, 10_000]) {
    const fire: Sample[] = [];
    const commit: Sample[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const s = await fireScenario(n);
      fire.push(s.fire);
      commit.push(s.commit);
    }
    lines.push(row(`claim+commit ${n.toLocaleString("en-US")} due jobs (jobs/s)`, fire));
    if (n === 10_000) lines.push(row("one commitFires of 1,000 (jobs/s)", commit));
  }
  const sf: Sample[] = [];
  for (let r = 0; r < ROUNDS; r++) sf.push(await startFinishScenario(2_000));
  lines.push(row("start+finish 2,000 runs (runs/s)", sf));
  process.stdout.write(lines.join("\n") + "\n");
}

await main();
