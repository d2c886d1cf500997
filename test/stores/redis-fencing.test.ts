/**
 * Fencing with a real process: a lease holder frozen with SIGSTOP past its lease (measured on
 * Redis's clock) wakes up after another process took its work over, and every late write it tries
 * is refused. The waits are real (Redis's clock does not follow a fake one) and one lease long.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { RedisStore } from "../../src/stores/redis/index.js";
import { jobRecord, runRecord } from "../../src/testing/records.js";
import { REDIS_URL, adminClient, deleteKeys, redisSkip, testPrefix } from "./redis-helpers.js";

const CHILD = fileURLToPath(new URL("./redis-fencing-child.ts", import.meta.url));
const LEASE = 1000;

function frozenHolder(prefix: string, mode: "claim" | "attempt") {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, REDIS_URL, prefix, mode], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines: unknown[] = [];
  let waiting: (() => void) | undefined;
  let buffer = "";
  child.stdout.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
      lines.push(JSON.parse(buffer.slice(0, nl)));
      buffer = buffer.slice(nl + 1);
      waiting?.();
    }
  });
  const next = async (): Promise<Record<string, unknown>> => {
    while (lines.length === 0) await new Promise<void>((resolve) => (waiting = resolve));
    return lines.shift() as Record<string, unknown>;
  };
  return { child, next, exit: once(child, "exit") };
}

describe("fencing against a process frozen past its lease", { skip: redisSkip }, () => {
  it("refuses the late commit of a replica whose claim was taken over", async () => {
    const prefix = testPrefix("fence-claim");
    const store = new RedisStore({ redis: REDIS_URL, prefix });
    const admin = adminClient();
    const holder = frozenHolder(prefix, "claim");
    try {
      await store.insertJob(jobRecord("a", { nextRunAt: 1000 }), { replace: false, now: 0 });
      const { ready: staleToken } = await holder.next();
      holder.child.kill("SIGSTOP");
      await sleep(LEASE + 300);
      const [job] = await store.claimDueJobs({ now: Date.now(), owner: "awake", leaseMs: LEASE, limit: 1 });
      assert.ok(job!.claim!.token > (staleToken as number));
      const [ok] = await store.commitFires(
        [
          {
            jobId: "a",
            claimToken: job!.claim!.token,
            jobVersion: 1,
            nextRunAt: 5000,
            runs: [runRecord("a", 1000)],
          },
        ],
        { now: Date.now(), owner: "awake", leaseMs: LEASE },
      );
      assert.equal(ok!.status, "ok");
      holder.child.kill("SIGCONT");
      holder.child.stdin.write("go\n");
      assert.deepEqual(await holder.next(), { status: "lease-lost" });
      const run = await store.getRun(runRecord("a", 1000).id);
      assert.equal(run?.lease?.owner, "awake");
      assert.equal((await store.getJob("a"))?.nextRunAt, 5000);
    } finally {
      holder.child.kill("SIGKILL");
      await holder.exit;
      await store.close();
      await deleteKeys(admin, prefix);
      admin.disconnect();
    }
  });

  it("refuses the late renewal and finish of an executor whose run was taken over", async () => {
    const prefix = testPrefix("fence-attempt");
    const store = new RedisStore({ redis: REDIS_URL, prefix });
    const admin = adminClient();
    await store.insertJob(jobRecord("b"), { replace: false, now: 0 });
    const holder = frozenHolder(prefix, "attempt");
    try {
      await holder.next();
      holder.child.kill("SIGSTOP");
      await sleep(LEASE + 300);
      const [taken] = await store.claimRunsForDispatch({
        now: Date.now(),
        owner: "awake",
        leaseMs: LEASE,
        limit: 10,
      });
      assert.equal(taken?.attempts[0]?.outcome, "interrupted");
      const running = await store.startAttempt(taken.id, {
        now: Date.now(),
        owner: "awake",
        leaseMs: 60_000,
        token: taken.lease!.token,
      });
      holder.child.kill("SIGCONT");
      holder.child.stdin.write("go\n");
      assert.deepEqual(await holder.next(), { renewLost: [taken.id], finish: "lease-lost" });
      const done = await store.finishAttempt(taken.id, {
        now: Date.now(),
        owner: "awake",
        token: running!.lease!.token,
        outcome: "succeeded",
        error: null,
        reason: null,
        retryAt: null,
        leaseMs: LEASE,
      });
      assert.deepEqual(
        done?.run.attempts.map((a) => [a.outcome, a.worker]),
        [
          ["interrupted", "frozen"],
          ["succeeded", "awake"],
        ],
      );
    } finally {
      holder.child.kill("SIGKILL");
      await holder.exit;
      await store.close();
      await deleteKeys(admin, prefix);
      admin.disconnect();
    }
  });
});
