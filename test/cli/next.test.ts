/** `cronq next`: the function behind the command, and the command itself in a child process. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { EXIT_USAGE, runNext, type NextOptions } from "../../src/cli/commands/next.js";

function run(expression: string | undefined, options: NextOptions, now = Date.parse("2026-03-27T12:00:00Z")) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = runNext(expression, options, {
    now,
    localZone: "UTC",
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
  });
  return { code, stdout, stderr };
}

describe("cronq next", () => {
  it("prints the expression in words, then 5 fire times with the zone's offset", () => {
    const { code, stdout, stderr } = run("0 9 * * MON-FRI", { tz: "Europe/Berlin" });
    assert.equal(code, 0);
    assert.deepEqual(stderr, []);
    // Berlin switches to CEST on Sunday 2026-03-29.
    assert.deepEqual(stdout, [
      "at 09:00, Monday through Friday, Europe/Berlin",
      "2026-03-30T09:00:00+02:00",
      "2026-03-31T09:00:00+02:00",
      "2026-04-01T09:00:00+02:00",
      "2026-04-02T09:00:00+02:00",
      "2026-04-03T09:00:00+02:00",
    ]);
  });

  it("starts after --after, reading it in --tz when it has no offset, and prints --count times", () => {
    const { stdout } = run("*/10 * * * * *", {
      tz: "Asia/Kolkata",
      after: "2026-01-01T00:00:05",
      count: "3",
    });
    assert.deepEqual(stdout.slice(1), [
      "2026-01-01T00:00:10+05:30",
      "2026-01-01T00:00:20+05:30",
      "2026-01-01T00:00:30+05:30",
    ]);
  });

  it("prints only a JSON array with --json", () => {
    const { stdout } = run("@daily", { json: true, count: "2", after: "2026-01-01T12:00:00Z" });
    assert.deepEqual(stdout, ['["2026-01-02T00:00:00+00:00","2026-01-03T00:00:00+00:00"]']);
  });

  it("uses the system's zone without --tz", () => {
    const { stdout } = run("0 12 * * *", { count: "1", after: "2026-07-01T00:00:00Z" });
    assert.deepEqual(stdout, ["at 12:00, UTC", "2026-07-01T12:00:00+00:00"]);
  });

  it("previews an interval with --every: first at after + interval", () => {
    const { stdout } = run(undefined, { every: "90m", after: "2026-01-01T00:00:00Z", count: "3" });
    assert.deepEqual(stdout, [
      "every 1 hour 30 minutes",
      "2026-01-01T01:30:00+00:00",
      "2026-01-01T03:00:00+00:00",
      "2026-01-01T04:30:00+00:00",
    ]);
  });

  it("shows the DST policy: a 02:30 job on New York's spring-forward day fires at 03:00", () => {
    const { stdout } = run("30 2 * * *", {
      tz: "America/New_York",
      after: "2026-03-07T12:00:00-05:00",
      count: "2",
    });
    assert.deepEqual(stdout.slice(1), ["2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00"]);
  });

  it("exits with status 2 and a message on stderr for every mistake", () => {
    const cases: Array<[string | undefined, NextOptions, RegExp]> = [
      [
        "60 * * * *",
        {},
        /^cronq next: Expected the minute field \(1st\) to be 0-59, got "60" in "60 \* \* \* \*"$/,
      ],
      ["@reboot", {}, /@reboot is not supported/],
      ["* * * * *", { tz: "Mars/Base" }, /Expected `--tz` to be an IANA timezone/],
      ["* * * * *", { after: "soon" }, /Expected `--after` to be/],
      ["* * * * *", { count: "0" }, /Expected --count to be a whole number from 1 to 10000, got "0"/],
      ["* * * * *", { count: "many" }, /got "many"/],
      [undefined, { every: "1x" }, /Expected `interval` to be a duration/],
      ["* * * * *", { every: "1m" }, /either a cron expression or --every, not both/],
      [undefined, {}, /Give a cron expression/],
    ];
    for (const [expr, options, message] of cases) {
      const { code, stdout, stderr } = run(expr, options);
      assert.equal(code, EXIT_USAGE, `${expr} ${JSON.stringify(options)}`);
      assert.deepEqual(stdout, []);
      assert.equal(stderr.length, 1);
      assert.match(stderr[0]!, message);
    }
  });

  it("runs as a command: JSON on stdout with status 0, and status 2 with the message on stderr", () => {
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "next", ...args], {
        encoding: "utf8",
      });
    const ok = cli("0 0 1 * *", "--tz", "UTC", "--after", "2026-01-15T00:00:00Z", "--count", "2", "--json");
    assert.equal(ok.status, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), ["2026-02-01T00:00:00+00:00", "2026-03-01T00:00:00+00:00"]);
    const bad = cli("0 0 32 * *");
    assert.equal(bad.status, 2);
    assert.equal(bad.stdout, "");
    assert.match(bad.stderr, /day-of-month field \(3rd\) to be 1-31, got "32"/);
  });
});
