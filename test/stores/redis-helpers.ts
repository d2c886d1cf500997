/**
 * Helpers for tests against a real Redis: the URL (REDIS_URL, else 127.0.0.1:6379), whether it is
 * reachable (a test that needs it is skipped with a reason saying how to start it, and fails under
 * CI=true instead), a fresh key prefix per test, and cleanup of everything under a prefix.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

async function probe(url: string): Promise<string | false> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.ping();
    return false;
  } catch (error) {
    return `Redis is not reachable at ${url} (${(error as Error).message}): start one with \`redis-server --port 6379\` or set REDIS_URL`;
  } finally {
    client.disconnect();
  }
}

const reason = await probe(REDIS_URL);
if (reason && process.env.CI === "true") {
  throw new Error(`${reason}. CI=true: Redis-backed tests must run here.`);
}

/** The skip reason, or false when Redis answers. */
export const redisSkip: string | false = reason;

/** A key prefix no other test uses. */
export function testPrefix(name = "t"): string {
  return `cronq-test:${name}:${randomBytes(4).toString("hex")}`;
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(client: Redis, prefix: string): Promise<number> {
  let cursor = "0";
  let deleted = 0;
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) deleted += await client.unlink(...keys);
  } while (cursor !== "0");
  return deleted;
}

/** A plain client for test assertions and cleanup. */
export function adminClient(url = REDIS_URL): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  client.on("error", () => undefined);
  return client;
}
