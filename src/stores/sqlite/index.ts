/** The SQLite store (`cronq/sqlite`): jobs and run history in a file that several processes may share. */
export { SqliteStore } from "./store.js";
export type { ResolvedSqliteStoreOptions, SqliteStoreOptions, SqliteSynchronous } from "./options.js";
export { SCHEMA_VERSION } from "./schema.js";
