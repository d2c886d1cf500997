/**
 * `cronq jobs ls | show | add | rm | pause | resume | run`: jobs through the API, or read straight
 * from an embedded install's SQLite file with `--db` when no server runs (ls and show).
 */
import { Command, Option } from "commander";
import type { CreateJobRequest, Job, JobDetail, JobPage } from "../../server/schemas/jobs.js";
import type { TriggerInput } from "../../server/schemas/triggers.js";
import {
  type CliIo,
  CliUsageError,
  type OutputOptions,
  apiOptions,
  client,
  integer,
  json,
  list,
  printJson,
  processIo,
  run,
} from "../api-command.js";
import type { JobListQuery } from "../client.js";
import { openDb } from "../db.js";
import { duration, fields, safe, show, table, when } from "../format.js";

interface ListOptions extends OutputOptions {
  status?: string[];
  task?: string;
  search?: string;
  limit?: number;
  cursor?: string;
  all?: boolean;
  db?: string;
}

interface AddOptions extends OutputOptions {
  task: string;
  every?: string;
  cron?: string;
  tz?: string;
  at?: string;
  startIn?: string;
  startAt?: string;
  endAt?: string;
  calendar?: unknown;
  args?: unknown;
  description?: string;
  paused?: boolean;
  replace?: boolean;
  overlap?: string;
  maxConcurrent?: number;
  maxQueued?: number;
  misfireGrace?: string;
  catchUp?: string;
  catchUpLimit?: number;
  retry?: number;
  retryBackoff?: string;
  retryDelay?: string;
  retryMaxDelay?: string;
  timeout?: string;
  jitter?: string;
  group?: string;
}

export function jobsCommand(io: CliIo = processIo): Command {
  const jobs = new Command("jobs")
    .description("List, inspect, add, remove, pause, resume and run jobs")
    .addHelpText(
      "after",
      `
Examples:
  $ cronq jobs                              # the same as cronq jobs ls
  $ cronq jobs ls --status failed,paused --json
  $ cronq jobs show daily-report
  $ cronq jobs add daily-report --task sendReport --cron "0 9 * * MON-FRI" --tz Europe/Berlin --args '["team@example.com"]'
  $ cronq jobs pause daily-report
  $ cronq jobs ls --db ./cronq.db          # no server running: read the SQLite file

The API is CRONQ_URL (or --url, default http://127.0.0.1:8080) with the token in CRONQ_API_TOKEN.`,
    );

  jobs.addCommand(
    apiOptions(new Command("ls"))
      .alias("list")
      .description("List jobs, ordered by id")
      .option(
        "--status <statuses>",
        "only these statuses (scheduled, running, paused, completed, failed, missing-task)",
        list,
      )
      .option("--task <name>", "only jobs of this task")
      .option("--search <text>", "part of the id, task or description")
      .option("--limit <n>", "page size, 1 to 1000", integer("--limit"), 100)
      .option("--cursor <cursor>", "the page after this cursor (printed below a full page)")
      .option("--all", "every page, not just the first")
      .option("--db <file>", "read this SQLite file instead of asking the API")
      .action((options: ListOptions) =>
        run(io, options, async () => {
          const source = options.db ? await openDb(options.db) : client(io, options);
          try {
            const query: JobListQuery = {
              ...(options.status ? { status: options.status } : {}),
              ...(options.task === undefined ? {} : { task: options.task }),
              ...(options.search === undefined ? {} : { search: options.search }),
              ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
              ...(options.limit === undefined ? {} : { limit: options.limit }),
            };
            let page: JobPage = await source.listJobs(query);
            const items = [...page.items];
            while (options.all && page.nextCursor) {
              page = await source.listJobs({ ...query, cursor: page.nextCursor });
              items.push(...page.items);
            }
            if (options.json) return printJson(io, { items, nextCursor: page.nextCursor });
            io.out(jobTable(items, io.now()));
            if (page.nextCursor) io.out(`More: add --cursor ${page.nextCursor} (or --all)\n`);
          } finally {
            if ("close" in source) await source.close();
          }
        }),
      ),
    // `cronq jobs` alone (or with ls's options) lists the jobs.
    { isDefault: true },
  );

  jobs.addCommand(
    apiOptions(new Command("show"))
      .description("Show a job: its trigger, policies, last run and next run times")
      .argument("<id>", "the job id")
      .option("--next <n>", "how many next run times", integer("--next"), 5)
      .option("--db <file>", "read this SQLite file instead of asking the API")
      .action((id: string, options: OutputOptions & { next: number; db?: string }) =>
        run(io, options, async () => {
          const source = options.db ? await openDb(options.db) : client(io, options);
          try {
            const job = await source.getJob(id, options.next);
            if (options.json) return printJson(io, job);
            io.out(jobDetail(job, io.now()));
          } finally {
            if ("close" in source) await source.close();
          }
        }),
      ),
  );

  jobs.addCommand(addCommand(io));

  for (const [name, description, verb] of [
    ["rm", "Remove a job and its run history", "Removed"],
    ["pause", "Pause a job: no runs until it is resumed", "Paused"],
    ["resume", "Resume a paused job from now", "Resumed"],
  ] as const) {
    jobs.addCommand(
      apiOptions(new Command(name))
        .description(description)
        .argument("<id>", "the job id")
        .action((id: string, options: OutputOptions) =>
          run(io, options, async () => {
            const api = client(io, options);
            if (name === "rm") {
              await api.deleteJob(id);
              if (options.json) return printJson(io, { id, removed: true });
              io.out(`${verb} job ${safe(id)}.\n`);
              return;
            }
            const job = name === "pause" ? await api.pauseJob(id) : await api.resumeJob(id);
            if (options.json) return printJson(io, job);
            io.out(`${verb} job ${safe(id)}: ${job.status}, next run ${when(job.nextRunAt, io.now())}.\n`);
          }),
        ),
    );
  }

  jobs.addCommand(
    apiOptions(new Command("run"))
      .description("Run a job now, outside its schedule")
      .argument("<id>", "the job id")
      .action((id: string, options: OutputOptions) =>
        run(io, options, async () => {
          const started = await client(io, options).runJob(id);
          if (options.json) return printJson(io, started);
          io.out(`Started run ${safe(started.id)}. Follow it with: cronq runs ${safe(id)}\n`);
        }),
      ),
  );
  return jobs;
}

