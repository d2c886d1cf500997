/**
 * The dashboard's pure parts under Node: text for times and durations, routes, the job form's
 * request bodies and error placement, and two guards: the event names it listens to are the
 * server's, and no source file builds markup from strings.
 */
import assert from "node:assert/strict";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { STREAMED_EVENT_NAMES } from "../../src/server/schemas/events.js";
import {
  JOB_STATUSES as SERVER_JOB_STATUSES,
  RUN_STATUSES as SERVER_RUN_STATUSES,
} from "../../src/server/schemas/enums.js";
import {
  argsTemplate,
  buildBody,
  buildTrigger,
  emptyValues,
  errorsFromApi,
  fieldForPath,
  parseArgs,
  valuesFromJob,
  type FormValues,
} from "../../src/dashboard/form-model.js";
import {
  durationInput,
  errorLine,
  formatDateTime,
  formatDuration,
  formatElapsed,
  formatRelative,
  truncate,
} from "../../src/dashboard/format.js";
import { href, parseRoute } from "../../src/dashboard/routes.js";
import { EVENT_NAMES, JOB_STATUSES, RUN_STATUSES, type Job } from "../../src/dashboard/types.js";
import { ROOT } from "./harness.js";

describe("dashboard text", () => {
  it("writes durations with at most two units", () => {
    assert.equal(formatDuration(null), "—");
    assert.equal(formatDuration(0.5), "0.5 ms");
    assert.equal(formatDuration(850), "850 ms");
    assert.equal(formatDuration(1234), "1.2 s");
    assert.equal(formatDuration(45_000), "45 s");
    assert.equal(formatDuration(185_000), "3 min 5 s");
    assert.equal(formatDuration(2 * 3_600_000 + 10 * 60_000 + 5000), "2 h 10 min");
    assert.equal(formatDuration(2 * 3_600_000 + 5000), "2 h");
    assert.equal(formatDuration(3 * 86_400_000 + 4 * 3_600_000), "3 d 4 h");
  });

  it("counts down and up in whole seconds", () => {
    const now = Date.parse("2026-03-02T09:00:00Z");
    assert.equal(formatRelative(now + 400, now), "now");
    assert.equal(formatRelative(now + 3_900, now), "in 3 s");
    assert.equal(formatRelative(now - 250_000, now), "4 min 10 s ago");
    assert.equal(formatElapsed(now - 12_500, now), "12 s");
    assert.equal(formatElapsed(now + 5000, now), "0 s");
  });

  it("writes instants the same way on every locale", () => {
    assert.equal(formatDateTime("2026-03-02T09:05:07.123Z", "UTC"), "2026-03-02 09:05:07");
    assert.equal(formatDateTime("2026-07-01T00:00:00Z", "Europe/Berlin"), "2026-07-01 02:00:00");
    assert.equal(formatDateTime(null), "—");
  });

  it("turns milliseconds back into durations the API accepts", () => {
    assert.equal(durationInput(0), "0s");
    assert.equal(durationInput(500), "500ms");
    assert.equal(durationInput(5400_000), "1h30m");
    assert.equal(durationInput(86_400_000 + 1000), "1d1s");
  });

  it("writes errors on one line and shortens long text", () => {
    assert.equal(errorLine({ name: "Error", message: "boom" }), "boom");
    assert.equal(errorLine({ name: "TypeError", message: "x", code: "E_X" }), "TypeError: x (E_X)");
    assert.equal(truncate("abcdef", 4), "abc…");
  });
});

describe("dashboard routes", () => {
  it("round-trips ids that hold slashes, hashes, question marks and markup", () => {
    for (const id of ["a/b", "x#y?z=1", "with space", "new", "<img src=x onerror=alert(1)>", "ü@2026"]) {
      assert.deepEqual(parseRoute(href({ name: "job", id })), { name: "job", id });
      assert.deepEqual(parseRoute(href({ name: "edit", id })), { name: "edit", id });
      assert.deepEqual(parseRoute(href({ name: "run", id })), { name: "run", id });
    }
  });

  it("keeps the jobs filters in the query", () => {
    const route = { name: "jobs", status: "paused", task: "send report", search: "a&b" } as const;
    assert.deepEqual(parseRoute(href(route)), route);
    assert.deepEqual(parseRoute("#/jobs"), { name: "jobs", status: null, task: null, search: null });
  });

  it("knows its pages and nothing else", () => {
    assert.deepEqual(parseRoute(""), { name: "home" });
    assert.deepEqual(parseRoute("#/"), { name: "home" });
    assert.deepEqual(parseRoute("#/new"), { name: "new" });
    assert.deepEqual(parseRoute("#/workers"), { name: "workers" });
    assert.equal(parseRoute("#/job/%E0%A4%A").name, "not-found");
    assert.equal(parseRoute("#/job/a/b/c").name, "not-found");
    assert.equal(parseRoute("#/nope").name, "not-found");
  });
});

