/**
 * `cronq serve` next to a replica and a worker, as real processes: the API records a "run now" for
 * the replicas, streams the events that the replica and the worker publish, lists both in its
 * cluster view, and reports the store as ready.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Scheduler } from "../../src/core/scheduler/scheduler.js";
import { RedisStore } from "../../src/stores/redis/index.js";
import { REDIS_URL, adminClient, deleteKeys, redisSkip, testPrefix } from "../stores/redis-helpers.js";
import { ProcessGroup, freePort } from "./fixtures/processes.js";
import chaos from "./fixtures/chaos.config.js";

const TOKEN = "serve-test-token-0123456789";

describe("cronq serve on Redis", { skip: redisSkip }, () => {
  it("runs a job now through a replica and a worker, streams their events and lists them", async () => {
    const prefix = testPrefix("serve");
    const group = new ProcessGroup({ REDIS_URL, CRONQ_PREFIX: prefix, CRONQ_API_TOKEN: TOKEN });
    const store = new RedisStore({ redis: REDIS_URL, prefix });
    const events = new AbortController();
    try {
      const port = await freePort();
      const serve = group.start("api", ["serve", "--port", String(port)]);
      const replica = group.start("r1", ["scheduler", "--id", "r1"]);
      const worker = group.start("w1", ["worker", "--id", "w1"]);
      await Promise.all(
        [serve, replica, worker].map((p) => p.waitFor(/^cronq (serve|scheduler|worker) .*started/)),
      );
      const base = `http://127.0.0.1:${port}`;
      const headers = { authorization: `Bearer ${TOKEN}` };
      await new Scheduler({ store, tasks: chaos.tasks! }).addJob("j", "record", {
        at: new Date(Date.now() + 3_600_000),
      });

      const stream = await fetch(`${base}/events`, { headers, signal: events.signal });
      assert.equal(stream.status, 200);
      const reader = stream.body!.getReader() as ReadableStreamDefaultReader<Uint8Array>;
      const run = (await (await fetch(`${base}/jobs/j/run`, { method: "POST", headers })).json()) as {
        id: string;
      };
      // The worker's run:succeeded, re-emitted by the API process's event bridge.
      let text = "";
      const decoder = new TextDecoder();
      while (!/event: run:succeeded\n/.test(text)) {
        const chunk = await reader.read();
        if (chunk.done) break;
        text += decoder.decode(chunk.value, { stream: true });
      }
      assert.match(text, /event: run:started\n/);
      assert.ok(text.includes(JSON.stringify(run.id)));

      const cluster = (await (await fetch(`${base}/cluster`, { headers })).json()) as {
        replicas: Array<{ id: string }>;
        workers: Array<{ id: string }>;
      };
      assert.deepEqual(
        cluster.replicas.map((r) => r.id),
        ["r1"],
      );
      assert.deepEqual(
        cluster.workers.map((w) => w.id),
        ["w1"],
      );
      assert.equal((await fetch(`${base}/readyz`)).status, 200);
      assert.equal(
        (
          (await (await fetch(`${base}/runs/${encodeURIComponent(run.id)}`, { headers })).json()) as {
            status: string;
          }
        ).status,
        "succeeded",
      );
    } finally {
      events.abort();
      await group.dispose();
      await store.close();
      const admin = adminClient();
      await deleteKeys(admin, prefix);
      admin.disconnect();
    }
  });
});
