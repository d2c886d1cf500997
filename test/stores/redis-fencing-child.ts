/**
 * A lease holder that the fencing test freezes (SIGSTOP) after it took a claim or started an
 * attempt, and thaws (SIGCONT) after someone else took its work over: it then tries its late write
 * and prints what the store answered, as one JSON line.
 *
 * argv: <redis url> <prefix> <claim|attempt>. Prints {"ready": token} when it holds the lease,
 * then waits for a line on stdin before writing.
 */
import { once } from "node:events";
import { LeaseLostError } from "../../src/core/errors.js";
import { RedisStore } from "../../src/stores/redis/index.js";
import { runRecord } from "../../src/testing/records.js";
import type { RunRecord } from "../../src/core/jobs/job.js";
import { DEFAULT_JOB_POLICY } from "../../src/core/jobs/policies.js";

const [url, prefix, mode] = process.argv.slice(2) as [string, string, "claim" | "attempt"];
const store = new RedisStore({ redis: url, prefix });
await store.open();
const owner = "frozen";
const leaseMs = 1000;
const print = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value)}\n`);
const go = once(process.stdin, "data");

if (mode === "claim") {
  const [job] = await store.claimDueJobs({ now: Date.now(), owner, leaseMs, limit: 1 });
  print({ ready: job!.claim!.token });
  await go;
  const [result] = await store.commitFires(
    [
      {
        jobId: "a",
        claimToken: job!.claim!.token,
        jobVersion: job!.version,
        nextRunAt: null,
        runs: [runRecord("a", 1000)],
      },
    ],
    { now: Date.now(), owner, leaseMs },
  );
  print({ status: result!.status });
} else {
  const run = (await store.insertRun(
    runRecord("b", 2000, { origin: "manual", retry: { ...DEFAULT_JOB_POLICY.retry, attempts: 2 } }),
    { now: Date.now(), owner, leaseMs },
  )) as RunRecord;
  const started = (await store.startAttempt(run.id, {
    now: Date.now(),
    owner,
    leaseMs,
    token: run.lease!.token,
  }))!;
  print({ ready: started.lease!.token });
  await go;
  const lost = await store.renewRunLeases([run.id], { now: Date.now(), owner, leaseMs });
  try {
    await store.finishAttempt(run.id, {
      now: Date.now(),
      owner,
      token: started.lease!.token,
      outcome: "failed",
      error: { name: "Error", message: "late" },
      reason: "error",
      retryAt: null,
      leaseMs,
    });
    print({ renewLost: lost, finish: "ok" });
  } catch (error) {
    print({ renewLost: lost, finish: error instanceof LeaseLostError ? "lease-lost" : String(error) });
  }
}
await store.close();
process.exit(0);
