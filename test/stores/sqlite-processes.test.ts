/**
 * Several processes on one SQLite file: each occurrence is recorded exactly once, none is lost,
 * and lock contention never surfaces as an error. The children start together (they wait for "go"
 * after opening the file) so that their claims really race.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { describe, it, type TestContext } from "node:test";
import Database from "better-sqlite3";
import { occurrenceId } from "../../src/core/jobs/job.js";
import { SqliteStore } from "../../src/stores/sqlite/index.js";
import { jobRecord } from "../../src/testing/records.js";
import { sqliteSkip, tempDir } from "./fixtures/sqlite-helpers.js";

const CLAIMER = fileURLToPath(new URL("./fixtures/sqlite-claimer.ts", import.meta.url));

interface Report {
  owner: string;
  inserted: string[];
  claims: number;
  claimed: number;
  lost: number;
  gone: number;
  errors: string[];
}

interface Child {
  process: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
  ready: Promise<void>;
  exit: Promise<number | null>;
}

function startClaimer(args: string[]): Child {
  const child = spawn(process.execPath, ["--import", "tsx", CLAIMER, ...args], { stdio: "pipe" });
  const state: Child = {
    process: child,
    stdout: "",
    stderr: "",
    ready: new Promise((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        state.stdout += chunk.toString();
        if (state.stdout.startsWith("ready\n")) resolve();
      });
      child.once("exit", (code) =>
        reject(new Error(`claimer exited (${code}) before ready: ${state.stderr}`)),
      );
    }),
    exit: once(child, "exit").then(([code]) => code as number | null),
  };
  child.stderr.on("data", (chunk: Buffer) => (state.stderr += chunk.toString()));
  return state;
}

async function race(
  t: TestContext,
  options: {
    processes: number;
    jobs: number;
    occurrences: number;
    leaseMs: number;
    batch: number;
    pauseMs: number;
  },
): Promise<void> {
  const dir = tempDir();
  const children: Child[] = [];
  try {
    // The children open the file while it does not exist yet: creating the schema races too.
    for (let i = 0; i < options.processes; i++) {
      children.push(
        startClaimer(
          [options.leaseMs, options.batch, options.occurrences, options.pauseMs].reduce<string[]>(
            (args, n) => [...args, String(n)],
            [dir.path, `p${i}`],
          ),
        ),
      );
    }
    await Promise.all(children.map((c) => c.ready));
    const store = new SqliteStore({ path: dir.path });
    await store.open({ retention: { maxRunsPerJob: 1_000_000, maxAgeMs: 1e12 } });
    for (let j = 0; j < options.jobs; j++) {
      await store.insertJob(jobRecord(`job-${j}`, { nextRunAt: 1000 }), { replace: false, now: 0 });
    }
    await store.close();
    for (const c of children) c.process.stdin.write("go\n");
    const codes = await Promise.all(children.map((c) => c.exit));

    const reports = children.map((c) => JSON.parse(c.stdout.trim().split("\n").pop()!) as Report);
    for (const [i, report] of reports.entries()) {
      assert.deepEqual(report.errors, [], `p${i} failed: ${children[i]!.stderr}`);
      assert.equal(codes[i], 0, children[i]!.stderr);
      t.diagnostic(
        `${report.owner}: ${report.claims} claims, ${report.claimed} jobs claimed, ` +
          `${report.inserted.length} runs inserted, ${report.lost} commits lost their claim`,
      );
    }

    const expected = new Set<string>();
    for (let j = 0; j < options.jobs; j++) {
      for (let k = 1; k <= options.occurrences; k++) expected.add(occurrenceId(`job-${j}`, k * 1000));
    }
    const inserted = reports.flatMap((r) => r.inserted);
    const seen = new Set<string>();
    const twice = inserted.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
    assert.deepEqual(twice, [], "occurrences inserted by two commits");
    assert.deepEqual(
      [...expected].filter((id) => !seen.has(id)),
      [],
      "occurrences never inserted",
    );
    assert.equal(inserted.length, expected.size);

    const db = new Database(dir.path, { readonly: true });
    try {
      const ids = db.prepare("SELECT id FROM cronq_runs").pluck().all() as string[];
      assert.equal(ids.length, expected.size);
      assert.deepEqual(new Set(ids), expected);
      const pendingPerJob = Math.floor(options.occurrences / 2);
      const jobs = db
        .prepare("SELECT next_run_at, claim_token, active_runs, missed_count FROM cronq_jobs")
        .all() as {
        next_run_at: number | null;
        claim_token: number | null;
        active_runs: number;
        missed_count: number;
      }[];
      for (const job of jobs) {
        assert.deepEqual(job, {
          next_run_at: null,
          claim_token: null,
          active_runs: pendingPerJob,
          missed_count: options.occurrences - pendingPerJob,
        });
      }
    } finally {
      db.close();
    }
  } finally {
    for (const c of children) if (c.process.exitCode === null) c.process.kill();
    dir.remove();
  }
}

describe("SQLite store: several processes on one file", { skip: sqliteSkip }, () => {
  it("never records an occurrence twice and loses none when three schedulers claim at once", async (t) => {
    await race(t, { processes: 3, jobs: 150, occurrences: 8, leaseMs: 60_000, batch: 20, pauseMs: 0 });
  });

  it("fences out commits whose claim another process took over (claims that expire at once)", async (t) => {
    await race(t, { processes: 2, jobs: 20, occurrences: 4, leaseMs: 0, batch: 10, pauseMs: 2 });
  });
});
