/**
 * One error envelope for every failure: `{ error: { code, message, details?, requestId? } }`.
 *
 * Everything a handler or hook throws comes through {@link toErrorResponse}: cronq's own errors by
 * their stable code, request validation failures with the path of each field at fault, the
 * framework's client errors (bad JSON, body too large, wrong media type) by a message written here.
 * Anything else is a 500 whose message says nothing about the server's internals: the details go
 * to the log, under the request id the client sees.
 */
import type { z } from "zod";
import {
  CronqError,
  DuplicateJobError,
  InvalidArgumentError,
  TaskNotFoundError,
  describeValue,
} from "../core/errors.js";
import type { ErrorDetail, ErrorEnvelope } from "./schemas/common.js";

/** An HTTP-level failure raised by the server itself (auth, rate limit, validation, unknown route). */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly details: ErrorDetail[] | undefined;
  readonly headers: Record<string, string>;

  constructor(
    statusCode: number,
    code: string,
    message: string,
    options: { details?: ErrorDetail[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "HttpError";
    this.statusCode = statusCode;
    this.code = code;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

export interface ErrorResponse {
  statusCode: number;
  body: ErrorEnvelope;
  headers: Record<string, string>;
  /** Whether the server should log it as its own failure. */
  internal: boolean;
}

/** How a field name the scheduler reports maps to a path in the request (`interval` -> `trigger.interval`). */
export type FieldMapper = (field: string) => string;

const STATUS_BY_CODE: Record<string, number> = {
  INVALID_ARGUMENT: 400,
  INVALID_TRIGGER: 400,
  INVALID_OPTION: 400,
  TASK_NOT_FOUND: 400,
  JOB_NOT_FOUND: 404,
  RUN_NOT_FOUND: 404,
  DUPLICATE_JOB: 409,
  DUPLICATE_TASK: 409,
  SCHEDULER_STATE: 409,
  STORE_UNAVAILABLE: 503,
  LEASE_LOST: 503,
};

/** Framework client errors, by their code: our status, code and message (theirs may change). */
const FRAMEWORK_ERRORS: Record<string, { statusCode: number; code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    statusCode: 413,
    code: "PAYLOAD_TOO_LARGE",
    message: "The request body is larger than the server accepts.",
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    statusCode: 415,
    code: "UNSUPPORTED_MEDIA_TYPE",
    message: "Expected a JSON body with `Content-Type: application/json`.",
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    statusCode: 400,
    code: "BAD_REQUEST",
    message: "The Content-Length header does not match the body.",
  },
  FST_ERR_CTP_INVALID_TYPE: {
    statusCode: 400,
    code: "BAD_REQUEST",
    message: "The Content-Type header is not valid.",
  },
  FST_ERR_CTP_EMPTY_TYPE: {
    statusCode: 400,
    code: "BAD_REQUEST",
    message: "The Content-Type header is empty.",
  },
  FST_ERR_BAD_URL: { statusCode: 400, code: "BAD_REQUEST", message: "The URL is not validly encoded." },
  FST_ERR_BAD_STATUS_CODE: { statusCode: 500, code: "INTERNAL", message: "Internal server error." },
};

export function envelope(
  code: string,
  message: string,
  extra: Omit<ErrorEnvelope["error"], "code" | "message"> = {},
): ErrorEnvelope {
  return { error: { code, message, ...extra } };
}

/** The HTTP response for anything thrown while handling a request. */
export function toErrorResponse(
  error: unknown,
  requestId: string,
  mapField: FieldMapper = (f) => f,
): ErrorResponse {
  if (error instanceof HttpError) {
    return {
      statusCode: error.statusCode,
      body: envelope(error.code, error.message, error.details ? { details: error.details } : {}),
      headers: error.headers,
      internal: false,
    };
  }
  if (error instanceof InvalidArgumentError) {
    const path = mapField(error.field);
    const prefix = `Expected \`${error.field}\``;
    const message = (
      error.message.startsWith(prefix)
        ? `Expected \`${path}\`${error.message.slice(prefix.length)}`
        : error.message
    )
      // The library's option for a trigger given as data is `trigger`; the API calls it `spec`.
      .replace("`calendar` or `trigger`", "`calendar` or `spec`");
    return clientError(400, error.code, message, [
      { path, expected: error.expected, received: describeValue(error.value) },
    ]);
  }
  if (error instanceof TaskNotFoundError) {
    return clientError(400, error.code, error.message, [
      {
        path: "task",
        expected: "the name of a registered task (GET /tasks)",
        received: describeValue(error.taskName),
      },
    ]);
  }
  if (error instanceof DuplicateJobError) {
    return clientError(
      409,
      error.code,
      `Job ID ${error.jobId} already exists. PUT /jobs/{id} replaces a job (keeping its history).`,
    );
  }
  if (error instanceof CronqError) {
    const statusCode = STATUS_BY_CODE[error.code];
    if (statusCode === 503) {
      // The store's own message may name hosts and files: the client learns only that it is down.
      return {
        statusCode,
        body: envelope(error.code, "The job store is unreachable; try again shortly."),
        headers: { "retry-after": "5" },
        internal: true,
      };
    }
    if (statusCode !== undefined) return clientError(statusCode, error.code, error.message);
  }
  const framework = frameworkError(error);
  if (framework) return clientError(framework.statusCode, framework.code, framework.message);
  return {
    statusCode: 500,
    body: envelope("INTERNAL", "Internal server error. The server's log has the details.", { requestId }),
    headers: {},
    internal: true,
  };
}

function clientError(
  statusCode: number,
  code: string,
  message: string,
  details?: ErrorDetail[],
): ErrorResponse {
  return {
    statusCode,
    body: envelope(code, message, details ? { details } : {}),
    headers: {},
    internal: statusCode >= 500,
  };
}

function frameworkError(error: unknown): { statusCode: number; code: string; message: string } | null {
  if (typeof error !== "object" || error === null) return null;
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  if (typeof code === "string" && code in FRAMEWORK_ERRORS) return FRAMEWORK_ERRORS[code]!;
  // Other framework errors that are the client's fault keep their status, with a neutral message.
  if (
    typeof code === "string" &&
    code.startsWith("FST_") &&
    typeof statusCode === "number" &&
    statusCode >= 400 &&
    statusCode < 500
  ) {
    return { statusCode, code: "BAD_REQUEST", message: "The request is not valid HTTP for this route." };
  }
  return null;
}

/**
 * Runs `work` and re-points the field of any InvalidArgumentError it throws from the library's
 * option name to the request's path (`interval` -> `trigger.interval`), as a ready 400.
 */
export async function withFieldPaths<T>(mapField: FieldMapper, work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InvalidArgumentError) {
      const response = toErrorResponse(error, "", mapField);
      throw new HttpError(response.statusCode, response.body.error.code, response.body.error.message, {
        ...(response.body.error.details ? { details: response.body.error.details } : {}),
      });
    }
    throw error;
  }
}

