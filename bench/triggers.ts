/**
 * `npm run bench:triggers`: ns per next() and per parse for a fixed set of expressions, cronq
 * side by side with croner 11 and cron-parser 5 in the same process, each without a timezone and
 * with Europe/Berlin. A benchmark, not a test: it prints a markdown table and asserts nothing.
 *
 * next() is measured the way the scheduler calls it: from the previous fire time, chained, and
 * restarted from the same instant every 64 fires so that every library stays in the same years.
 * Each figure is the median of ROUNDS rounds; "x" columns are how many times faster cronq is.
 * The table replaces the "Triggers" section of bench/RESULTS.md.
 */
import os from "node:os";
import { Cron } from "croner";
import { CronExpressionParser } from "cron-parser";
import { cronTrigger, intervalTrigger, type Trigger } from "../src/core/triggers/index.js";
import { updateResults } from "./results.js";

// "Without a timezone" means UTC for all three libraries: croner and cron-parser then use the
// process's local time, so make that UTC.
process.env.TZ = "UTC";

const ROUNDS = 7;
const loadAtStart = os.loadavg()[0]!;
const CHAIN = 64;
const START = Date.parse("2026-11-27T10:17:23Z");

const EXPRESSIONS: Array<[label: string, expression: string]> = [
  ["every minute", "* * * * *"],
  ["every 5 minutes", "*/5 * * * *"],
  ["business hours", "0 9-17 * * MON-FRI"],
  ["first of month", "0 0 1 * *"],
  ["last day of month", "0 0 L * *"],
  ["last Friday, noon", "0 12 * * 5L"],
  ["days 1-7 or Monday", "0 0 1-7 * MON"],
  ["every 10 seconds", "*/10 * * * * *"],
  ["@daily", "@daily"],
  ["leap day", "0 0 29 2 *"],
];

let sink = 0;

/** ns per call of `step`, median of ROUNDS rounds of `calls` calls (after a warm-up round). */
function measure(calls: number, setup: () => () => void): number {
  const samples: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const step = setup();
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) step();
    const ns = Number(process.hrtime.bigint() - start) / calls;
    if (round > 0) samples.push(ns);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

function cronqNext(trigger: Trigger, calls: number): number {
  return measure(calls, () => {
    let t = START;
    let n = 0;
    return () => {
      const next = trigger.nextMs(t);
      if (next === null || ++n === CHAIN) {
        t = START;
        n = 0;
      } else {
        t = next;
      }
      sink += t;
    };
  });
}

function cronerNext(expression: string, timezone: string | undefined, calls: number): number {
  const job = new Cron(expression, { paused: true, ...(timezone ? { timezone } : {}) });
  return measure(calls, () => {
    let t = new Date(START);
    let n = 0;
    return () => {
      const next = job.nextRun(t);
      if (next === null || ++n === CHAIN) {
        t = new Date(START);
        n = 0;
      } else {
        t = next;
      }
      sink += t.getTime();
    };
  });
}

function cronParserNext(expression: string, timezone: string | undefined, calls: number): number {
  const start = new Date(START);
  const it = CronExpressionParser.parse(expression, {
    currentDate: start,
    ...(timezone ? { tz: timezone } : {}),
  });
  return measure(calls, () => {
    it.reset(start);
    let n = 0;
    return () => {
      sink += it.next().getTime();
      if (++n === CHAIN) {
        it.reset(start);
        n = 0;
      }
    };
  });
}

function format(ns: number): string {
  return ns >= 10_000 ? `${(ns / 1000).toFixed(1)} µs` : `${Math.round(ns)} ns`;
}
function ratio(theirs: number, ours: number): string {
  return `${(theirs / ours).toFixed(0)}x`;
}

const rows: string[] = [];
const header =
  "| schedule | zone | cronq next | croner next | x | cron-parser next | x | cronq parse | croner parse | cron-parser parse |";
const rule = "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|";
const berlinNext: number[] = [];
const cronerRatios: number[] = [];
const cronerRatiosBerlin: number[] = [];

