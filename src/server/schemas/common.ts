/**
 * Schemas shared by every resource: the error envelope, pagination, ids, dates and the query-string
 * helpers. Every request and response of the API has one zod schema; validation, the TypeScript
 * types and `GET /openapi.json` all come from them.
 */
import { z } from "zod";

/** One problem with a request: where it is, what was expected there, what came instead. */
export const ErrorDetailSchema = z.object({
  /** Dotted path into the body or the name of the query or path parameter: `trigger.cron`, `args[0]`, `limit`. */
  path: z.string(),
  expected: z.string(),
  received: z.string(),
});

/** The one shape every error response has. */
export const ErrorEnvelopeSchema = z.object({
  error: z.object({
    /** Stable machine-readable code: `INVALID_ARGUMENT`, `JOB_NOT_FOUND`, `UNAUTHORIZED`... */
    code: z.string(),
    /** For people: what went wrong and what is allowed. Never a stack trace or an internal message. */
    message: z.string(),
    /** For validation errors: one entry per problem found. */
    details: z.array(ErrorDetailSchema).optional(),
    /** For server errors: the id to look for in the server's log. */
    requestId: z.string().optional(),
  }),
});

export type ErrorEnvelope = z.output<typeof ErrorEnvelopeSchema>;
export type ErrorDetail = z.output<typeof ErrorDetailSchema>;

/** An instant in a response: ISO 8601 in UTC with milliseconds, `2026-03-02T09:00:00.000Z`. */
export const DateTimeSchema = z.iso.datetime();

/** A job id as the library accepts it (the scheduler checks control characters and surrounding spaces). */
export const JobIdSchema = z.string().min(1).max(200);

/** A run id: `<job id>@<scheduled instant>`. */
export const RunIdSchema = z.string().min(1).max(300);

/** A registered task's name. */
export const TaskNameSchema = z.string().min(1).max(128);

/** An opaque cursor from a previous page's `nextCursor`. */
export const CursorSchema = z.string().min(1).max(2048);

/** An integer in a query string (`?limit=50`). */
export function queryInt(min: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,9}$/, "a whole number")
    .meta({ description: `A whole number from ${min} to ${max}.` })
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

/** An instant in a query string: ISO 8601 with an offset (`2026-03-02T09:00:00Z`). */
export const QueryDateTimeSchema = z.iso.datetime({ offset: true }).transform((text) => new Date(text));

/** `true` or `false` in a query string. */
export const QueryBooleanSchema = z.enum(["true", "false"]).transform((text) => text === "true");

/**
 * A list in a query string, comma-separated (`?status=failed,timed-out`) or repeated
 * (`?status=failed&status=timed-out`).
 */
export function queryList<const T extends readonly [string, ...string[]]>(values: T) {
  return z
    .union([z.string().max(1000), z.array(z.string().max(1000)).max(50)])
    .meta({ description: `One or more of ${values.join(", ")}: comma-separated, or the parameter repeated.` })
    .transform((value) => (Array.isArray(value) ? value : [value]).flatMap((text) => text.split(",")))
    .pipe(z.array(z.enum(values)).min(1).max(50));
}

/** A page of items with the cursor of the next page (null on the last page). */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    /** Pass as `cursor` to get the next page; null on the last page. */
    nextCursor: z.string().nullable(),
  });
}

/** Routes without a body accept none, or an empty JSON object. */
export const EmptyBodySchema = z.strictObject({}).optional();

/** Routes without query parameters accept none. */
export const EmptyQuerySchema = z.strictObject({});

export const JobIdParamsSchema = z.strictObject({ id: JobIdSchema });
export const RunIdParamsSchema = z.strictObject({ id: RunIdSchema });
