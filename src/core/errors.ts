/**
 * cronq's error hierarchy. Every error has a stable `code` that the HTTP API, the CLI and the run
 * ledger use; messages follow one formula: what was expected, where the value came from, what it was.
 *
 * Errors that cross a process boundary (a worker's failure recorded in the ledger, an API response)
 * travel as {@link SerializedError} data and are never rebuilt from message strings.
 */

/** Stable machine-readable error codes. Adding one is fine; renaming one is a breaking change. */
export type CronqErrorCode =
  | "INVALID_ARGUMENT"
  | "INVALID_TRIGGER"
  | "INVALID_OPTION"
  | "JOB_NOT_FOUND"
  | "DUPLICATE_JOB"
  | "RUN_NOT_FOUND"
  | "TASK_NOT_FOUND"
  | "DUPLICATE_TASK"
  | "LEASE_LOST"
  | "STORE_UNAVAILABLE"
  | "SCHEDULER_STATE"
  | "TIMEOUT"
  | "ABORTED"
  | "NON_RETRYABLE";

export interface CronqErrorOptions {
  cause?: unknown;
}

/** Base class of every error cronq throws on purpose. */
export class CronqError extends Error {
  readonly code: CronqErrorCode;

  constructor(code: CronqErrorCode, message: string, options: CronqErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * A value given by the caller is not acceptable. `field` is the dotted path of the offending value
 * (`"retry.attempts"`), `value` the value itself, so that an API can point at the form field.
 */
export class InvalidArgumentError extends CronqError {
  readonly field: string;
  readonly value: unknown;
  readonly expected: string;

  constructor(
    field: string,
    expected: string,
    value: unknown,
    options: CronqErrorOptions & { code?: CronqErrorCode; message?: string } = {},
  ) {
    super(
      options.code ?? "INVALID_ARGUMENT",
      options.message ?? `Expected \`${field}\` to be ${expected}, got ${describeValue(value)}`,
      options,
    );
    this.field = field;
    this.value = value;
    this.expected = expected;
  }
}

/** A trigger (cron expression, interval, date, timezone, calendar rule) is not valid. */
export class InvalidTriggerError extends InvalidArgumentError {
  constructor(
    field: string,
    expected: string,
    value: unknown,
    options: CronqErrorOptions & { message?: string } = {},
  ) {
    super(field, expected, value, { ...options, code: "INVALID_TRIGGER" });
  }
}

/** A job or scheduler option is not valid. */
export class InvalidOptionError extends InvalidArgumentError {
  constructor(
    field: string,
    expected: string,
    value: unknown,
    options: CronqErrorOptions & { message?: string } = {},
  ) {
    super(field, expected, value, { ...options, code: "INVALID_OPTION" });
  }
}

export class JobNotFoundError extends CronqError {
  readonly jobId: string;
  constructor(jobId: string) {
    super("JOB_NOT_FOUND", `No job with ID ${jobId} exists.`);
    this.jobId = jobId;
  }
}

export class DuplicateJobError extends CronqError {
  readonly jobId: string;
  constructor(jobId: string) {
    // The seed's wording, kept on purpose: "Job ID job1 already exists."
    super("DUPLICATE_JOB", `Job ID ${jobId} already exists. Pass replaceExisting: true to replace it.`);
    this.jobId = jobId;
  }
}

export class RunNotFoundError extends CronqError {
  readonly runId: string;
  constructor(runId: string) {
    super("RUN_NOT_FOUND", `No run with ID ${runId} exists.`);
    this.runId = runId;
  }
}

export class TaskNotFoundError extends CronqError {
  readonly taskName: string;
  constructor(taskName: string, known: readonly string[] = []) {
    super(
      "TASK_NOT_FOUND",
      `No task named ${JSON.stringify(taskName)} is registered` +
        (known.length > 0 ? `; registered tasks: ${known.map((k) => JSON.stringify(k)).join(", ")}` : "") +
        ". Register it with defineTask() or the scheduler's `tasks` option.",
    );
    this.taskName = taskName;
  }
}

export class DuplicateTaskError extends CronqError {
  readonly taskName: string;
  constructor(taskName: string) {
    super("DUPLICATE_TASK", `A different task named ${JSON.stringify(taskName)} is already registered.`);
    this.taskName = taskName;
  }
}

/**
 * A write was refused because the caller no longer holds the lease (its fencing token is stale):
 * another scheduler replica or worker has taken over. The caller must drop the work, not retry it.
 */
export class LeaseLostError extends CronqError {
  constructor(message: string) {
    super("LEASE_LOST", message);
  }
}

/** The store (SQLite file, Redis) cannot be reached or refused the operation for a transient reason. */
export class StoreUnavailableError extends CronqError {
  constructor(message: string, options: CronqErrorOptions = {}) {
    super("STORE_UNAVAILABLE", message, options);
  }
}

/** An operation is not allowed in the scheduler's current lifecycle state. */
export class SchedulerStateError extends CronqError {
  constructor(message: string) {
    super("SCHEDULER_STATE", message);
  }
}

/** A run exceeded its timeout; its AbortSignal was aborted with this error as the reason. */
export class TimeoutError extends CronqError {
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super("TIMEOUT", `The run exceeded its timeout of ${timeoutMs} ms.`);
    this.timeoutMs = timeoutMs;
  }
}

/** A run was aborted because the scheduler or worker stopped before it finished. */
export class AbortedError extends CronqError {
  constructor(message = "The run was aborted because the scheduler stopped.") {
    super("ABORTED", message);
  }
}

/** Thrown by a task to say "do not retry this": the run fails at once whatever the retry policy. */
export class NonRetryableError extends CronqError {
  constructor(message: string, options: CronqErrorOptions = {}) {
    super("NON_RETRYABLE", message, options);
  }
}

/** An error as data: what the run ledger stores and what crosses process and HTTP boundaries. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

/** Turns anything a task threw into {@link SerializedError} data (a thrown string is a message too). */
export function serializeError(error: unknown, options: { stack?: boolean } = {}): SerializedError {
  if (error instanceof Error) {
    const out: SerializedError = { name: error.name, message: error.message };
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" || typeof code === "number") out.code = String(code);
    if (options.stack !== false && typeof error.stack === "string") out.stack = error.stack;
    return out;
  }
  return { name: "NonError", message: typeof error === "string" ? error : safeString(error) };
}

/** Whether a thrown value asks not to be retried: a NonRetryableError, or any error with that code. */
export function isNonRetryable(error: unknown): boolean {
  return (
    error instanceof NonRetryableError ||
    (typeof error === "object" && error !== null && (error as { code?: unknown }).code === "NON_RETRYABLE")
  );
}

/** `"1x" (string)`, `42 (number)`, `undefined`: how error messages show an offending value. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "string") {
    const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
    return `${JSON.stringify(shown)} (string)`;
  }
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    return `${String(value)} (${typeof value})`;
  }
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? "Invalid Date (Date)" : `${value.toISOString()} (Date)`;
  }
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return `${safeString(value)} (${typeof value})`;
}

function safeString(value: unknown): string {
  try {
    const json = JSON.stringify(value);
    if (json === undefined) return String(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
