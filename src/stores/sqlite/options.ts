/**
 * SQLite store options: what users write ({@link SqliteStoreOptions}) and what the store uses
 * ({@link ResolvedSqliteStoreOptions}), validated once by {@link resolveSqliteStoreOptions}.
 */
import { resolve } from "node:path";
import { type Duration, parseDuration } from "../../core/duration.js";
import { InvalidOptionError } from "../../core/errors.js";

/** How hard SQLite works to make a committed transaction survive a power loss. */
export type SqliteSynchronous =
  /**
   * With WAL, fsync only at checkpoints: a crash of the process never loses or corrupts anything,
   * a power loss or OS crash may roll back the last transactions before the checkpoint (a fire
   * recorded just before the loss may fire again). Much faster when every run start and finish
   * is a transaction.
   */
  | "normal"
  /** fsync the WAL at every commit: a committed fire survives a power loss too. */
  | "full";

export interface SqliteStoreOptions {
  /**
   * The database file, created with its schema if missing (its directory must exist), or
   * `":memory:"` for a private database that lives as long as the store is open.
   */
  path: string;
  /**
   * How long an operation waits for another process's write lock before it fails with
   * StoreUnavailableError. While it waits, this process's event loop is blocked (better-sqlite3 is
   * synchronous), so keep it short; cronq's transactions hold the lock for milliseconds.
   * @default "5s"
   */
  busyTimeout?: Duration;
  /** @default "normal" */
  synchronous?: SqliteSynchronous;
  /**
   * Path of a better-sqlite3 native addon (`better_sqlite3.node`) to load instead of the one
   * installed with the package: for a Node.js version the installed addon was not built for.
   * @default the installed addon
   */
  nativeBinding?: string;
}

export interface ResolvedSqliteStoreOptions {
  /** As given: used in messages. */
  readonly path: string;
  /** Absolute path, or `":memory:"`. */
  readonly file: string;
  readonly memory: boolean;
  readonly busyTimeoutMs: number;
  readonly synchronous: SqliteSynchronous;
  readonly nativeBinding: string | null;
}

const KNOWN = new Set(["path", "busyTimeout", "synchronous", "nativeBinding"]);
const SYNCHRONOUS: readonly SqliteSynchronous[] = ["normal", "full"];

/** Validates `options` without changing them; throws InvalidOptionError naming the field. */
export function resolveSqliteStoreOptions(options: SqliteStoreOptions): ResolvedSqliteStoreOptions {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionError("options", 'an object like { path: "./cronq.db" }', options);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) {
      throw new InvalidOptionError(key, "a SQLite store option", key, {
        message: `Unknown SQLite store option \`${key}\`; allowed: ${[...KNOWN].join(", ")}`,
      });
    }
  }
  const { path } = options;
  if (typeof path !== "string" || path.trim() === "" || path.includes("\0")) {
    throw new InvalidOptionError("path", 'a file path like "./cronq.db", or ":memory:"', path);
  }
  if (path.startsWith("file:")) {
    // better-sqlite3 would pass a URI filename to SQLite with options we do not control.
    throw new InvalidOptionError("path", 'a plain file path like "./cronq.db", not a "file:" URI', path);
  }
  let busyTimeoutMs: number;
  try {
    busyTimeoutMs = parseDuration(options.busyTimeout ?? "5s", { field: "busyTimeout" });
  } catch (error) {
    throw new InvalidOptionError("busyTimeout", 'a duration like "5s" or "500ms"', options.busyTimeout, {
      cause: error,
    });
  }
  if (busyTimeoutMs > 0x7fffffff) {
    throw new InvalidOptionError("busyTimeout", "at most 24 days", options.busyTimeout);
  }
  const synchronous = options.synchronous ?? "normal";
  if (!SYNCHRONOUS.includes(synchronous)) {
    throw new InvalidOptionError("synchronous", '"normal" or "full"', synchronous);
  }
  const nativeBinding = options.nativeBinding ?? null;
  if (nativeBinding !== null && (typeof nativeBinding !== "string" || nativeBinding === "")) {
    throw new InvalidOptionError("nativeBinding", "the path of a better_sqlite3.node file", nativeBinding);
  }
  const memory = path === ":memory:";
  return Object.freeze({
    path,
    file: memory ? path : resolve(path),
    memory,
    busyTimeoutMs,
    synchronous,
    nativeBinding,
  });
}
