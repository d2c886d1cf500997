import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ApiClient, ApiError } from "../../src/cli/client.js";
import { jobsCommand } from "../../src/cli/commands/jobs.js";
import { runsCommand } from "../../src/cli/commands/runs.js";
import { statusCommand } from "../../src/cli/commands/status.js";
import { tasksCommand } from "../../src/cli/commands/tasks.js";
import { FakeClock } from "../../src/core/clock/fake-clock.js";
import { Scheduler } from "../../src/core/scheduler/scheduler.js";
import { type RunningServer, startServer } from "../../src/server/index.js";
import { JobSchema } from "../../src/server/schemas/jobs.js";
import { FULL, READ, T0, TOKENS, testTasks } from "../server/helpers.js";
import { runCli } from "./helpers.js";

describe("cronq jobs, runs, tasks, status against a running server", () => {
  const clock = new FakeClock(T0);
  const scheduler = new Scheduler({ clock, timezone: "UTC", tasks: testTasks() });
  let server: RunningServer;
  let env: Record<string, string>;
  const cli = (factory: Parameters<typeof runCli>[0], ...args: string[]) =>
    runCli(factory, args, env, clock.now());

  before(async () => {
    server = await startServer({ scheduler, port: 0, auth: { tokens: TOKENS }, logger: false });
    env = { CRONQ_URL: server.url, CRONQ_API_TOKEN: FULL };
  });
  after(async () => {
    await server.close();
    await scheduler.stop();
  });

  it("adds jobs with every trigger form and policy options", async () => {
    const every = await cli(jobsCommand, "add", "heartbeat", "--task", "echo", "--every", "30s");
    assert.equal(every.code, 0, every.err);
    assert.equal(
      every.out,
      "Added job heartbeat: every 30 seconds, next run 2026-03-02 00:00:30Z (in 30s).\n",
    );

    const cron = await cli(
      jobsCommand,
      "add",
      "report",
      "--task",
      "greet",
      "--cron",
      "0 9 * * *",
      "--tz",
      "Europe/Berlin",
      "--args",
      '["team"]',
      "--retry",
      "3",
      "--retry-delay",
      "10s",
      "--timeout",
      "5m",
      "--overlap",
      "queue",
      "--misfire-grace",
      "none",
      "--description",
      "Daily report",
    );
    assert.equal(cron.code, 0, cron.err);
    assert.match(
      cron.out,
      /^Added job report: at 09:00, Europe\/Berlin, next run 2026-03-02 08:00:00Z \(in 8h\)\.\n$/,
    );
    const job = await scheduler.getJob("report");
    assert.equal(job?.policy.retry.attempts, 3);
    assert.equal(job?.policy.retry.delayMs, 10_000);
    assert.equal(job?.policy.timeoutMs, 300_000);
    assert.equal(job?.policy.overlap, "queue");
    assert.equal(job?.policy.misfireGraceMs, null);
    assert.deepEqual(job?.args, ["team"]);

    assert.equal(
      (await cli(jobsCommand, "add", "launch", "--task", "echo", "--at", "2026-12-01T09:00:00Z")).code,
      0,
    );
    assert.equal((await cli(jobsCommand, "add", "warmup", "--task", "echo", "--start-in", "30m")).code, 0);
    const json = await cli(
      jobsCommand,
      "add",
      "sync",
      "--task",
      "echo",
      "--every",
      "1h",
      "--start-in",
      "10m",
      "--json",
    );
    assert.equal(JobSchema.parse(JSON.parse(json.out)).nextRunAt, "2026-03-02T00:10:00.000Z");
    const replaced = await cli(jobsCommand, "add", "sync", "--task", "echo", "--every", "2h", "--replace");
    assert.match(replaced.out, /^Saved job sync: every 2 hours/);
  });

  it("prints the API's message and exits 1 when the API refuses", async () => {
    const dup = await cli(jobsCommand, "add", "heartbeat", "--task", "echo", "--every", "30s");
    assert.equal(dup.code, 1);
    assert.equal(dup.out, "");
    assert.match(dup.err, /^cronq: Job ID heartbeat already exists\./);
    const cron = await cli(jobsCommand, "add", "x", "--task", "echo", "--cron", "61 * * * *");
    assert.equal(cron.code, 1);
    assert.match(
      cron.err,
      /^cronq: Expected the minute field \(1st\) to be 0-59, got "61" in "61 \* \* \* \*"\n$/,
    );
    const json = await cli(jobsCommand, "add", "x", "--task", "nope", "--every", "1m", "--json");
    assert.equal(json.code, 1);
    const envelope = JSON.parse(json.err) as { error: { code: string; details: Array<{ path: string }> } };
    assert.equal(envelope.error.code, "TASK_NOT_FOUND");
    assert.equal(envelope.error.details[0]!.path, "task");
    const none = await cli(jobsCommand, "add", "x", "--task", "echo", "--tz", "UTC");
    assert.equal(none.code, 1);
    assert.match(none.err, /Give a trigger: --every, --cron/);
    const args = await cli(jobsCommand, "add", "x", "--task", "echo", "--every", "1m", "--args", "{nope");
    assert.equal(args.code, 1);
    assert.match(args.err, /--args must be JSON/);
    const missing = await cli(jobsCommand, "add", "x", "--every", "1m");
    assert.equal(missing.code, 1);
    assert.match(missing.err, /required option '--task <name>' not specified/);
    assert.equal(await scheduler.getJob("x"), null);
  });

  it("lists jobs as a table or JSON, with filters", async () => {
    const ls = await cli(jobsCommand, "ls");
    assert.equal(ls.code, 0, ls.err);
    const lines = ls.out.trimEnd().split("\n");
    assert.match(lines[0]!, /^ID\s+TASK\s+SCHEDULE\s+NEXT RUN\s+STATUS\s+LAST\s+RUNS$/);
    assert.equal(lines.length, 6);
    assert.match(
      ls.out,
      /^heartbeat\s+echo\s+every 30 seconds\s+2026-03-02 00:00:30Z \(in 30s\)\s+scheduled\s+-\s+0$/m,
    );
    const json = await cli(jobsCommand, "ls", "--task", "greet", "--json");
    assert.deepEqual(
      (JSON.parse(json.out) as { items: Array<{ id: string }> }).items.map((j) => j.id),
      ["report"],
    );
    const page = await cli(jobsCommand, "ls", "--limit", "2");
    assert.match(page.out, /More: add --cursor \S+ \(or --all\)\n$/);
    const all = await cli(jobsCommand, "ls", "--limit", "2", "--all", "--json");
    assert.equal((JSON.parse(all.out) as { items: unknown[] }).items.length, 5);
  });

  it("shows a job, pauses, resumes, runs it now and removes it", async () => {
    const show = await cli(jobsCommand, "show", "report", "--next", "2");
    assert.equal(show.code, 0, show.err);
    assert.match(show.out, /^ID:\s+report$/m);
    assert.match(show.out, /^Schedule:\s+at 09:00, Europe\/Berlin$/m);
    assert.match(show.out, /^Arguments:\s+\["team"\]$/m);
    assert.match(
      show.out,
      /^Policies:\s+overlap queue, catch-up latest, misfire grace none, retry 3x, timeout 5m, group default$/m,
    );
    assert.match(
      show.out,
      /Next run times:\n {2}2026-03-02 08:00:00Z \(in 8h\)\n {2}2026-03-03 08:00:00Z \(in 1d 8h\)\n$/,
    );
    assert.match(
      (await cli(jobsCommand, "pause", "report")).out,
      /^Paused job report: paused, next run -\.\n$/,
    );
    assert.match(
      (await cli(jobsCommand, "resume", "report")).out,
      /^Resumed job report: scheduled, next run 2026-03-02 08:00:00Z/,
    );
    const started = await cli(jobsCommand, "run", "heartbeat");
    assert.equal(
      started.out,
      "Started run heartbeat@2026-03-02T00:00:00.000Z. Follow it with: cronq runs heartbeat\n",
    );
    assert.equal((await cli(jobsCommand, "rm", "warmup")).out, "Removed job warmup.\n");
    const gone = await cli(jobsCommand, "show", "warmup");
    assert.equal(gone.code, 1);
    assert.equal(gone.err, "cronq: No job with ID warmup exists.\n");
  });

  it("lists runs, newest first, for every job or one, and shows one run", async () => {
    await scheduler.start();
    await clock.advance(90_000);
    const runs = await cli(runsCommand, "heartbeat", "--limit", "3");
    assert.equal(runs.code, 0, runs.err);
    const lines = runs.out.trimEnd().split("\n");
    assert.match(lines[0]!, /^SCHEDULED\s+STATUS\s+ORIGIN\s+DURATION\s+ATTEMPTS\s+ERROR$/);
    assert.match(lines[1]!, /^2026-03-02 00:01:30Z \(now\)\s+succeeded\s+schedule\s+0ms\s+1\/1\s+-$/);
    assert.equal(lines.length, 5, "a header, 3 runs and the cursor line");
    const all = await cli(runsCommand, "--status", "succeeded", "--json");
    const page = JSON.parse(all.out) as { items: Array<{ jobId: string; status: string }> };
    assert.ok(page.items.length >= 4);
    assert.ok(page.items.every((r) => r.status === "succeeded"));
    const show = await cli(runsCommand, "show", "heartbeat@2026-03-02T00:00:30.000Z");
    assert.match(show.out, /^Run:\s+heartbeat@2026-03-02T00:00:30.000Z$/m);
    assert.match(show.out, /^Attempts:\n#\s+STARTED/m);
    const unknown = await cli(runsCommand, "ghost");
    assert.equal(unknown.code, 1);
    assert.equal(unknown.err, "cronq: No job with ID ghost exists.\n");
  });

  it("lists tasks and shows the scheduler's status", async () => {
    const tasks = await cli(tasksCommand);
    assert.match(tasks.out, /^NAME\s+DESCRIPTION\s+ARGUMENTS$/m);
    assert.match(tasks.out, /^greet\s+Greets someone\.\s+\{"type":"array"/m);
    const status = await cli(statusCommand);
    assert.equal(status.code, 0, status.err);
    assert.match(status.out, /^Scheduler:\s+\S+: running$/m);
    assert.match(status.out, /^Jobs:\s+4: 4 scheduled$/m);
    assert.match(status.out, /^Runs, 24 h:\s+\d+: \d+ succeeded$/m);
    assert.match(
      status.out,
      /^Next:\nWHEN\s+JOB\s+TASK\n2026-03-02 00:02:00Z \(in 30s\)\s+heartbeat\s+echo$/m,
    );
    const json = JSON.parse((await cli(statusCommand, "--json")).out) as { scheduler: { state: string } };
    assert.equal(json.scheduler.state, "running");
  });

  it("says what to do without a token, with a read-only token, and without a server", async () => {
    const noToken = await runCli(jobsCommand, ["ls"], { CRONQ_URL: server.url }, T0);
    assert.equal(noToken.code, 1);
    assert.match(noToken.err, /Set CRONQ_API_TOKEN to the server's token\.\n$/);
    const readOnly = await runCli(
      jobsCommand,
      ["rm", "report"],
      { CRONQ_URL: server.url, CRONQ_API_TOKEN: READ },
      T0,
    );
    assert.equal(readOnly.code, 1);
    assert.match(readOnly.err, /read-only/);
    const port = await freePort();
    const down = await runCli(
      jobsCommand,
      ["ls", "--url", `http://127.0.0.1:${port}`],
      { CRONQ_API_TOKEN: FULL },
      T0,
    );
    assert.equal(down.code, 1);
    assert.equal(
      down.err,
      `cronq: Could not reach the cronq API at http://127.0.0.1:${port} (connection refused). Is \`cronq start\` running there? Point --url or CRONQ_URL at it, or read a database file directly with --db.\n`,
    );
    assert.throws(() => new ApiClient({ url: "ftp://x" }), ApiError);
  });

  it("exits non-zero with the message as a real process", async () => {
    const fixture = new URL("./fixtures/cli.ts", import.meta.url).pathname;
    const child = spawn(process.execPath, ["--import", "tsx", fixture, "jobs", "show", "ghost"], {
      env: { ...process.env, CRONQ_URL: server.url, CRONQ_API_TOKEN: FULL },
    });
    let err = "";
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(code, 1);
    assert.equal(err, "cronq: No job with ID ghost exists.\n");
  });
});

describe("help", () => {
  it("shows examples for each command", async () => {
    for (const [factory, args] of [
      [jobsCommand, ["--help"]],
      [jobsCommand, ["add", "--help"]],
      [runsCommand, ["--help"]],
      [tasksCommand, ["--help"]],
      [statusCommand, ["--help"]],
    ] as const) {
      const res = await runCli(factory, [...args], {}, T0);
      assert.match(res.out, /Examples:\n {2}\$ cronq /, args.join(" "));
    }
  });
});

describe("--db: reading an embedded install's SQLite file without a server", () => {
  const dir = mkdtempSync(join(tmpdir(), "cronq-cli-"));
  const path = join(dir, "cronq.db");

  before(async () => {
    const { SqliteStore } = await import("../../src/stores/sqlite/index.js");
    const clock = new FakeClock(T0);
    const store = new SqliteStore({ path });
    const scheduler = new Scheduler({ clock, store, timezone: "UTC", tasks: testTasks() });
    await scheduler.addJob("tick", "echo", { interval: 10 });
    await scheduler.addJob("broken", "fail", { cron: "* * * * *" });
    await scheduler.start();
    await clock.advance(60_000);
    await scheduler.stop();
    await store.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("lists (cronq jobs, cronq jobs ls) and shows jobs, and lists a job's runs, from the file", async () => {
    const ls = await runCli(jobsCommand, ["ls", "--db", path], {}, T0 + 60_000);
    assert.equal(ls.code, 0, ls.err);
    assert.match(
      ls.out,
      /^broken\s+fail\s+every minute, UTC\s+2026-03-02 00:02:00Z \(in 1m\)\s+scheduled\s+failed\s+2$/m,
    );
    assert.match(
      ls.out,
      /^tick\s+echo\s+every 10 seconds\s+2026-03-02 00:01:10Z \(in 10s\)\s+scheduled\s+succeeded\s+6$/m,
    );
    // `cronq jobs` alone lists, as the issue's `cronq jobs` does, with ls's options.
    const bare = await runCli(jobsCommand, ["--db", path, "--json"], {}, T0 + 60_000);
    assert.equal(bare.code, 0, bare.err);
    assert.deepEqual(
      (JSON.parse(bare.out) as { items: Array<{ id: string }> }).items.map((job) => job.id),
      ["broken", "tick"],
    );
    const show = await runCli(jobsCommand, ["show", "tick", "--db", path, "--json"], {}, T0);
    assert.equal((JSON.parse(show.out) as { nextRunTimes: string[] }).nextRunTimes.length, 5);
    const runs = await runCli(runsCommand, ["broken", "--db", path], {}, T0 + 60_000);
    assert.match(runs.out, /^2026-03-02 00:01:00Z \(now\)\s+failed\s+schedule\s+\S+\s+1\/1\s+Error: boom$/m);
    const missing = await runCli(jobsCommand, ["ls", "--db", join(dir, "typo.db")], {}, T0);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /No database file at .*typo\.db/);
  });
});

/** A port nothing listens on: one the system just gave out and took back. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
