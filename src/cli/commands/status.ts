/** `cronq status`: the scheduler at a glance: state, jobs, recent outcomes, what runs and what comes next. */
import { Command } from "commander";
import {
  type CliIo,
  type OutputOptions,
  apiOptions,
  client,
  printJson,
  processIo,
  run,
} from "../api-command.js";
import { duration, fields, relative, safe, table, when } from "../format.js";

export function statusCommand(io: CliIo = processIo): Command {
  return apiOptions(new Command("status"))
    .description("Show the scheduler: state, job counts, runs of the last 24 h, what runs now and next")
    .addHelpText(
      "after",
      `
Examples:
  $ cronq status
  $ CRONQ_URL=http://scheduler.internal:8080 cronq status --json`,
    )
    .action((options: OutputOptions) =>
      run(io, options, async () => {
        const o = await client(io, options).overview();
        if (options.json) return printJson(io, o);
        // Times relative to the server's clock: the two machines may disagree.
        const now = Date.parse(o.now);
        const counts = (record: Partial<Record<string, number>>): string =>
          Object.entries(record)
            .filter(([, n]) => (n ?? 0) > 0)
            .map(([k, n]) => `${n} ${k}`)
            .join(", ") || "none";
        let text = fields([
          ["Scheduler", `${safe(o.scheduler.id)}: ${o.scheduler.state}`],
          ["Timezone", o.scheduler.timezone],
          ["Store", `${o.scheduler.store.kind}${o.scheduler.store.shared ? " (shared)" : ""}`],
          ["Jobs", `${o.scheduler.jobs.total}: ${counts(o.scheduler.jobs.byStatus)}`],
          ["Runs, 24 h", `${o.runs.total}${o.runs.truncated ? "+" : ""}: ${counts(o.runs.byStatus)}`],
          ["Queue", `${o.cluster.queue.depth} waiting`],
          [
            "Replicas",
            o.cluster.replicas
              .map((r) => `${safe(r.id)} (${r.state}, seen ${relative(Date.parse(r.lastHeartbeatAt) - now)})`)
              .join("; ") || "none",
          ],
          [
            "Workers",
            o.cluster.workers
              .map(
                (w) =>
                  `${safe(w.id)} (${w.running.length}/${w.concurrency ?? "∞"} busy, seen ${relative(Date.parse(w.lastHeartbeatAt) - now)})`,
              )
              .join("; ") || "none",
          ],
        ]);
        text += "\nRunning now:\n";
        text += table(o.running, [
          { header: "JOB", value: (r) => r.jobId, max: 40 },
          { header: "RUN", value: (r) => r.runId, max: 70 },
          { header: "ATTEMPT", value: (r) => String(r.attempt) },
          { header: "FOR", value: (r) => duration(r.elapsedMs) },
        ]);
        text += "\nNext:\n";
        text += table(o.upcoming.slice(0, 10), [
          { header: "WHEN", value: (u) => when(u.scheduledAt, now) },
          { header: "JOB", value: (u) => u.jobId, max: 40 },
          { header: "TASK", value: (u) => u.taskName, max: 30 },
        ]);
        if (o.recentFailures.length > 0) {
          text += "\nRecent failures:\n";
          text += table(o.recentFailures.slice(0, 5), [
            { header: "WHEN", value: (r) => when(r.scheduledAt, now) },
            { header: "JOB", value: (r) => r.jobId, max: 40 },
            { header: "STATUS", value: (r) => r.status },
            {
              header: "ERROR",
              value: (r) => (r.error ? `${r.error.name}: ${r.error.message}` : "-"),
              max: 60,
            },
          ]);
        }
        io.out(text);
      }),
    );
}
