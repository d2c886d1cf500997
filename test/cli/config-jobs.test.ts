import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { pino } from "pino";
import { ensureConfigJobs } from "../../src/cli/config-jobs.js";
import { type CronqConfig, loadConfig } from "../../src/config.js";
import { FakeClock } from "../../src/core/clock/fake-clock.js";
import { InvalidOptionError, TaskNotFoundError } from "../../src/core/errors.js";
import { Scheduler } from "../../src/core/scheduler/scheduler.js";
import { defineTask } from "../../src/core/tasks.js";

const T0 = Date.parse("2026-03-02T00:00:00.000Z");

describe("the config's jobs", () => {
  const dir = mkdtempSync(join(tmpdir(), "cronq-config-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses a config that declares a job id twice, naming both places", async () => {
    const file = join(dir, "twice.config.mjs");
    writeFileSync(
      file,
      `export default { jobs: [{ id: "a", task: "t", interval: 1 }, { id: "b", task: "t", interval: 1 }, { id: "a", task: "t", interval: 2 }] };\n`,
    );
    await assert.rejects(
      loadConfig(file),
      (e: unknown) =>
        e instanceof InvalidOptionError &&
        e.field === "jobs[2].id" &&
        e.message === `Job ID a is declared twice in ${file}: jobs[0] and jobs[2]. Give each job its own id.`,
    );
  });

  it("declares nothing when one job is bad, and the error names the file, the job and the problem", async () => {
    const tasks = [defineTask("t", () => undefined)];
    const scheduler = new Scheduler({ clock: new FakeClock(T0), timezone: "UTC", tasks });
    await scheduler.addJob("kept", "t", { interval: 60 });
    const before = JSON.stringify((await scheduler.listJobs()).items);
    const config: CronqConfig = {
      tasks,
      jobs: [
        { id: "kept", task: "t", interval: 30 },
        { id: "new", task: "t", interval: 10 },
        { id: "typo", task: "tt", interval: 10 },
      ],
    };
    await assert.rejects(
      ensureConfigJobs(scheduler, config, "cronq.config.ts", pino({ enabled: false })),
      (e: unknown) =>
        e instanceof TaskNotFoundError &&
        e.message.startsWith('cronq.config.ts, jobs[2] (typo): No task named "tt"'),
    );
    assert.equal(JSON.stringify((await scheduler.listJobs()).items), before);
    const invalid = { ...config, jobs: [{ id: "x", task: "t", interval: -1 }] };
    await assert.rejects(
      ensureConfigJobs(scheduler, invalid, "cronq.config.ts", pino({ enabled: false })),
      (e: unknown) => e instanceof Error && /^cronq\.config\.ts, jobs\[0\] \(x\): .*interval/.test(e.message),
    );
    assert.equal(JSON.stringify((await scheduler.listJobs()).items), before);
  });

  it("adds the new jobs and brings the existing ones in line, saying which", async () => {
    const tasks = [defineTask("t", () => undefined)];
    const scheduler = new Scheduler({ clock: new FakeClock(T0), timezone: "UTC", tasks });
    await scheduler.addJob("kept", "t", { interval: 60 });
    await scheduler.addJob("same", "t", { interval: 5 });
    const lines: string[] = [];
    const logger = pino(
      { level: "info" },
      { write: (line: string) => void lines.push((JSON.parse(line) as { msg: string }).msg) },
    );
    await ensureConfigJobs(
      scheduler,
      {
        tasks,
        jobs: [
          { id: "kept", task: "t", interval: 30 },
          { id: "same", task: "t", interval: 5 },
          { id: "new", task: "t", cron: "0 9 * * *" },
        ],
      },
      "cronq.config.ts",
      logger,
    );
    assert.deepEqual(lines, [
      "job updated from cronq.config.ts: kept",
      "job added from cronq.config.ts: new",
    ]);
    assert.equal((await scheduler.getJob("kept"))?.schedule, "every 30 seconds");
    assert.deepEqual(
      (await scheduler.listJobs()).items.map((job) => job.id),
      ["kept", "new", "same"],
    );
  });
});