// ---- Validation -------------------------------------------------------------------------------

export type RequestPart = "params" | "query" | "body";

/** A 400 for a request that does not match its schema, with one detail per problem. */
export function validationError(
  part: RequestPart,
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
): HttpError {
  const details = issues.flatMap((issue) => issueDetails(issue, input));
  const first = details[0];
  const where = part === "body" ? "" : ` in the ${part === "query" ? "query string" : "URL path"}`;
  const message = first
    ? `Expected \`${first.path || part}\`${where} to be ${first.expected}, got ${first.received}` +
      (details.length > 1 ? ` (and ${details.length - 1} more problem${details.length > 2 ? "s" : ""})` : "")
    : `The request's ${part} is not valid.`;
  return new HttpError(400, "INVALID_ARGUMENT", message, { details: details.slice(0, 50) });
}

function issueDetails(issue: z.core.$ZodIssue, input: unknown): ErrorDetail[] {
  const path = formatPath(issue.path);
  const value = valueAt(input, issue.path);
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.slice(0, 20).map((key) => ({
        path: formatPath([...issue.path, key]),
        expected: "absent (not a field of this request)",
        received: describeValue(valueAt(value, [key])),
      }));
    case "invalid_type":
      return [{ path, expected: article(issue.expected), received: describeValue(value) }];
    case "invalid_value":
      return [
        {
          path,
          expected:
            issue.values.length === 1
              ? JSON.stringify(issue.values[0])
              : `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`,
          received: describeValue(value),
        },
      ];
    case "invalid_union": {
      const expected = unionExpectation(issue);
      return [{ path, expected, received: describeValue(value) }];
    }
    case "too_big":
    case "too_small":
      return [{ path, expected: bound(issue), received: describeValue(value) }];
    case "invalid_format":
      return [{ path, expected: formatExpectation(issue), received: describeValue(value) }];
    default:
      return [{ path, expected: issue.message, received: describeValue(value) }];
  }
}

function unionExpectation(issue: z.core.$ZodIssueInvalidUnion): string {
  const kinds = new Set<string>();
  for (const branch of issue.errors) {
    const first = branch[0];
    if (first?.code === "invalid_type" && first.path.length === 0) kinds.add(article(first.expected));
    else return "a value of one of the allowed forms (see the API reference)";
  }
  return [...kinds].join(" or ");
}

function bound(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall): string {
  const limit = "maximum" in issue ? issue.maximum : issue.minimum;
  const word = issue.code === "too_big" ? "at most" : "at least";
  const n = String(limit);
  switch (issue.origin) {
    case "string":
      return `a string of ${word} ${n} character${n === "1" ? "" : "s"}`;
    case "array":
      return `an array of ${word} ${n} item${n === "1" ? "" : "s"}`;
    case "number":
    case "int":
      return `a number ${word} ${n}`;
    default:
      return issue.message;
  }
}

function formatExpectation(issue: z.core.$ZodIssueInvalidStringFormat): string {
  if (issue.format === "datetime") return 'an ISO 8601 instant with an offset, like "2026-03-02T09:00:00Z"';
  if (issue.format === "regex")
    return issue.message && issue.message !== "Invalid string"
      ? issue.message
      : "a value in the documented format";
  return `a string in ${issue.format} format`;
}

function article(type: string): string {
  switch (type) {
    case "string":
    case "number":
    case "boolean":
    case "object":
    case "array":
      return `${/^[aeiou]/.test(type) ? "an" : "a"} ${type}`;
    case "int":
      return "an integer";
    case "null":
      return "null";
    default:
      return type;
  }
}

/** `["trigger", "calendar", "weekdays", 0]` -> `trigger.calendar.weekdays[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    // Own properties only: a path never walks up a prototype chain.
    if (!Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
