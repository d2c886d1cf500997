/**
 * The SQLite store reads rows as arrays and builds their objects itself (`rows.ts`): the builders
 * must read each column at its position in JOB_COLUMNS and RUN_COLUMNS.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { JOB_COLUMNS, RUN_COLUMNS, jobRowOf, runRowOf } from "../../src/stores/sqlite/rows.js";
import { migrate } from "../../src/stores/sqlite/schema.js";
import { sqliteSkip } from "./fixtures/sqlite-helpers.js";

/** A value for each column, different from every other column's, within the schema's checks. */
function distinctValues(columns: string, fixed: Record<string, unknown>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  columns.split(", ").forEach((column, i) => {
    row[column] =
      column in fixed
        ? fixed[column]
        : column.endsWith("_at") || /count|runs|_ms|seq|token|version/.test(column)
          ? 1000 + i
          : `${column}-${i}`;
  });
  return row;
}

function compare(db: Database.Database, table: string, columns: string, build: (v: unknown[]) => unknown) {
  const sql = `SELECT ${columns} FROM ${table}`;
  const fromDriver = db.prepare(sql).get();
  const fromValues = build(db.prepare(sql).raw(true).get() as unknown[]);
  assert.deepEqual(fromValues, fromDriver);
}

describe("SQLite rows read as arrays", { skip: sqliteSkip }, () => {
  it("builds job and run rows equal to the driver's objects, column by column", () => {
    const db = new Database(":memory:");
    try {
      migrate(db, ":memory:");
      const job = distinctValues(JOB_COLUMNS, {
        paused: 1,
        args: "[1]",
        trigger: '{"t":1}',
        policy: '{"p":2}',
      });
      db.prepare(
        `INSERT INTO cronq_jobs (${JOB_COLUMNS}) VALUES (${JOB_COLUMNS.split(", ")
          .map((c) => `@${c}`)
          .join(", ")})`,
      ).run(job);
      const run = distinctValues(RUN_COLUMNS, {
        id: "run-id",
        job_id: job.id,
        status: "succeeded",
        lease: '{"owner":"o","expiresAt":5,"token":6}',
      });
      db.prepare(
        `INSERT INTO cronq_runs (${RUN_COLUMNS}) VALUES (${RUN_COLUMNS.split(", ")
          .map((c) => `@${c}`)
          .join(", ")})`,
      ).run(run);
      compare(db, "cronq_jobs", JOB_COLUMNS, jobRowOf);
      compare(db, "cronq_runs", RUN_COLUMNS, runRowOf);
      // Every column was given a value of its own, so a builder reading the wrong position differs.
      assert.equal(new Set(Object.values(job)).size, JOB_COLUMNS.split(", ").length);
      assert.equal(new Set(Object.values(run)).size, RUN_COLUMNS.split(", ").length);
    } finally {
      db.close();
    }
  });
});