const values = (patch: Partial<FormValues>): FormValues => ({
  ...emptyValues("UTC"),
  task: "echo",
  id: "j",
  ...patch,
});

describe("dashboard job form", () => {
  it("builds each kind of trigger", () => {
    assert.deepEqual(buildTrigger(values({ mode: "interval", interval: " 30s " })), {
      kind: "ok",
      trigger: { interval: "30s" },
    });
    assert.deepEqual(
      buildTrigger(values({ mode: "cron", cron: "0 9 * * *", cronTimezone: "Europe/Berlin" })),
      {
        kind: "ok",
        trigger: { cron: "0 9 * * *", timezone: "Europe/Berlin" },
      },
    );
    assert.deepEqual(buildTrigger(values({ mode: "date", at: "2026-12-01T09:00", atTimezone: "" })), {
      kind: "ok",
      trigger: { at: "2026-12-01T09:00" },
    });
    assert.deepEqual(buildTrigger(values({ mode: "start-in", startIn: "30m" })), {
      kind: "ok",
      trigger: { startIn: "30m" },
    });
    assert.deepEqual(buildTrigger(values({ mode: "start-in", startIn: "10s", frequency: "1m" })), {
      kind: "ok",
      trigger: { startIn: "10s", interval: "1m" },
    });
    assert.deepEqual(
      buildTrigger(values({ mode: "spec", spec: '{"kind":"cron","version":1,"expression":"@daily"}' })),
      {
        kind: "ok",
        trigger: { spec: { kind: "cron", version: 1, expression: "@daily" } },
      },
    );
    assert.equal(buildTrigger(values({ mode: "cron", cron: " " })).kind, "incomplete");
    const bad = buildTrigger(values({ mode: "spec", spec: "{" }));
    assert.equal(bad.kind, "invalid");
    assert.equal(bad.kind === "invalid" && bad.error.field, "spec");
  });

  it("sends only the policies filled in, and every policy when they are", () => {
    const minimal = buildBody(values({ interval: "1s" }), "create");
    assert.deepEqual(minimal, {
      ok: true,
      body: { id: "j", task: "echo", trigger: { interval: "1s" }, args: [] },
    });

    const full = buildBody(
      values({
        interval: "1s",
        args: '["a", 1]',
        description: "d",
        overlap: "queue",
        maxQueued: "5",
        neverLate: true,
        catchUp: "all",
        catchUpLimit: "7",
        retryAttempts: "3",
        retryBackoff: "fixed",
        retryDelay: "2s",
        retryJitter: "no",
        timeout: "1m",
        jitter: "500ms",
        group: "g",
        paused: true,
      }),
      "create",
    );
    assert.deepEqual(full, {
      ok: true,
      body: {
        id: "j",
        task: "echo",
        trigger: { interval: "1s" },
        args: ["a", 1],
        description: "d",
        paused: true,
        overlap: "queue",
        maxQueued: 5,
        misfireGrace: null,
        catchUp: "all",
        catchUpLimit: 7,
        retry: { attempts: 3, backoff: "fixed", delay: "2s", jitter: false },
        timeout: "1m",
        jitter: "500ms",
        group: "g",
      },
    });
  });

  it("reports what cannot be sent at its field", () => {
    const result = buildBody(values({ task: "", id: " ", args: "[1,", interval: "" }), "create");
    assert.equal(result.ok, false);
    assert.deepEqual(!result.ok && result.errors.map((e) => e.field).sort(), [
      "args",
      "id",
      "interval",
      "task",
    ]);
    assert.deepEqual(parseArgs('{"a":1}').ok, false);
    assert.deepEqual(parseArgs(""), { ok: true, args: [] });
  });

  it("edits a job without losing anything the form cannot show", () => {
    const job = {
      id: "j",
      taskName: "echo",
      args: ["x"],
      description: null,
      trigger: {
        kind: "interval",
        version: 1,
        everyMs: 90_000,
        anchorAt: "2026-03-02T00:00:00.000Z",
        startAt: "2026-03-02T00:00:00.000Z",
      },
      status: "paused",
      paused: true,
      policy: {
        overlap: "allow",
        maxConcurrent: null,
        maxQueued: 10,
        misfireGraceMs: null,
        catchUp: "latest",
        catchUpLimit: 100,
        retry: { attempts: 2, backoff: "exponential", delayMs: 1000, maxDelayMs: 3_600_000, jitter: true },
        timeoutMs: 30_000,
        jitterMs: 0,
        group: "default",
      },
    } as unknown as Job;
    const v = valuesFromJob(job, "UTC");
    assert.equal(v.mode, "interval");
    assert.equal(v.interval, "1m30s");
    const built = buildBody(v, "edit");
    assert.ok(built.ok);
    assert.deepEqual(built.body, {
      task: "echo",
      trigger: { interval: "1m30s" },
      args: ["x"],
      paused: true,
      overlap: "allow",
      maxQueued: 10,
      misfireGrace: null,
      catchUp: "latest",
      catchUpLimit: 100,
      retry: { attempts: 2, backoff: "exponential", delay: "1s", maxDelay: "1h", jitter: true },
      timeout: "30s",
      group: "default",
    });

    const bounded = {
      ...job,
      trigger: {
        kind: "cron",
        version: 1,
        expression: "0 9 * * *",
        timezone: "UTC",
        endAt: "2027-01-01T00:00:00.000Z",
      },
    } as unknown as Job;
    const kept = valuesFromJob(bounded, "UTC");
    assert.equal(kept.mode, "spec");
    assert.deepEqual(JSON.parse(kept.spec), bounded.trigger);
    const date = {
      ...job,
      trigger: { kind: "date", version: 1, at: "2026-12-01T08:00:00.000Z" },
    } as unknown as Job;
    assert.deepEqual(
      [valuesFromJob(date, "Europe/Berlin").at, valuesFromJob(date, "Europe/Berlin").atTimezone],
      ["2026-12-01T08:00:00", "UTC"],
    );
  });

  it("puts each error the API reports at the field it is about", () => {
    assert.equal(fieldForPath("trigger.cron", "cron"), "cron");
    assert.equal(fieldForPath("trigger.timezone", "cron"), "cronTimezone");
    assert.equal(fieldForPath("trigger.timezone", "date"), "atTimezone");
    assert.equal(fieldForPath("trigger.interval", "start-in"), "frequency");
    assert.equal(fieldForPath("trigger.interval", "interval"), "interval");
    assert.equal(fieldForPath("trigger.spec.expression", "spec"), "spec");
    assert.equal(fieldForPath("trigger", "cron"), "trigger");
    assert.equal(fieldForPath("args[0].name", "cron"), "args");
    assert.equal(fieldForPath("retry.attempts", "cron"), "retryAttempts");
    assert.equal(fieldForPath("retry", "cron"), "retryAttempts");
    assert.equal(fieldForPath("somewhere", "cron"), "form");

    const one = {
      code: "INVALID_TRIGGER",
      message: 'Expected the minute field (1st) to be 0-59, got "61"',
      details: [{ path: "trigger.cron", expected: "0-59", received: '"61"' }],
    };
    assert.deepEqual(errorsFromApi(one, "cron"), [{ field: "cron", message: one.message }]);
    const two = {
      code: "INVALID_ARGUMENT",
      message: "Expected `id` ... (and 1 more problem)",
      details: [
        { path: "id", expected: "a string of at least 1 character", received: '"" (string)' },
        { path: "overlap", expected: 'one of "skip"', received: '"zz" (string)' },
      ],
    };
    assert.deepEqual(errorsFromApi(two, "cron"), [
      { field: "id", message: 'Expected a string of at least 1 character, got "" (string).' },
      { field: "overlap", message: 'Expected one of "skip", got "zz" (string).' },
    ]);
    assert.deepEqual(
      errorsFromApi({ code: "DUPLICATE_JOB", message: "Job ID j already exists.", details: [] }, "cron"),
      [{ field: "id", message: "Job ID j already exists." }],
    );
  });

  it("starts the arguments from the task's schema", () => {
    assert.equal(
      argsTemplate({ type: "array", prefixItems: [{ type: "string" }, { type: "integer" }, {}] }),
      '["",0,null]',
    );
    assert.equal(argsTemplate({ type: "array" }), null);
    assert.equal(argsTemplate(null), null);
  });
});

describe("dashboard guards", () => {
  it("listens to every event the server streams, and knows every status", () => {
    assert.deepEqual([...EVENT_NAMES].sort(), ["hello", "reset", ...STREAMED_EVENT_NAMES].sort());
    assert.deepEqual([...JOB_STATUSES].sort(), [...SERVER_JOB_STATUSES].sort());
    assert.deepEqual([...RUN_STATUSES].sort(), [...SERVER_RUN_STATUSES].sort());
  });

  it("builds no markup from strings, and has no inline script or style", async () => {
    const dir = join(ROOT, "src", "dashboard");
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith(".ts"));
    assert.ok(files.length > 5);
    const forbidden =
      /\.(?:inner|outer)HTML\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(|DOMParser|createContextualFragment/;
    for (const file of files) {
      const text = await readFile(join(dir, file), "utf8");
      assert.doesNotMatch(text, forbidden, file);
    }
    const html = await readFile(join(dir, "index.html"), "utf8");
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, "an inline script");
    assert.doesNotMatch(html, /<style|\sstyle=/, "an inline style");
  });
});