for (const [label, expression] of EXPRESSIONS) {
  for (const timezone of [undefined, "Europe/Berlin"]) {
    const trigger = cronTrigger(expression, { timezone: timezone ?? "UTC" });
    const ours = cronqNext(trigger, 200_000);
    const croner = cronerNext(expression, timezone, 1_000);
    const cronParser = cronParserNext(expression, timezone, 200);
    const parseOurs = measure(10_000, () => () => {
      sink += cronTrigger(expression, { timezone: timezone ?? "UTC" }).startMs;
    });
    const parseCroner = measure(2_000, () => () => {
      sink +=
        new Cron(expression, { paused: true, ...(timezone ? { timezone } : {}) }).getPattern()?.length ?? 0;
    });
    const parseCronParser = measure(300, () => () => {
      sink += CronExpressionParser.parse(expression, timezone ? { tz: timezone } : {}).hasNext() ? 1 : 0;
    });
    if (timezone) berlinNext.push(ours);
    cronerRatios.push(croner / ours);
    if (timezone) cronerRatiosBerlin.push(croner / ours);
    rows.push(
      `| ${label} \`${expression}\` | ${timezone ?? "none (UTC)"} | ${format(ours)} | ${format(croner)} | ${ratio(croner, ours)} | ` +
        `${format(cronParser)} | ${ratio(cronParser, ours)} | ${format(parseOurs)} | ${format(parseCroner)} | ${format(parseCronParser)} |`,
    );
  }
}

{
  // Intervals count elapsed time: no timezone, and nothing to compare with (croner and cron-parser
  // have no interval trigger).
  const trigger = intervalTrigger("90m", { startAt: START });
  const ours = cronqNext(trigger, 200_000);
  const parse = measure(20_000, () => () => {
    sink += intervalTrigger("90m", { startAt: START }).startMs;
  });
  rows.push(
    `| interval \`90m\` | (elapsed time) | ${format(ours)} | n/a | | n/a | | ${format(parse)} | n/a | n/a |`,
  );
}

// The same business-hours schedule in other kinds of zone: fixed offsets and zones without DST
// must be as fast as UTC, DST zones as fast as Berlin.
const zoneRows: string[] = [];
for (const timezone of [
  "UTC",
  "+05:30",
  "Asia/Kolkata",
  "America/New_York",
  "Australia/Lord_Howe",
  "Europe/Berlin",
]) {
  zoneRows.push(
    `| ${timezone} | ${format(cronqNext(cronTrigger("*/5 9-17 * * MON-FRI", { timezone }), 200_000))} |`,
  );
}

// 100,000 different jobs in Europe/Berlin, asked in turn for their next fire after instants spread
// over a day: no warm cache per trigger, as in a scheduler tick over many jobs.
const JOBS = 100_000;
const jobs: Trigger[] = [];
for (let i = 0; i < JOBS; i++) {
  jobs.push(cronTrigger(`${i % 60} ${i % 24} * * ${i % 7}`, { timezone: "Europe/Berlin" }));
}
const afters = jobs.map((_, i) => START + ((i * 7919) % 86_400) * 1000);
let cursor = 0;
const manyJobs = measure(JOBS, () => () => {
  sink += jobs[cursor]!.nextMs(afters[cursor]!) ?? 0;
  cursor = cursor + 1 === JOBS ? 0 : cursor + 1;
});

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cpus = os.cpus();
const body = `Run: ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus.length} cores (${cpus[0]?.model ?? "unknown CPU"}), ${os.platform()} ${os.arch()}, load average ${loadAtStart.toFixed(1)} at the start and ${os.loadavg()[0]!.toFixed(1)} at the end (the machine is shared).
Medians of ${ROUNDS} rounds. next() is chained from the previous fire (restarted every ${CHAIN} fires); "x" is how many
times faster cronq is than the library on its left. Parse is building the trigger from the expression.

${header}
${rule}
${rows.join("\n")}

Median cronq next() with Europe/Berlin: **${format(median(berlinNext))}**. Median speed-up over croner 11: **${median(cronerRatiosBerlin).toFixed(0)}x** with Europe/Berlin, **${median(cronerRatios).toFixed(0)}x** over all rows (smallest ${Math.min(...cronerRatios).toFixed(0)}x).

\`*/5 9-17 * * MON-FRI\` next() by kind of zone:

| zone | cronq next |
|---|--:|
${zoneRows.join("\n")}

${JOBS.toLocaleString("en-US")} different cron triggers in Europe/Berlin, each asked once in turn (no per-trigger warm cache): **${format(manyJobs)}** per next().
`;
console.log(body);
updateResults("Triggers", body);
if (sink === 42) console.log("");
