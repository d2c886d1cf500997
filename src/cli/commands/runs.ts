/**
 * `cronq runs [job-id]`, `cronq runs show <run-id>`, `cronq runs cancel <run-id>`: the run history,
 * newest first, through the API or (`--db`) straight from an embedded install's SQLite file.
 */
import { Command } from "commander";
import type { Run, RunPage } from "../../server/schemas/runs.js";
import {
  type CliIo,
  type OutputOptions,
  apiOptions,
  client,
  integer,
  list,
  printJson,
  processIo,
  run,
} from "../api-command.js";
import type { RunListQuery } from "../client.js";
import { openDb } from "../db.js";
import { duration, fields, safe, table, when, withoutControls } from "../format.js";

interface ListOptions extends OutputOptions {
  status?: string[];
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
  db?: string;
}

export function runsCommand(io: CliIo = processIo): Command {
  const runs = apiOptions(new Command("runs"))
    .description("List runs, newest first: every job's, or one job's")
    .argument("[job-id]", "only this job's runs")
    .option(
      "--status <statuses>",
      "only these outcomes (succeeded, failed, timed-out, skipped, missed, cancelled, running...)",
      list,
    )
    .option("--from <instant>", "runs scheduled at or after this ISO 8601 instant")
    .option("--to <instant>", "runs scheduled before this ISO 8601 instant")
    .option("--limit <n>", "how many, 1 to 1000", integer("--limit"), 20)
    .option("--cursor <cursor>", "the page after this cursor (printed below a full page)")
    .option("--db <file>", "read this SQLite file instead of asking the API")
    .addHelpText(
      "after",
      `
Examples:
  $ cronq runs                         # the latest 20 runs of every job
  $ cronq runs daily-report --limit 50
  $ cronq runs --status failed,timed-out --from 2026-03-01T00:00:00Z
  $ cronq runs show "daily-report@2026-03-02T08:00:00.000Z"
  $ cronq runs daily-report --db ./cronq.db   # no server running: read the SQLite file`,
    )
    .action((jobId: string | undefined, options: ListOptions) =>
      run(io, options, async () => {
        const query: RunListQuery = {
          ...(jobId === undefined ? {} : { job: jobId }),
          ...(options.status ? { status: options.status } : {}),
          ...(options.from === undefined ? {} : { from: options.from }),
          ...(options.to === undefined ? {} : { to: options.to }),
          ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
          limit: options.limit,
        };
        let page: RunPage;
        if (options.db) {
          const db = await openDb(options.db);
          try {
            page = await db.listRuns(query);
          } finally {
            await db.close();
          }
        } else {
          page = await client(io, options).listRuns(query);
        }
        if (options.json) return printJson(io, page);
        io.out(runTable(page.items, io.now(), jobId === undefined));
        if (page.nextCursor) io.out(`More: add --cursor ${page.nextCursor}\n`);
      }),
    );

  runs.addCommand(
    apiOptions(new Command("show"))
      .description("Show a run with every attempt, its error and the task's stack")
      .argument("<run-id>", 'the run id, like "job@2026-03-02T08:00:00.000Z"')
      .action((id: string, options: OutputOptions) =>
        run(io, options, async () => {
          const info = await client(io, options).getRun(id);
          if (options.json) return printJson(io, info);
          io.out(runDetail(info, io.now()));
        }),
      ),
  );

  runs.addCommand(
    apiOptions(new Command("cancel"))
      .description("Cancel a run that waits or executes")
      .argument("<run-id>", "the run id")
      .action((id: string, options: OutputOptions) =>
        run(io, options, async () => {
          const info = await client(io, options).cancelRun(id);
          if (options.json) return printJson(io, info);
          io.out(`Run ${safe(info.id)} is ${info.status}${info.reason ? ` (${info.reason})` : ""}.\n`);
        }),
      ),
  );
  return runs;
}

export function runTable(items: readonly Run[], now: number, withJob: boolean): string {
  return table(items, [
    { header: "SCHEDULED", value: (r) => when(r.scheduledAt, now) },
    ...(withJob ? [{ header: "JOB", value: (r: Run) => r.jobId, max: 40 }] : []),
    {
      header: "STATUS",
      value: (r) => `${r.status}${r.reason && r.status !== "failed" ? ` (${r.reason})` : ""}`,
    },
    { header: "ORIGIN", value: (r) => r.origin },
    { header: "DURATION", value: (r) => duration(r.durationMs) },
    { header: "ATTEMPTS", value: (r) => `${r.attempts.length}/${r.maxAttempts}` },
    { header: "ERROR", value: (r) => (r.error ? `${r.error.name}: ${r.error.message}` : "-"), max: 60 },
  ]);
}

function runDetail(r: Run, now: number): string {
  let text = fields([
    ["Run", safe(r.id)],
    ["Job", safe(r.jobId)],
    ["Task", safe(r.taskName)],
    ["Status", `${r.status}${r.reason ? ` (${r.reason})` : ""}`],
    ["Origin", r.origin],
    ["Scheduled", when(r.scheduledAt, now)],
    ["Fired", `${when(r.firedAt, now)}, ${duration(Date.parse(r.firedAt) - Date.parse(r.dueAt))} late`],
    ["Started", when(r.startedAt, now)],
    ["Ended", when(r.endedAt, now)],
    ["Duration", duration(r.durationMs)],
    ["Arguments", safe(JSON.stringify(r.args))],
    ["Worker", r.worker ?? "-"],
    ...(r.coalesced
      ? [
          [
            "Stands for",
            `${r.coalesced.count} missed occurrences until ${r.coalesced.lastScheduledAt}`,
          ] as const,
        ]
      : []),
  ]);
  if (r.attempts.length > 0) {
    text += "\nAttempts:\n";
    text += table(r.attempts, [
      { header: "#", value: (a) => String(a.attempt) },
      { header: "STARTED", value: (a) => when(a.startedAt, now) },
      { header: "DURATION", value: (a) => duration(a.durationMs) },
      { header: "OUTCOME", value: (a) => a.outcome ?? "running" },
      { header: "WORKER", value: (a) => a.worker ?? "-" },
      { header: "ERROR", value: (a) => (a.error ? `${a.error.name}: ${a.error.message}` : "-") },
    ]);
  }
  if (r.error?.stack) text += `\nStack:\n${withoutControls(r.error.stack, true)}\n`;
  return text;
}
