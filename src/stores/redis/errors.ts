/**
 * How the Redis store's failures become cronq's errors, in one place.
 *
 * Scripts answer a table whose first element is a status; a negative one is an error code listed
 * in {@link SCRIPT_ERRORS} (and in each script's header). Redis and connection failures (refused,
 * reset, loading, read-only replica, out of memory, auth) are StoreUnavailableError with the
 * original error as `cause`: the caller may retry later or report the store as down. Anything else
 * (a script bug, a reply cronq did not expect) is passed through with context.
 */
import {
  CronqError,
  DuplicateJobError,
  JobNotFoundError,
  LeaseLostError,
  StoreUnavailableError,
} from "../../core/errors.js";

/** The negative statuses the scripts answer with. Adding one is fine; renumbering one is not. */
export const SCRIPT_ERRORS = {
  /** update_job: no job with this id. */
  JOB_NOT_FOUND: -1,
  /** insert_job: the id exists and replace was not asked; insert_run: the run id exists. */
  DUPLICATE: -2,
  /** start_attempt: the pending run is leased with another token (detail: the holder). */
  START_LEASE_LOST: -3,
  /** finish_attempt: the run is not running, or not leased to the caller with its token. */
  FINISH_LEASE_LOST: -4,
} as const;

export interface ScriptContext {
  /** The job id or run id the operation was about. */
  id: string;
  /** For messages: the caller (owner) of a lease operation. */
  owner?: string;
}

/** The error a script's negative status stands for. */
export function scriptError(status: number, detail: unknown, context: ScriptContext): Error {
  switch (status) {
    case SCRIPT_ERRORS.JOB_NOT_FOUND:
      return new JobNotFoundError(context.id);
    case SCRIPT_ERRORS.DUPLICATE:
      return new DuplicateJobError(context.id);
    case SCRIPT_ERRORS.START_LEASE_LOST: {
      const holder = typeof detail === "string" && detail !== "" ? detail : "nobody";
      return new LeaseLostError(`The lease on run ${context.id} is held by ${holder} now.`);
    }
    case SCRIPT_ERRORS.FINISH_LEASE_LOST:
      return new LeaseLostError(`Run ${context.id} is no longer leased to ${context.owner ?? "the caller"}.`);
    default:
      return new CronqError(
        "STORE_UNAVAILABLE",
        `The Redis store answered an unknown status ${status} for ${context.id}; is an older or newer cronq sharing this prefix?`,
      );
  }
}

/** Redis error replies that mean "not now" rather than "wrong", by their first word. */
const UNAVAILABLE_REPLIES: Record<string, string> = {
  LOADING: "Redis is loading its dataset after a restart",
  READONLY: "the server is a read-only replica (a failover in progress?)",
  MASTERDOWN: "the replica lost its primary",
  OOM: "Redis is out of memory (maxmemory reached with policy noeviction)",
  BUSY: "Redis is busy running a long script",
  TRYAGAIN: "Redis asked to try again",
  NOAUTH: "Redis requires a password (put it in the URL: redis://:password@host:6379)",
  WRONGPASS: "the Redis password or user is wrong",
  NOPERM: "the Redis user lacks a permission cronq needs (scripts, hashes, sorted sets, pub/sub)",
};

/**
 * Maps `error`, thrown while doing `action` on the store at `where`, to the error to reject with.
 * cronq's own errors are returned unchanged.
 */
export function toStoreError(error: unknown, action: string, where: string): Error {
  if (error instanceof CronqError) return error;
  if (!(error instanceof Error)) {
    return new Error(`The Redis store at ${where} could not ${action}: ${String(error)}`, { cause: error });
  }
  if (error.name === "ReplyError") {
    const word = error.message.split(" ", 1)[0] ?? "";
    const explanation = UNAVAILABLE_REPLIES[word];
    if (explanation !== undefined) {
      return new StoreUnavailableError(
        `The Redis store at ${where} could not ${action}: ${explanation} (${error.message}).`,
        { cause: error },
      );
    }
    // Any other error reply is a bug (a script error, a wrong type under our prefix): say where.
    return new Error(`The Redis store at ${where} could not ${action}: ${error.message}`, { cause: error });
  }
  // Connection errors: refused, reset, closed, timed out, TLS, DNS, MaxRetriesPerRequestError.
  return new StoreUnavailableError(
    `The Redis store at ${where} could not ${action}: ${error.message || error.name}.`,
    { cause: error },
  );
}
