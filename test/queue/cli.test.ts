/** What the Redis commands share: where Redis is, the grace option, the eviction-policy check. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, it } from "node:test";
import { pino } from "pino";
import { checkEvictionPolicy, parseGrace, redisTarget } from "../../src/cli/commands/scheduler.js";
import { CronqError, InvalidOptionError } from "../../src/core/errors.js";
import { CronqWorker } from "../../src/queue/worker.js";
import { RedisStore } from "../../src/stores/redis/index.js";
import { redisSkip } from "../stores/redis-helpers.js";
import { freePort } from "./fixtures/processes.js";

function memoryLogger(): { logger: pino.Logger; lines: Array<{ msg: string; level: number }> } {
  const lines: Array<{ msg: string; level: number }> = [];
  const logger = pino(
    {},
    { write: (text: string) => void lines.push(JSON.parse(text) as { msg: string; level: number }) },
  );
  return { logger, lines };
}

describe("Redis commands: configuration", () => {
  it("takes Redis from the flag, then REDIS_URL, then the config, then the default", () => {
    const config = { store: { redis: "redis://config:6379", prefix: "fromconfig" } };
    assert.deepEqual(redisTarget({ redis: "redis://flag:1" }, config, { REDIS_URL: "redis://env:2" }), {
      url: "redis://flag:1",
      prefix: "fromconfig",
    });
    assert.deepEqual(redisTarget({}, config, { REDIS_URL: "rediss://:pw@env:2", CRONQ_PREFIX: "env" }), {
      url: "rediss://:pw@env:2",
      prefix: "env",
    });
    assert.deepEqual(redisTarget({}, config, {}), { url: "redis://config:6379", prefix: "fromconfig" });
    assert.deepEqual(redisTarget({ prefix: "p" }, {}, {}), { url: "redis://127.0.0.1:6379", prefix: "p" });
  });

  it("refuses a SQLite config unless Redis is given explicitly", () => {
    assert.throws(
      () => redisTarget({}, { store: { sqlite: "./cronq.db" } }, {}),
      /SQLite store: run `cronq start`/,
    );
    assert.equal(
      redisTarget({}, { store: { sqlite: "x.db" } }, { REDIS_URL: "redis://r:1" }).url,
      "redis://r:1",
    );
  });

  it("rejects a grace period that is not a number of milliseconds", () => {
    assert.equal(parseGrace("2500"), 2500);
    assert.throws(() => parseGrace("soon"), CronqError);
    assert.throws(() => parseGrace("-1"), /--grace/);
  });

  it("rejects bad worker options with an error naming the field", () => {
    const store = new RedisStore();
    for (const [options, field] of [
      [{ concurrency: 0 }, "concurrency"],
      [{ groups: [] }, "groups"],
      [{ groups: ["a b"] }, "groups[0]"],
      [{ id: "has space" }, "id"],
      [{ tasks: 5 }, "tasks"],
    ] as const) {
      assert.throws(
        () => new CronqWorker({ store, ...(options as object) }),
        (error: unknown) => error instanceof InvalidOptionError && error.field === field,
        field,
      );
    }
  });
});

describe("Redis commands: the eviction policy", { skip: redisSkip }, () => {
  it("warns when maxmemory-policy is not noeviction, and refuses with --require-noeviction", async () => {
    const port = await freePort();
    const server = spawn(
      "redis-server",
      ["--port", String(port), "--save", "", "--maxmemory-policy", "allkeys-lru"],
      {
        stdio: "ignore",
      },
    );
    const store = new RedisStore({ redis: `redis://127.0.0.1:${port}`, offlineTimeout: "5s" });
    try {
      await store.open();
      assert.equal(await store.evictionPolicy(), "allkeys-lru");
      const { logger, lines } = memoryLogger();
      await checkEvictionPolicy(store, logger, false);
      assert.match(lines[0]!.msg, /maxmemory-policy "allkeys-lru".*noeviction/);
      await assert.rejects(
        checkEvictionPolicy(store, logger, true),
        /Refusing to start \(--require-noeviction\)/,
      );
    } finally {
      await store.close();
      server.kill("SIGTERM");
      await once(server, "exit");
    }
  });
});
