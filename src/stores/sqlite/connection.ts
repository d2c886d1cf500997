/**
 * Opening a SQLite file for the store: the native addon, the pragmas, the schema.
 */
import { existsSync, statSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { StoreUnavailableError } from "../../core/errors.js";
import { toStoreError } from "./errors.js";
import type { ResolvedSqliteStoreOptions } from "./options.js";
import { migrate } from "./schema.js";

/** Which file a path named when it was opened, to notice that it was deleted or replaced since. */
export interface FileIdentity {
  dev: number;
  ino: number;
}

export interface OpenedDatabase {
  db: Database.Database;
  /** Null for `:memory:`. */
  identity: FileIdentity | null;
}

/** Opens (creating if needed) and migrates the database. Throws StoreUnavailableError with a reason. */
export function openDatabase(options: ResolvedSqliteStoreOptions): OpenedDatabase {
  const where = describeFile(options);
  if (!options.memory && !existsSync(dirname(options.file))) {
    throw new StoreUnavailableError(
      `Cannot open the SQLite store ${where}: the directory ${JSON.stringify(dirname(options.file))} ` +
        "does not exist. Create it, or choose another `path`.",
    );
  }
  let db: Database.Database;
  try {
    db = new Database(options.file, {
      // SQLite's busy handler: BEGIN IMMEDIATE waits this long for another process's write lock.
      timeout: options.busyTimeoutMs,
      ...(options.nativeBinding === null ? {} : { nativeBinding: options.nativeBinding }),
    });
  } catch (error) {
    if (isAddonLoadError(error)) {
      throw new StoreUnavailableError(
        `Cannot open the SQLite store ${where}: better-sqlite3's native addon does not load in ` +
          `Node.js ${process.version} (it was probably built for another version). Rebuild it with ` +
          '"npm rebuild better-sqlite3" under this Node.js, or pass `nativeBinding`.',
        { cause: error },
      );
    }
    throw toStoreError(error, "open the file", where);
  }
  try {
    // WAL lets readers run while one process writes; `journal_mode` is stored in the file, so
    // this is a no-op for every opener but the first. It answers "memory" for `:memory:`.
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${options.synchronous === "full" ? "FULL" : "NORMAL"}`);
    // Off by default in SQLite, per connection: runs are deleted with their job by the cascade.
    db.pragma("foreign_keys = ON");
    // Unicode-aware case folding for job search (SQLite's lower() folds ASCII only).
    db.function("cronq_contains", { deterministic: true }, (haystack: unknown, needle: unknown) =>
      typeof haystack === "string" && typeof needle === "string" && haystack.toLowerCase().includes(needle)
        ? 1
        : 0,
    );
    migrate(db, where);
    const identity = options.memory ? null : fileIdentity(options.file);
    return { db, identity };
  } catch (error) {
    db.close();
    throw toStoreError(error, "open the file", where);
  }
}

export function fileIdentity(file: string): FileIdentity | null {
  try {
    const stat = statSync(file);
    return { dev: stat.dev, ino: stat.ino };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** `"./cronq.db" (/srv/app/cronq.db)`: the path as given, and where it resolved. */
export function describeFile(options: Pick<ResolvedSqliteStoreOptions, "path" | "file" | "memory">): string {
  if (options.memory || options.path === options.file) return JSON.stringify(options.path);
  return `${JSON.stringify(options.path)} (${options.file})`;
}

function isAddonLoadError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return (
    code === "ERR_DLOPEN_FAILED" ||
    /NODE_MODULE_VERSION|Could not locate the bindings file|better_sqlite3\.node/.test(error.message)
  );
}
