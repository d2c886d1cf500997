import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { InvalidArgumentError, InvalidOptionError, StoreUnavailableError } from "../../src/core/errors.js";
import { SqliteStore, type SqliteStoreOptions } from "../../src/stores/sqlite/index.js";
import { jobRecord } from "../../src/testing/records.js";
import { RETENTION, openTempStore, sqliteSkip, tempDir } from "./fixtures/sqlite-helpers.js";

function unavailable(pattern: RegExp, code?: string) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof StoreUnavailableError, `expected StoreUnavailableError, got ${String(error)}`);
    assert.equal(error.code, "STORE_UNAVAILABLE");
    assert.match(error.message, pattern);
    if (code !== undefined) assert.equal((error.cause as { code?: string } | undefined)?.code, code);
    return true;
  };
}

describe("SQLite store: bad input and unusable files", { skip: sqliteSkip }, () => {
  it("rejects options that are not valid, naming the field", () => {
    const cases: [unknown, string][] = [
      [undefined, "options"],
      [{}, "path"],
      [{ path: "" }, "path"],
      [{ path: 42 }, "path"],
      [{ path: "file:cronq.db?mode=ro" }, "path"],
      [{ path: "x.db", busyTimeout: "soon" }, "busyTimeout"],
      [{ path: "x.db", busyTimeout: -1 }, "busyTimeout"],
      [{ path: "x.db", synchronous: "off" }, "synchronous"],
      [{ path: "x.db", nativeBinding: 3 }, "nativeBinding"],
      [{ path: "x.db", filename: "y.db" }, "filename"],
    ];
    for (const [options, field] of cases) {
      assert.throws(
        () => new SqliteStore(options as SqliteStoreOptions),
        (error: unknown) => {
          assert.ok(error instanceof InvalidOptionError, `${JSON.stringify(options)}: ${String(error)}`);
          assert.equal(error.field, field);
          return true;
        },
      );
    }
  });

  it("refuses a path in a directory that does not exist, naming the directory", async () => {
    const dir = tempDir();
    try {
      const store = new SqliteStore({ path: join(dir.dir, "missing", "cronq.db") });
      await assert.rejects(
        store.open({ retention: RETENTION }),
        unavailable(/the directory ".*missing" does not exist/),
      );
    } finally {
      dir.remove();
    }
  });

  it("refuses a file that is not a SQLite database and leaves it as it was", async () => {
    const dir = tempDir();
    try {
      const text = "this is not a database\n".repeat(400);
      writeFileSync(dir.path, text);
      const store = new SqliteStore({ path: dir.path });
      await assert.rejects(
        store.open({ retention: RETENTION }),
        unavailable(/could not open the file: the file is not a SQLite database/, "SQLITE_NOTADB"),
      );
      assert.equal(readFileSync(dir.path, "utf8"), text);
    } finally {
      dir.remove();
    }
  });

  it("refuses a path that is a directory", async () => {
    const dir = tempDir();
    try {
      mkdirSync(dir.path);
      const store = new SqliteStore({ path: dir.path });
      await assert.rejects(
        store.open({ retention: RETENTION }),
        unavailable(/cannot be opened/, "SQLITE_CANTOPEN"),
      );
    } finally {
      dir.remove();
    }
  });

  it("rejects a retention that is not valid", async () => {
    const store = new SqliteStore({ path: ":memory:" });
    await assert.rejects(
      store.open({ retention: { maxRunsPerJob: 1.5, maxAgeMs: 1000 } }),
      (error: unknown) => error instanceof InvalidArgumentError && error.field === "retention.maxRunsPerJob",
    );
    await assert.rejects(
      store.open({ retention: { maxRunsPerJob: 3, maxAgeMs: Number.NaN } }),
      (error: unknown) => error instanceof InvalidArgumentError && error.field === "retention.maxAgeMs",
    );
  });

  it("opens itself on first use, rejects operations after close, and closes idempotently", async () => {
    const store = new SqliteStore({ path: ":memory:" });
    // A Scheduler adds jobs before start() opens its store.
    await store.insertJob(jobRecord("a"), { replace: false, now: 0 });
    await store.open({ retention: RETENTION });
    assert.equal((await store.getJob("a"))?.id, "a");
    await store.close();
    await store.close();
    await assert.rejects(
      store.insertJob(jobRecord("b"), { replace: false, now: 0 }),
      unavailable(/":memory:" is closed, so it cannot insert a job\. Call open\(\) to use it again/),
    );
    await assert.rejects(
      store.claimDueJobs({ now: 0, owner: "s", leaseMs: 1, limit: 1 }),
      StoreUnavailableError,
    );
    await assert.rejects(store.pruneRuns({ now: 0 }), StoreUnavailableError);
    await assert.rejects(store.ping(), unavailable(/is closed/));
  });

  it("answers a ping while its file is there, and rejects once the file was deleted or replaced", async () => {
    const { store, dir, dispose } = await openTempStore();
    try {
      await store.ping();
      await store.insertJob(jobRecord("a"), { replace: false, now: 0 });
      rmSync(dir.path);
      await assert.rejects(store.ping(), unavailable(/was deleted since it was opened/));
      writeFileSync(dir.path, "");
      await assert.rejects(store.ping(), unavailable(/was replaced since it was opened/));
    } finally {
      await dispose();
    }
  });

  it("reports a write lock held longer than busyTimeout as StoreUnavailableError, and recovers", async () => {
    const dir = tempDir();
    const store = new SqliteStore({ path: dir.path, busyTimeout: "20ms" });
    await store.open({ retention: RETENTION });
    const other = new Database(dir.path);
    try {
      other.exec("BEGIN IMMEDIATE");
      await assert.rejects(
        store.insertJob(jobRecord("a"), { replace: false, now: 0 }),
        unavailable(
          /could not insert a job: another process held the write lock for longer than `busyTimeout`/,
          "SQLITE_BUSY",
        ),
      );
      // Readers are not blocked by a writer in WAL mode.
      assert.equal(await store.getJob("a"), null);
      other.exec("COMMIT");
      await store.insertJob(jobRecord("a"), { replace: false, now: 0 });
      assert.equal((await store.getJob("a"))?.id, "a");
    } finally {
      other.close();
      await store.close();
      dir.remove();
    }
  });

  it("rejects a claim limit that SQLite would read as no limit at all", async () => {
    const { store, dispose } = await openTempStore();
    try {
      await store.insertJob(jobRecord("a", { nextRunAt: 0 }), { replace: false, now: 0 });
      for (const limit of [-1, 1.5]) {
        await assert.rejects(
          store.claimDueJobs({ now: 0, owner: "s", leaseMs: 1, limit }),
          (error: unknown) => error instanceof InvalidArgumentError && error.field === "limit",
        );
        await assert.rejects(
          store.claimRunsForDispatch({ now: 0, owner: "s", leaseMs: 1, limit }),
          InvalidArgumentError,
        );
      }
      assert.deepEqual(await store.claimDueJobs({ now: 0, owner: "s", leaseMs: 1, limit: 0 }), []);
      assert.equal((await store.claimDueJobs({ now: 0, owner: "s", leaseMs: 1, limit: 1 })).length, 1);
    } finally {
      await dispose();
    }
  });

  it("rejects a run cursor it did not issue and a page limit that is not a positive integer", async () => {
    const { store, dispose } = await openTempStore();
    try {
      await assert.rejects(
        store.listRuns({ cursor: "not-a-cursor" }),
        (error: unknown) => error instanceof InvalidArgumentError && error.field === "cursor",
      );
      for (const limit of [0, -1, 2.5, Number.NaN]) {
        await assert.rejects(
          store.listJobs({ limit }),
          (error: unknown) => error instanceof InvalidArgumentError && error.field === "limit",
        );
        await assert.rejects(store.listRuns({ limit }), InvalidArgumentError);
      }
    } finally {
      await dispose();
    }
  });
});
