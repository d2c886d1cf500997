import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DuplicateJobError,
  InvalidArgumentError,
  InvalidOptionError,
  InvalidTriggerError,
  JobNotFoundError,
  TaskNotFoundError,
} from "../../../src/core/errors.js";
import { MemoryStore } from "../../../src/core/stores/memory.js";
import type { StoreOpenOptions } from "../../../src/core/stores/store.js";
import { defineTask, jobTaskName, type TaskContext } from "../../../src/core/tasks.js";
import { T0, deferred, harness, history } from "./helpers.js";

describe("Scheduler: the seed's API", () => {
  it("runs job1 every second with its arguments, as the seed's add_job does", async () => {
    const { clock, scheduler } = harness();
    const calls: Array<[string, string]> = [];
    const sampleTask = (message: string, ctx: TaskContext): void => {
      calls.push([message, ctx.runId]);
    };
    await scheduler.addJob("job1", sampleTask, { interval: 1, args: ["Hello, world!"] });
    await scheduler.start();
    await clock.advance(3000);
    assert.deepEqual(calls, [
      ["Hello, world!", "job1@2026-03-02T00:00:01.000Z"],
      ["Hello, world!", "job1@2026-03-02T00:00:02.000Z"],
      ["Hello, world!", "job1@2026-03-02T00:00:03.000Z"],
    ]);
    const job = await scheduler.getJob("job1");
    assert.equal(job?.runCount, 3);
    assert.equal(job?.status, "scheduled");
    assert.equal(job?.type, "periodic");
    assert.equal(job?.lastOutcome, "succeeded");
    assert.equal(job?.nextRunAt?.toISOString(), "2026-03-02T00:00:04.000Z");
    assert.deepEqual(await history(scheduler, "job1"), [
      "00:00:01 succeeded",
      "00:00:02 succeeded",
      "00:00:03 succeeded",
    ]);
    await scheduler.stop();
  });

  it("stops firing a removed job, and says so for an unknown id", async () => {
    const { clock, scheduler } = harness();
    let count = 0;
    await scheduler.addJob("job1", () => void count++, { interval: 1 });
    await scheduler.start();
    await clock.advance(2000);
    await scheduler.removeJob("job1");
    await clock.advance(5000);
    assert.equal(count, 2);
    assert.equal(await scheduler.getJob("job1"), null);
    await assert.rejects(
      scheduler.removeJob("job1"),
      (e: unknown) => e instanceof JobNotFoundError && e.message === "No job with ID job1 exists.",
    );
    await scheduler.stop();
  });

  it("refuses a duplicate id with the seed's message, and replaces on request keeping the history", async () => {
    const { clock, scheduler } = harness();
    const task = defineTask("t", () => undefined);
    await scheduler.addJob("job1", task, { interval: 1 });
    await scheduler.start();
    await clock.advance(1000);
    await assert.rejects(
      scheduler.addJob("job1", task, { interval: 5 }),
      (e: unknown) => e instanceof DuplicateJobError && e.message.startsWith("Job ID job1 already exists."),
    );
    assert.equal((await scheduler.getJob("job1"))?.schedule.includes("second"), true);
    const replaced = await scheduler.addJob("job1", task, { interval: 5, replaceExisting: true });
    assert.equal(replaced.runCount, 1);
    assert.equal(replaced.nextRunAt?.toISOString(), "2026-03-02T00:00:06.000Z");
    await scheduler.stop();
  });

  it("accepts jobs before and after start, and a one-off run after a delay", async () => {
    const { clock, scheduler } = harness();
    const seen: string[] = [];
    await scheduler.addJob("before", () => void seen.push("before"), { startIn: "2s" });
    await scheduler.start();
    await scheduler.addJob("after", () => void seen.push("after"), { startIn: "1s" });
    await clock.advance(3000);
    assert.deepEqual(seen, ["after", "before"]);
    const job = await scheduler.getJob("before");
    assert.equal(job?.type, "one-off");
    assert.equal(job?.status, "completed");
    assert.equal(job?.nextRunAt, null);
    await scheduler.stop();
  });

  it("marks a one-off job whose run failed as failed, with the error", async () => {
    const { clock, scheduler } = harness();
    await scheduler.addJob(
      "once",
      () => {
        throw new Error("disk full");
      },
      { startIn: "1s" },
    );
    await scheduler.start();
    await clock.advance(1000);
    const job = await scheduler.getJob("once");
    assert.equal(job?.status, "failed");
    assert.equal(job?.lastError?.message, "disk full");
    assert.equal(job?.failureCount, 1);
    await scheduler.stop();
  });

  it("fires a cron job in its timezone", async () => {
    const { clock, scheduler } = harness({}, Date.parse("2026-03-02T07:00:00Z"));
    const fired: string[] = [];
    await scheduler.addJob("report", (ctx: TaskContext) => void fired.push(ctx.scheduledAt.toISOString()), {
      cron: "0 9 * * MON-FRI",
      timezone: "Europe/Berlin",
    });
    await scheduler.start();
    await clock.advance("24h");
    assert.deepEqual(fired, ["2026-03-02T08:00:00.000Z"]);
    await scheduler.stop();
  });

  it("pauses and resumes a job; resuming continues from now without replaying the pause", async () => {
    const { clock, scheduler } = harness();
    let count = 0;
    await scheduler.addJob("job1", () => void count++, { interval: 1 });
    await scheduler.start();
    await clock.advance(2000);
    const paused = await scheduler.pauseJob("job1");
    assert.equal(paused.status, "paused");
    assert.equal(paused.nextRunAt, null);
    assert.deepEqual(await scheduler.nextRunTimes("job1", 3), []);
    await clock.advance(5000);
    assert.equal(count, 2);
    const resumed = await scheduler.resumeJob("job1");
    assert.equal(resumed.status, "scheduled");
    assert.equal(resumed.nextRunAt?.toISOString(), "2026-03-02T00:00:08.000Z");
    await clock.advance(1000);
    assert.equal(count, 3);
    assert.equal((await scheduler.listRuns({ jobId: "job1" })).items.length, 3);
    await scheduler.stop();
  });

  it("resumes a one-off job whose time passed during its pause (resumeJob, ensureJob) as a late occurrence: run (catch-up) or missed", async () => {
    const { clock, scheduler } = harness();
    const ran: string[] = [];
    await scheduler.addJob("late", () => void ran.push("late"), { startIn: "10s" });
    await scheduler.addJob("strict", () => void ran.push("strict"), { startIn: "10s", catchUp: "none" });
    await scheduler.addJob("pausedAtAdd", () => void ran.push("pausedAtAdd"), {
      at: new Date(T0 + 20_000),
      paused: true,
    });
    const declared = () => void ran.push("declared");
    await scheduler.ensureJob("declared", declared, { startIn: "10s", paused: true });
    await scheduler.start();
    await scheduler.pauseJob("late");
    await scheduler.pauseJob("strict");
    await clock.advance(60_000);
    assert.deepEqual(ran, []);
    for (const id of ["late", "strict", "pausedAtAdd"]) {
      const resumed = await scheduler.resumeJob(id);
      assert.equal(resumed.nextRunAt?.getTime(), T0 + (id === "pausedAtAdd" ? 20_000 : 10_000));
    }
    const { job } = await scheduler.ensureJob("declared", declared, { startIn: "10s", paused: false });
    assert.equal(job.nextRunAt?.getTime(), T0 + 10_000);
    await clock.advance(1000);
    assert.deepEqual(ran.sort(), ["declared", "late", "pausedAtAdd"]);
    const origin = async (id: string) => (await scheduler.listRuns({ jobId: id })).items.map((r) => r.origin);
    assert.deepEqual(await origin("late"), ["catch-up"]);
    assert.deepEqual(await history(scheduler, "strict"), ["00:00:10 missed/misfire"]);
    assert.equal((await scheduler.getJob("strict"))?.status, "completed");
    assert.equal((await scheduler.getJob("strict"))?.missedCount, 1);
    await scheduler.stop();
  });

  it("changes nothing when resuming a job that is not paused, late occurrences included", async () => {
    const { clock, scheduler } = harness();
    await scheduler.addJob("job1", () => undefined, { interval: 10 });
    // Not started: the occurrences at 10 s and 20 s are due, for the catch-up policy to decide.
    await clock.advance(25_000);
    const before = await scheduler.getJob("job1");
    const resumed = await scheduler.resumeJob("job1");
    assert.equal(resumed.version, before?.version);
    assert.equal(resumed.nextRunAt?.getTime(), T0 + 10_000);
    await scheduler.start();
    await clock.flush();
    assert.deepEqual(await history(scheduler, "job1"), ["00:00:10 missed/catch-up", "00:00:20 succeeded"]);
    await scheduler.stop();
  });

  it("modifies a job's arguments and policies, and reschedules its trigger", async () => {
    const { clock, scheduler } = harness();
    const seen: string[] = [];
    await scheduler.addJob("job1", (word: string) => void seen.push(word), { interval: 1, args: ["a"] });
    await scheduler.start();
    await clock.advance(1000);
    const modified = await scheduler.modifyJob("job1", { args: ["b"], retry: 3, description: "greets" });
    assert.equal(modified.policy.retry.attempts, 3);
    assert.equal(modified.description, "greets");
    await clock.advance(1000);
    const rescheduled = await scheduler.rescheduleJob("job1", { interval: "10s" });
    assert.equal(rescheduled.nextRunAt?.toISOString(), "2026-03-02T00:00:12.000Z");
    await clock.advance(10_000);
    assert.deepEqual(seen, ["a", "b", "b"]);
    assert.deepEqual(await scheduler.nextRunTimes("job1", 2), [new Date(T0 + 22_000), new Date(T0 + 32_000)]);
    await scheduler.stop();
  });

  it("runs a job now, outside its schedule, as a manual run", async () => {
    const { clock, scheduler } = harness();
    let count = 0;
    await scheduler.addJob("job1", () => void count++, { cron: "0 0 1 1 *" });
    await scheduler.start();
    await clock.advance(500);
    const run = await scheduler.runJobNow("job1");
    assert.equal(run.origin, "manual");
    assert.equal(run.id, "job1@2026-03-02T00:00:00.500Z");
    await clock.flush();
    assert.equal(count, 1);
    assert.equal((await scheduler.getRun(run.id))?.status, "succeeded");
    await assert.rejects(scheduler.runJobNow("nope"), JobNotFoundError);
    await scheduler.stop();
  });

  it("starts manual runs asked for in the same millisecond at once, each with an id of its own", async () => {
    const { clock, scheduler } = harness();
    let count = 0;
    await scheduler.addJob("job1", () => void count++, { cron: "0 0 1 1 *" });
    await scheduler.start();
    await clock.advance(500);
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await scheduler.runJobNow("job1"));
    assert.deepEqual(
      runs.map((run) => run.id),
      ["00.500", "00.501", "00.502"].map((ms) => `job1@2026-03-02T00:00:${ms}Z`),
    );
    // Due and fired now: the millisecond taken for the id is no delay.
    for (const run of runs) {
      assert.equal(run.dueAt.getTime(), T0 + 500);
      assert.equal(run.firedAt.getTime(), T0 + 500);
    }
    await clock.flush();
    assert.equal(clock.now(), T0 + 500);
    assert.equal(count, 3);
    for (const run of runs) assert.equal((await scheduler.getRun(run.id))?.status, "succeeded");
    await scheduler.stop();
  });

  it("lists jobs with filters and pagination, and counts them by status", async () => {
    const { scheduler } = harness();
    const task = defineTask("t", () => undefined);
    for (const id of ["b", "a", "c"]) await scheduler.addJob(id, task, { interval: 60, paused: id === "c" });
    const page = await scheduler.listJobs({ limit: 2 });
    assert.deepEqual(
      page.items.map((j) => j.id),
      ["a", "b"],
    );
    const rest = await scheduler.listJobs({ limit: 2, cursor: page.nextCursor! });
    assert.deepEqual(
      rest.items.map((j) => j.id),
      ["c"],
    );
    assert.deepEqual(
      (await scheduler.listJobs({ status: ["paused"] })).items.map((j) => j.id),
      ["c"],
    );
    assert.deepEqual(await scheduler.countJobs(), {
      scheduled: 2,
      running: 0,
      paused: 1,
      completed: 0,
      failed: 0,
    });
  });
});