function addCommand(io: CliIo): Command {
  return apiOptions(new Command("add"))
    .description("Add a job (or replace one with --replace) that runs a registered task on a trigger")
    .argument("<id>", "the job id")
    .requiredOption("--task <name>", "a registered task (see: cronq tasks)")
    .option("--every <duration>", 'fire every fixed span: "30s", "1h30m", "PT5M", or seconds')
    .option("--cron <expression>", 'a cron expression: "0 9 * * MON-FRI", 6 fields with seconds, or "@daily"')
    .option("--tz <zone>", "timezone of --cron or --calendar, like Europe/Berlin (default: the scheduler's)")
    .option("--at <instant>", "fire once at this ISO 8601 instant, like 2026-12-01T09:00:00Z")
    .option(
      "--start-in <duration>",
      "with --every: the first fire after this delay; alone: fire once after it",
    )
    .option("--start-at <instant>", "no fire before this instant (with --every: the first fire)")
    .option("--end-at <instant>", "no fire after this instant")
    .option(
      "--calendar <json>",
      'every N days/weeks/months/years: \'{"unit":"month","dayOfMonth":1,"time":"06:00"}\'',
      json("--calendar"),
    )
    .option("--args <json>", "the task's arguments as a JSON array", json("--args"))
    .option("--description <text>", "free text shown in listings")
    .option("--paused", "add it paused")
    .option("--replace", "replace a job with this id (its history is kept)")
    .addOption(
      new Option("--overlap <policy>", "when a fire comes while it runs").choices([
        "skip",
        "queue",
        "allow",
        "replace",
      ]),
    )
    .option("--max-concurrent <n>", "with --overlap allow: most runs at once", integer("--max-concurrent"))
    .option("--max-queued <n>", "with --overlap queue: most waiting", integer("--max-queued"))
    .option("--misfire-grace <duration>", 'how late a fire may be and still run on time ("none": never late)')
    .addOption(
      new Option("--catch-up <policy>", "what to do with late occurrences").choices([
        "none",
        "latest",
        "all",
      ]),
    )
    .option(
      "--catch-up-limit <n>",
      "with --catch-up all: most late occurrences run",
      integer("--catch-up-limit"),
    )
    .option("--retry <attempts>", "total attempts, the first included (1: no retry)", integer("--retry"))
    .addOption(
      new Option("--retry-backoff <kind>", "how retry delays grow").choices(["fixed", "exponential"]),
    )
    .option("--retry-delay <duration>", "delay before the first retry")
    .option("--retry-max-delay <duration>", "longest delay between attempts")
    .option("--timeout <duration>", "longest an attempt may run")
    .option("--jitter <duration>", "spread fires over [time, time + jitter)")
    .option("--group <name>", "queue group for distributed workers")
    .addHelpText(
      "after",
      `
Exactly one trigger: --every, --cron, --at, --calendar, or --start-in/--start-at alone for one run.

Examples:
  $ cronq jobs add heartbeat --task ping --every 30s
  $ cronq jobs add report --task sendReport --cron "0 9 * * *" --tz Europe/Berlin --retry 3 --timeout 5m
  $ cronq jobs add launch --task announce --at 2026-12-01T09:00:00Z --args '["v2 is out"]'
  $ cronq jobs add warmup --task warm --start-in 30m
  $ cronq jobs add sync --task sync --every 1h --start-in 10m --overlap queue --replace`,
    )
    .action((id: string, options: AddOptions) =>
      run(io, options, async () => {
        const body = jobBody(id, options);
        const api = client(io, options);
        const { id: _id, ...rest } = body;
        const job = options.replace ? await api.replaceJob(id, rest) : await api.createJob(body);
        if (options.json) return printJson(io, job);
        io.out(
          `${options.replace ? "Saved" : "Added"} job ${safe(job.id)}: ${safe(job.schedule)}, next run ${when(job.nextRunAt, io.now())}.\n`,
        );
      }),
    );
}

