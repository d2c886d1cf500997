/**
 * How SQLite's failures become cronq's errors, in one place.
 *
 * Failures of the file or of the lock (busy, I/O, disk full, not a database, read-only) are
 * StoreUnavailableError with the SQLite error as `cause`: the caller may retry later or report the
 * store as down. Anything else (a constraint a record broke, a bug) is passed through unchanged.
 */
import Database from "better-sqlite3";
import { CronqError, StoreUnavailableError } from "../../core/errors.js";

/** SQLite's primary result codes (the part of an extended code such as SQLITE_BUSY_SNAPSHOT before the second `_`). */
const EXPLANATIONS: Record<string, string> = {
  SQLITE_BUSY: "another process held the write lock for longer than `busyTimeout`",
  SQLITE_LOCKED: "the database is locked by another connection of this process",
  SQLITE_NOTADB: "the file is not a SQLite database",
  SQLITE_CORRUPT: "the database file is corrupt",
  SQLITE_CANTOPEN: "the file cannot be opened",
  SQLITE_IOERR: "reading or writing the file failed",
  SQLITE_FULL: "the disk is full",
  SQLITE_READONLY: "the file is read-only",
  SQLITE_PERM: "access to the file was denied",
  SQLITE_PROTOCOL: "the file's lock protocol failed",
  SQLITE_NOLFS: "the file is too large for this system",
};

function primaryCode(code: string): string {
  const second = code.indexOf("_", "SQLITE_".length);
  return second === -1 ? code : code.slice(0, second);
}

/**
 * Maps `error`, thrown while doing `action` on the store at `where`, to the error to reject with.
 * cronq's own errors and errors that do not come from the file are returned unchanged (a thrown
 * non-Error, which neither SQLite nor this store throws, is wrapped so that rejections are Errors).
 */
export function toStoreError(error: unknown, action: string, where: string): Error {
  if (!(error instanceof Error)) {
    return new Error(`The SQLite store ${where} could not ${action}: ${String(error)}`, { cause: error });
  }
  if (error instanceof CronqError) return error;
  if (error instanceof Database.SqliteError) {
    const explanation = EXPLANATIONS[primaryCode(error.code)];
    if (explanation !== undefined) {
      return new StoreUnavailableError(
        `The SQLite store ${where} could not ${action}: ${explanation} (${error.code}: ${error.message}).`,
        { cause: error },
      );
    }
  }
  return error;
}