describe("Scheduler: bad input changes nothing", () => {
  const cases: Array<
    [string, (s: ReturnType<typeof harness>["scheduler"]) => Promise<unknown>, (e: unknown) => boolean]
  > = [
    [
      "a task that is not a function",
      (s) => s.addJob("j", 42 as never, { interval: 1 }),
      (e) => e instanceof InvalidArgumentError && e.field === "task",
    ],
    [
      "an unknown task name",
      (s) => s.addJob("j", "nope", { interval: 1 }),
      (e) => e instanceof TaskNotFoundError,
    ],
    [
      "an empty job id",
      (s) => s.addJob("", () => undefined, { interval: 1 }),
      (e) => e instanceof InvalidArgumentError && e.field === "id",
    ],
    [
      "a job id with a newline",
      (s) => s.addJob("a\nb", () => undefined, { interval: 1 }),
      (e) => e instanceof InvalidArgumentError && e.field === "id",
    ],
    [
      "an over-long job id",
      (s) => s.addJob("x".repeat(201), () => undefined, { interval: 1 }),
      (e) => e instanceof InvalidArgumentError,
    ],
    [
      "an unknown option",
      (s) => s.addJob("j", () => undefined, { intervall: 1 } as never),
      (e) => e instanceof InvalidOptionError && /intervall/.test(e.message),
    ],
    ["no trigger at all", (s) => s.addJob("j", () => undefined, {}), (e) => e instanceof InvalidTriggerError],
    [
      "an invalid interval",
      (s) => s.addJob("j", () => undefined, { interval: "1x" }),
      (e) => e instanceof InvalidTriggerError && e.field === "interval",
    ],
    [
      "an invalid cron expression",
      (s) => s.addJob("j", () => undefined, { cron: "60 * * * *" }),
      (e) => e instanceof InvalidTriggerError && /minute/.test(e.message),
    ],
    [
      "an unknown timezone",
      (s) => s.addJob("j", () => undefined, { cron: "* * * * *", timezone: "Mars/Olympus" }),
      (e) => e instanceof InvalidTriggerError && e.field === "timezone",
    ],
    [
      "an invalid date",
      (s) => s.addJob("j", () => undefined, { at: "not a date" }),
      (e) => e instanceof InvalidTriggerError && e.field === "at",
    ],
    [
      "args that are not an array",
      (s) => s.addJob("j", () => undefined, { interval: 1, args: "x" as never }),
      (e) => e instanceof InvalidArgumentError && e.field === "args",
    ],
    [
      "args that JSON cannot carry",
      (s) => s.addJob("j", () => undefined, { interval: 1, args: [() => 1] as never }),
      (e) => e instanceof InvalidArgumentError && e.field === "args[0]",
    ],
    [
      "an invalid overlap policy",
      (s) => s.addJob("j", () => undefined, { interval: 1, overlap: "sometimes" as never }),
      (e) => e instanceof InvalidOptionError && e.field === "overlap",
    ],
    [
      "an invalid retry count",
      (s) => s.addJob("j", () => undefined, { interval: 1, retry: 0 }),
      (e) => e instanceof InvalidOptionError && e.field === "retry",
    ],
    [
      "an invalid timeout",
      (s) => s.addJob("j", () => undefined, { interval: 1, timeout: "soon" }),
      (e) => e instanceof InvalidArgumentError && e.field === "timeout",
    ],
    [
      "a trigger change through modifyJob",
      (s) => s.modifyJob("existing", { cron: "* * * * *" } as never),
      (e) => e instanceof InvalidOptionError && /rescheduleJob/.test(e.message),
    ],
    [
      "a modification of an unknown job",
      (s) => s.modifyJob("nope", { args: [] }),
      (e) => e instanceof JobNotFoundError,
    ],
    ["a pause of an unknown job", (s) => s.pauseJob("nope"), (e) => e instanceof JobNotFoundError],
    ["a resume of an unknown job", (s) => s.resumeJob("nope"), (e) => e instanceof JobNotFoundError],
    [
      "a run query with an unknown status",
      (s) => s.listRuns({ status: ["succeeded", "done" as never] }),
      (e) =>
        e instanceof InvalidArgumentError &&
        e.field === "status" &&
        /among pending, .*cancelled, got "done"/.test(e.message),
    ],
    [
      "a run query with a job id that is not a string",
      (s) => s.listRuns({ jobId: 42 as never }),
      (e) => e instanceof InvalidArgumentError && e.field === "jobId",
    ],
    [
      "a run query with a misspelt filter",
      (s) => s.listRuns({ job: "existing" } as never),
      (e) => e instanceof InvalidOptionError && /Unknown option `job`.*listRuns/.test(e.message),
    ],
    [
      "a job query with an unknown status",
      (s) => s.listJobs({ status: ["active" as never] }),
      (e) =>
        e instanceof InvalidArgumentError &&
        e.field === "status" &&
        /missing-task, got "active"/.test(e.message),
    ],
    [
      "a job query with a search that is not a string",
      (s) => s.listJobs({ search: 42 as never }),
      (e) => e instanceof InvalidArgumentError && e.field === "search",
    ],
    [
      "a job query with a misspelt filter",
      (s) => s.listJobs({ task: "t" } as never),
      (e) => e instanceof InvalidOptionError && /Unknown option `task`.*listJobs/.test(e.message),
    ],
    [
      "a cancel of a run id that is not a string",
      (s) => s.cancelRun(42 as never),
      (e) => e instanceof InvalidArgumentError && e.field === "id" && /got 42/.test(e.message),
    ],
    [
      "a cancel of an empty run id",
      (s) => s.cancelRun(""),
      (e) => e instanceof InvalidArgumentError && e.field === "id",
    ],
    [
      "nextRunTimes with a bad count",
      (s) => s.nextRunTimes("existing", 0),
      (e) => e instanceof InvalidArgumentError && e.field === "count",
    ],
  ];
  for (const [what, act, check] of cases) {
    it(`rejects ${what} with a typed error naming the problem`, async () => {
      const { scheduler } = harness();
      await scheduler.addJob(
        "existing",
        defineTask("t", () => undefined),
        { interval: 60, args: [] },
      );
      const before = JSON.stringify((await scheduler.listJobs()).items);
      await assert.rejects(act(scheduler), check);
      assert.equal(JSON.stringify((await scheduler.listJobs()).items), before);
    });
  }

  it("rejects invalid scheduler options", async () => {
    const { Scheduler } = await import("../../../src/core/scheduler/scheduler.js");
    assert.throws(() => new Scheduler({ timezone: "Nowhere/Land" }), InvalidTriggerError);
    assert.throws(() => new Scheduler({ concurrency: 0 }), InvalidOptionError);
    assert.throws(() => new Scheduler({ leaseDuration: "1x" }), InvalidArgumentError);
    assert.throws(() => new Scheduler({ tickets: 1 } as never), /Unknown scheduler option `tickets`/);
    assert.throws(() => new Scheduler({ history: { maxRunsPerJob: -1 } }), InvalidOptionError);
    assert.throws(
      () => new Scheduler({ gcBeforeBurst: "yes" } as never),
      (e) =>
        e instanceof InvalidOptionError &&
        e.field === "gcBeforeBurst" &&
        /true, false or a function/.test(e.message) &&
        /"yes"/.test(e.message),
    );
  });
});