/** The request body from the command line; the API validates every value. */
export function jobBody(id: string, o: AddOptions): CreateJobRequest {
  const trigger: TriggerInput = {};
  if (o.every !== undefined) trigger.interval = o.every;
  if (o.cron !== undefined) trigger.cron = o.cron;
  if (o.at !== undefined) trigger.at = o.at;
  if (o.calendar !== undefined) trigger.calendar = o.calendar as TriggerInput["calendar"];
  if (o.startIn !== undefined) trigger.startIn = o.startIn;
  if (o.startAt !== undefined) trigger.startAt = o.startAt;
  if (o.endAt !== undefined) trigger.endAt = o.endAt;
  if (o.tz !== undefined) trigger.timezone = o.tz;
  if (Object.keys(trigger).every((k) => k === "timezone" || k === "endAt")) {
    throw new CliUsageError(
      "Give a trigger: --every, --cron, --at, --calendar, or --start-in/--start-at for a single run.",
    );
  }
  if (o.args !== undefined && !Array.isArray(o.args)) {
    throw new CliUsageError(
      `--args must be a JSON array of the task's arguments, like '["a", 1]', got ${show(o.args)}.`,
    );
  }
  const body: CreateJobRequest = { id, task: o.task, trigger };
  if (o.args !== undefined) body.args = o.args as unknown[];
  if (o.description !== undefined) body.description = o.description;
  if (o.paused) body.paused = true;
  if (o.overlap !== undefined) body.overlap = o.overlap as CreateJobRequest["overlap"];
  if (o.maxConcurrent !== undefined) body.maxConcurrent = o.maxConcurrent;
  if (o.maxQueued !== undefined) body.maxQueued = o.maxQueued;
  if (o.misfireGrace !== undefined) body.misfireGrace = o.misfireGrace === "none" ? null : o.misfireGrace;
  if (o.catchUp !== undefined) body.catchUp = o.catchUp as CreateJobRequest["catchUp"];
  if (o.catchUpLimit !== undefined) body.catchUpLimit = o.catchUpLimit;
  if (o.timeout !== undefined) body.timeout = o.timeout;
  if (o.jitter !== undefined) body.jitter = o.jitter;
  if (o.group !== undefined) body.group = o.group;
  const retry = {
    ...(o.retry === undefined ? {} : { attempts: o.retry }),
    ...(o.retryBackoff === undefined ? {} : { backoff: o.retryBackoff as "fixed" | "exponential" }),
    ...(o.retryDelay === undefined ? {} : { delay: o.retryDelay }),
    ...(o.retryMaxDelay === undefined ? {} : { maxDelay: o.retryMaxDelay }),
  };
  if (Object.keys(retry).length === 1 && retry.attempts !== undefined) body.retry = retry.attempts;
  else if (Object.keys(retry).length > 0) body.retry = retry;
  return body;
}

export function jobTable(items: readonly Job[], now: number): string {
  return table(items, [
    { header: "ID", value: (j) => j.id, max: 40 },
    { header: "TASK", value: (j) => j.taskName, max: 30 },
    { header: "SCHEDULE", value: (j) => j.schedule, max: 50 },
    { header: "NEXT RUN", value: (j) => when(j.nextRunAt, now) },
    { header: "STATUS", value: (j) => j.status },
    { header: "LAST", value: (j) => j.lastOutcome ?? "-" },
    { header: "RUNS", value: (j) => String(j.runCount) },
  ]);
}

function jobDetail(job: JobDetail, now: number): string {
  const p = job.policy;
  let text = fields([
    ["ID", safe(job.id)],
    ["Task", `${safe(job.taskName)}${job.taskRegistered ? "" : " (not registered in the server)"}`],
    ["Status", job.status],
    ["Schedule", safe(job.schedule)],
    ["Type", job.type],
    ["Arguments", safe(JSON.stringify(job.args))],
    ...(job.description ? [["Description", safe(job.description)] as const] : []),
    ["Next run", when(job.nextRunAt, now)],
    [
      "Runs",
      `${job.runCount} (${job.failureCount} failed, ${job.skippedCount} skipped, ${job.missedCount} missed, ${job.activeRuns} active)`,
    ],
    [
      "Last run",
      job.lastRunStartedAt
        ? `${when(job.lastRunStartedAt, now)}: ${job.lastOutcome ?? "running"}, ${duration(job.lastDurationMs)}`
        : "-",
    ],
    ...(job.lastError
      ? [["Last error", safe(`${job.lastError.name}: ${job.lastError.message}`)] as const]
      : []),
    [
      "Policies",
      `overlap ${p.overlap}, catch-up ${p.catchUp}, misfire grace ${p.misfireGraceMs === null ? "none" : duration(p.misfireGraceMs)}, ` +
        `retry ${p.retry.attempts}x, timeout ${p.timeoutMs === null ? "none" : duration(p.timeoutMs)}, group ${p.group}`,
    ],
  ]);
  if (job.nextRunTimes.length > 0) {
    text += "\nNext run times:\n" + job.nextRunTimes.map((t) => `  ${when(t, now)}\n`).join("");
  }
  return text;
}
