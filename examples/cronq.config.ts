/**
 * The example that `npm start` runs: the embedded scheduler on a SQLite file (./cronq.db), these
 * tasks and jobs, and the API and dashboard on http://127.0.0.1:8080.
 *
 * In your own project, import from "cronq" instead of "../src/index.js".
 */
import { defineConfig } from "../src/index.js";
import { cleanup, flaky, sampleTask, sendReport } from "./tasks.js";

export default defineConfig({
  tasks: [sampleTask, sendReport, cleanup, flaky],
  jobs: [
    // The seed's job: every second, with an argument.
    { id: "job1", task: "sample", interval: 1, args: ["Hello, world!"] },
    // Weekdays at 09:00 in Berlin, whatever the server's timezone.
    {
      id: "report",
      task: "send-report",
      cron: "0 9 * * MON-FRI",
      timezone: "Europe/Berlin",
      args: ["team@example.com"],
    },
    // Every 10 seconds, on the dot (six fields: seconds first).
    { id: "heartbeat", task: "sample", cron: "*/10 * * * * *", args: ["still alive"] },
    // Every 5 seconds, retried once after a short backoff.
    { id: "flaky", task: "flaky", interval: "5s", retry: { attempts: 2, delay: "500ms" } },
    // Once, 30 minutes after the job was first created (as the seed's "start in").
    { id: "once", task: "cleanup", startIn: "30m", args: [7] },
  ],
  store: { sqlite: "./cronq.db" },
});