describe("Scheduler: the store's lifecycle", () => {
  it("opens its store before the first job is added, even before start()", async () => {
    const opened: string[] = [];
    class StrictStore extends MemoryStore {
      #open = false;
      override open(options?: StoreOpenOptions): Promise<void> {
        this.#open = true;
        opened.push(`maxRunsPerJob=${options?.retention.maxRunsPerJob}`);
        return super.open(options);
      }
      override insertJob(
        ...args: Parameters<MemoryStore["insertJob"]>
      ): ReturnType<MemoryStore["insertJob"]> {
        if (!this.#open) return Promise.reject(new Error("used before open()"));
        return super.insertJob(...args);
      }
    }
    const { scheduler } = harness({ store: new StrictStore(), history: { maxRunsPerJob: 7 } });
    await scheduler.addJob("j", () => undefined, { interval: 1 });
    await scheduler.start();
    assert.deepEqual(opened, ["maxRunsPerJob=7"]);
    await scheduler.stop();
  });
});

describe("Scheduler: a job's own function (an anonymous one)", () => {
  it("refuses a duplicate id with the seed's message whatever the task, and keeps the first function", async () => {
    const { clock, scheduler } = harness();
    const ran: string[] = [];
    await scheduler.addJob("job1", () => void ran.push("first"), { interval: 1 });
    await scheduler.addJob("named", function report() {}, { interval: 1 });
    const isDuplicate = (id: string) => (e: unknown) =>
      e instanceof DuplicateJobError && e.message.startsWith(`Job ID ${id} already exists.`);
    await assert.rejects(
      scheduler.addJob("job1", () => void ran.push("second"), { interval: 1 }),
      isDuplicate("job1"),
    );
    // Another function of the same name: the id is what is taken.
    await assert.rejects(
      scheduler.addJob("named", function report() {}, { interval: 1 }),
      isDuplicate("named"),
    );
    await scheduler.start();
    await clock.advance(1000);
    assert.deepEqual(ran, ["first"]);
    await scheduler.stop();
  });

  it("runs the new function of a job removed and added again, and the old run's end leaves the new job alone", async () => {
    const { clock, scheduler } = harness();
    const gate = deferred();
    const ran: string[] = [];
    await scheduler.addJob(
      "job1",
      async () => {
        ran.push("old");
        await gate.promise;
      },
      { interval: 1 },
    );
    await scheduler.start();
    await clock.advance(1000);
    await scheduler.removeJob("job1");
    await scheduler.addJob("job1", () => void ran.push("new"), { interval: 10 });
    gate.resolve();
    await clock.flush();
    assert.deepEqual(await history(scheduler, "job1"), []);
    assert.equal((await scheduler.getJob("job1"))?.activeRuns, 0);
    await clock.advance(10_000);
    assert.deepEqual(ran, ["old", "new"]);
    assert.equal((await scheduler.getJob("job1"))?.runCount, 1);
    await scheduler.stop();
  });

  it("runs the new function of a job declared again (ensureJob) or replaced (replaceExisting)", async () => {
    const { clock, scheduler } = harness();
    const ran: string[] = [];
    await scheduler.addJob("job1", () => void ran.push("a"), { interval: 1 });
    await scheduler.start();
    await clock.advance(1000);
    const declared = await scheduler.ensureJob("job1", () => void ran.push("b"), { interval: 1 });
    assert.equal(declared.action, "unchanged");
    await clock.advance(1000);
    await scheduler.addJob("job1", () => void ran.push("c"), { interval: 1, replaceExisting: true });
    await clock.advance(1000);
    assert.deepEqual(ran, ["a", "b", "c"]);
    assert.deepEqual(await history(scheduler, "job1"), [
      "00:00:01 succeeded",
      "00:00:02 succeeded",
      "00:00:03 succeeded",
    ]);
    await scheduler.stop();
  });

  it("gives any valid job id a task name of its own: spaces, letters outside ASCII, long ids alike", async () => {
    const { clock, scheduler } = harness();
    const long = "x".repeat(150);
    const ids = ["nightly report", "rapport été", `${long}1`, `${long}2`, "job1"];
    const ran: string[] = [];
    for (const id of ids) await scheduler.addJob(id, () => void ran.push(id), { interval: 1 });
    const names = await Promise.all(ids.map(async (id) => (await scheduler.getJob(id))!.taskName));
    assert.equal(new Set(names).size, ids.length);
    for (const name of names) assert.match(name, /^job:[A-Za-z0-9_.:/-]{1,124}$/);
    assert.equal(names[4], "job:job1");
    assert.match(names[0]!, /^job:nightly-report:[0-9a-f]{16}$/);
    assert.deepEqual(names, ids.map(jobTaskName));
    await scheduler.start();
    await clock.advance(1000);
    assert.deepEqual(ran.sort(), [...ids].sort());
    await scheduler.stop();
  });

  it("unregisters a job's own function when the job is removed or given another task", async () => {
    const { scheduler } = harness();
    await scheduler.addJob("a", () => undefined, { interval: 1 });
    await scheduler.addJob("b", () => undefined, { interval: 1 });
    assert.equal(scheduler.tasks.has("job:a"), true);
    await scheduler.removeJob("a");
    assert.equal(scheduler.tasks.has("job:a"), false);
    await scheduler.modifyJob("b", { task: defineTask("shared", () => undefined) });
    assert.equal(scheduler.tasks.has("job:b"), false);
    await scheduler.addJob("c", () => undefined, { interval: 1 });
    await scheduler.addJob("c", "shared", { interval: 1, replaceExisting: true });
    assert.equal(scheduler.tasks.has("job:c"), false);
    assert.equal(scheduler.tasks.has("shared"), true);
  });

  it("keeps the job's function when replacing the job fails in the store", async () => {
    class FailingReplace extends MemoryStore {
      override insertJob(
        ...args: Parameters<MemoryStore["insertJob"]>
      ): ReturnType<MemoryStore["insertJob"]> {
        if (args[1].replace) return Promise.reject(new Error("disk full"));
        return super.insertJob(...args);
      }
    }
    const { clock, scheduler } = harness({ store: new FailingReplace() });
    const ran: string[] = [];
    await scheduler.addJob("job1", () => void ran.push("kept"), { interval: 1 });
    await assert.rejects(
      scheduler.addJob("job1", () => void ran.push("new"), { interval: 1, replaceExisting: true }),
      /disk full/,
    );
    await assert.rejects(
      scheduler.addJob("job2", () => undefined, { interval: 1, replaceExisting: true }),
      /disk full/,
    );
    assert.equal(scheduler.tasks.has(jobTaskName("job2")), false);
    await scheduler.start();
    await clock.advance(1000);
    assert.deepEqual(ran, ["kept"]);
    await scheduler.stop();
  });

  it("leaves a task the user registered under a job's own name to the user", async () => {
    const { scheduler } = harness({ tasks: [defineTask("job:a", () => undefined)] });
    await assert.rejects(
      scheduler.addJob("a", () => undefined, { interval: 1 }),
      (e: unknown) => e instanceof Error && e.name === "DuplicateTaskError",
    );
    assert.equal(await scheduler.getJob("a"), null);
  });
});
