/**
 * The API against malformed requests: fast-check builds them from the very schemas that validate
 * requests (as JSON Schema, the way the OpenAPI document shows them), then breaks them: a value of
 * a type the schema does not allow, a required field removed, a field the schema does not have,
 * strings past their limit, nesting past the parser's limit, `__proto__` keys, invalid cron
 * expressions, timezones, durations, dates and ids. Every answer must be a 4xx with the error
 * envelope, and the jobs and runs must be exactly as before.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { z } from "zod";
import { ErrorEnvelopeSchema } from "../../src/server/schemas/common.js";
import {
  BulkJobActionRequestSchema,
  CreateJobRequestSchema,
  JobListQuerySchema,
  PatchJobRequestSchema,
  ReplaceJobRequestSchema,
} from "../../src/server/schemas/jobs.js";
import { RunListQuerySchema } from "../../src/server/schemas/runs.js";
import { OverviewQuerySchema, UpcomingQuerySchema } from "../../src/server/schemas/scheduler.js";
import { TriggerPreviewRequestSchema } from "../../src/server/schemas/triggers.js";
import { FULL, testApi } from "./helpers.js";

const RUNS = 10_000;

interface JsonSchema {
  type?: string | string[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  maxLength?: number;
  maxItems?: number;
  enum?: unknown[];
  const?: unknown;
}

const ALL_TYPES = ["string", "number", "integer", "boolean", "null", "object", "array"] as const;
type JsonType = (typeof ALL_TYPES)[number];

/** The JSON types a schema accepts; all of them when it says nothing (like `args` items). */
function acceptedTypes(schema: JsonSchema): Set<JsonType> {
  if (schema.anyOf) return new Set(schema.anyOf.flatMap((s) => [...acceptedTypes(s)]));
  if (schema.const !== undefined) return new Set([typeOf(schema.const)]);
  if (schema.enum) return new Set(schema.enum.map(typeOf));
  if (schema.type === undefined) return new Set(ALL_TYPES);
  const types = (Array.isArray(schema.type) ? schema.type : [schema.type]) as JsonType[];
  // An integer is a number, but a number is not always an integer: 1.5 breaks an integer field.
  return new Set(types.includes("number") ? [...types, "integer"] : types);
}

function typeOf(value: unknown): JsonType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value as JsonType;
}

interface Field {
  path: string[];
  schema: JsonSchema;
  required: boolean;
}

/** Every field of an object schema, nested ones included (through unions), with its path. */
function fieldsOf(schema: JsonSchema, path: string[] = []): Field[] {
  const out: Field[] = [];
  const objects = schema.anyOf ? schema.anyOf.filter((s) => s.properties) : schema.properties ? [schema] : [];
  for (const object of objects) {
    for (const [key, child] of Object.entries(object.properties ?? {})) {
      out.push({ path: [...path, key], schema: child, required: object.required?.includes(key) ?? false });
      out.push(...fieldsOf(child, [...path, key]));
    }
  }
  return out;
}

/** Objects in the schema that refuse unknown keys, by path. */
function strictObjects(
  schema: JsonSchema,
  path: string[] = [],
): Array<{ path: string[]; keys: Set<string> }> {
  const out: Array<{ path: string[]; keys: Set<string> }> = [];
  const objects = schema.anyOf ? schema.anyOf.filter((s) => s.properties) : schema.properties ? [schema] : [];
  for (const object of objects) {
    if (object.additionalProperties === false)
      out.push({ path, keys: new Set(Object.keys(object.properties ?? {})) });
    for (const [key, child] of Object.entries(object.properties ?? {}))
      out.push(...strictObjects(child, [...path, key]));
  }
  return out;
}

const valueOfType: Record<JsonType, fc.Arbitrary<unknown>> = {
  string: fc.string({ maxLength: 20 }),
  number: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
  integer: fc.integer(),
  boolean: fc.boolean(),
  null: fc.constant(null),
  object: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  array: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
};

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Sets `value` at `path`, creating (or replacing non-object) parents on the way. */
function setAt(root: Record<string, unknown>, path: string[], value: unknown): void {
  let node = root;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path.at(-1)!] = value;
}

function deleteAt(root: Record<string, unknown>, path: string[]): void {
  let node: unknown = root;
  for (const key of path.slice(0, -1)) node = (node as Record<string, unknown> | undefined)?.[key];
  if (typeof node === "object" && node !== null) delete (node as Record<string, unknown>)[path.at(-1)!];
}

/** A body is sent as JSON text, so that keys like `__proto__` can be written into it literally. */
type Mutation = { text: string; what: string };

/** Malformed bodies for a route: valid samples of its schema, broken in one of many ways. */
function malformedBodies(schema: z.ZodType, samples: Record<string, unknown>[]): fc.Arbitrary<Mutation> {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const fields = fieldsOf(json);
  const typed = fields.filter((f) => acceptedTypes(f.schema).size < ALL_TYPES.length);
  const required = fields.filter((f) => f.required && f.path.length === 1);
  const bounded = fields.filter((f) => f.schema.maxLength !== undefined);
  const strict = strictObjects(json);
  const sample = fc.constantFrom(...samples);

  const wrongType = fc.tuple(sample, fc.constantFrom(...typed)).chain(([base, field]) => {
    const allowed = acceptedTypes(field.schema);
    const wrong = ALL_TYPES.filter((t) => !allowed.has(t) && !(t === "integer" && allowed.has("number")));
    return fc.constantFrom(...wrong).chain((type) =>
      valueOfType[type].map((value) => {
        const body = clone(base);
        setAt(body, field.path, value);
        return { text: JSON.stringify(body), what: `wrong type (${type}) at ${field.path.join(".")}` };
      }),
    );
  });

  const missing = required.length
    ? fc.tuple(sample, fc.constantFrom(...required)).map(([base, field]) => {
        const body = clone(base);
        deleteAt(body, field.path);
        return { text: JSON.stringify(body), what: `missing ${field.path.join(".")}` };
      })
    : null;

  const extra = fc
    .tuple(
      sample,
      fc.constantFrom(...strict),
      fc.string({ minLength: 1, maxLength: 12 }),
      fc.jsonValue({ maxDepth: 2 }),
    )
    .filter(([, object, key]) => !object.keys.has(key) && key !== "__proto__")
    .map(([base, object, key, value]) => {
      const body = clone(base);
      if (object.path.length > 0) {
        const current = object.path.reduce<unknown>(
          (n, k) => (n as Record<string, unknown> | undefined)?.[k],
          body,
        );
        if (typeof current !== "object" || current === null || Array.isArray(current))
          setAt(body, object.path, {});
      }
      setAt(body, [...object.path, key], value);
      return { text: JSON.stringify(body), what: `extra field ${[...object.path, key].join(".")}` };
    });

  const huge = bounded.length
    ? fc
        .tuple(
          sample,
          fc.constantFrom(...bounded),
          // Mostly just past the limit; sometimes past the 1 MiB body limit too (413).
          fc.oneof(
            { weight: 9, arbitrary: fc.integer({ min: 1, max: 5000 }) },
            { weight: 1, arbitrary: fc.constant(1_100_000) },
          ),
        )
        .map(([base, field, extraLength]) => {
          const body = clone(base);
          setAt(body, field.path, "x".repeat(field.schema.maxLength! + extraLength));
          return { text: JSON.stringify(body), what: `huge string at ${field.path.join(".")}` };
        })
    : null;

  const deep = fc
    .tuple(sample, fc.integer({ min: 65, max: 2000 }), fc.boolean())
    .map(([base, depth, arrays]) => {
      const nested = arrays
        ? `${"[".repeat(depth)}${"]".repeat(depth)}`
        : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
      const text = JSON.stringify({ ...base, deep: "@@" }).replace('"@@"', nested);
      return { text, what: `nesting ${depth} deep` };
    });

  const proto = fc
    .tuple(sample, fc.constantFrom(...strict), fc.constantFrom('"__proto__"', '"constructor"'))
    .map(([base, object, key]) => {
      const body = clone(base);
      setAt(body, [...object.path, "@@"], "@@");
      const payload = key === '"constructor"' ? '{"prototype":{"polluted":true}}' : '{"polluted":true}';
      return { text: JSON.stringify(body).replace('"@@":"@@"', `${key}:${payload}`), what: `${key} key` };
    });

  const notObject = fc
    .oneof(
      fc.jsonValue({ maxDepth: 2 }).filter((v) => typeof v !== "object" || v === null || Array.isArray(v)),
      fc.constant(undefined),
    )
    .map((value) => ({ text: value === undefined ? "" : JSON.stringify(value), what: "not an object" }));

  const brokenJson = fc.tuple(sample, fc.nat()).map(([base, cut]) => {
    const text = JSON.stringify(base);
    return { text: text.slice(0, 1 + (cut % (text.length - 1))), what: "truncated JSON" };
  });

  return fc.oneof(
    { arbitrary: wrongType, weight: 4 },
    ...(missing ? [{ arbitrary: missing, weight: 1 }] : []),
    { arbitrary: extra, weight: 2 },
    ...(huge ? [{ arbitrary: huge, weight: 1 }] : []),
    { arbitrary: deep, weight: 1 },
    { arbitrary: proto, weight: 1 },
    { arbitrary: notObject, weight: 1 },
    { arbitrary: brokenJson, weight: 1 },
  );
}

// ---- Values that are well-typed but mean nothing valid ------------------------------------------

const invalidCron = fc.oneof(
  fc.integer({ min: 60, max: 1_000_000 }).map((n) => `${n} * * * *`),
  fc.integer({ min: 24, max: 999 }).map((n) => `0 ${n} * * *`),
  fc
    .integer({ min: 1, max: 8 })
    .filter((n) => n !== 5 && n !== 6)
    .map((n) => Array(n).fill("*").join(" ")),
  fc.string({ maxLength: 20 }).map((s) => `@${s.replace(/\s/g, "")}x!`),
  fc.constantFrom(
    "* * * * * * *",
    "*/0 * * * *",
    "0 9 31 2 * extra",
    "a b c d e",
    "1-0 * * * *",
    "0 9 * * MON-FRIDAY",
    "",
  ),
  fc.string({ maxLength: 30 }).map((s) => `? ${s}`),
);
const invalidZone = fc.oneof(
  fc.string({ minLength: 1, maxLength: 20 }).map((s) => `Invalid/${s}`),
  fc.constantFrom(
    "Mars/Olympus_Mons",
    "Europe/Berln",
    "UTC+25",
    "+25:00",
    "EST5EDT6",
    "",
    "../../etc/passwd",
  ),
);
const invalidDuration = fc.oneof(
  fc.constantFrom("", "-5s", "1x", "PT", "P1Y", "5 minutes", "1e400s", "NaN", "--1m"),
  fc.double({ min: -1e12, max: -0.001, noNaN: true }),
  fc.string({ maxLength: 10 }).map((s) => `${s}q`),
);
const invalidDate = fc.oneof(
  fc.constantFrom(
    "not a date",
    "2026-13-01T00:00:00Z",
    "2026-02-30T25:00:00Z",
    "yesterday",
    "",
    "2026-01-01T00:00:00+99:00",
  ),
  fc.string({ maxLength: 10 }).map((s) => `x${s}`),
);
const invalidId = fc.oneof(
  fc.string({ maxLength: 10 }).map((s) => ` ${s}`),
  fc.string({ maxLength: 10 }).map((s) => `${s}\u0000`),
  fc.string({ maxLength: 10 }).map((s) => `a\n${s}`),
  fc.constant(""),
  fc.integer({ min: 201, max: 2000 }).map((n) => "j".repeat(n)),
);

/** A well-formed id of no job: every action on it is a 404. */
const unknownId = fc
  .string({ minLength: 1, maxLength: 30 })
  .filter(
    (s) =>
      s.trim() === s && ![...s].some((c) => c < " " || c === "\u007f") && s !== "existing" && s !== "second",
  );

const CREATE_SAMPLES = [
  { id: "fuzz-a", task: "echo", trigger: { interval: "30s" } },
  {
    id: "fuzz-b",
    task: "greet",
    trigger: { cron: "0 9 * * *", timezone: "Europe/Berlin" },
    args: ["x"],
    retry: { attempts: 3, delay: "1s" },
  },
  { id: "fuzz-c", task: "echo", trigger: { at: "2026-12-01T09:00:00Z" }, overlap: "queue", timeout: "5m" },
  {
    id: "fuzz-d",
    task: "echo",
    trigger: { calendar: { unit: "week", weekdays: [1, 3] }, timezone: "UTC" },
    misfireGrace: null,
  },
];
const REPLACE_SAMPLES = CREATE_SAMPLES.map(({ id: _id, ...rest }) => rest);
const PATCH_SAMPLES = [{ description: "x" }, { trigger: { interval: 60 } }, { retry: 2, timeout: null }];
const PREVIEW_SAMPLES = [{ trigger: { cron: "0 9 * * *" }, count: 3 }, { trigger: { interval: "1h" } }];
const BULK_SAMPLES = [{ action: "pause", ids: ["existing"] }];

/** Valid requests whose one trigger or id value is replaced by a meaningless one. */
const semantic: fc.Arbitrary<{ method: "POST" | "PUT" | "PATCH"; url: string; mutation: Mutation }> =
  fc.oneof(
    fc.tuple(fc.constantFrom(...CREATE_SAMPLES), invalidCron).map(([base, cron]) => ({
      method: "POST" as const,
      url: "/jobs",
      mutation: {
        text: JSON.stringify({ ...base, trigger: { cron } }),
        what: `cron ${JSON.stringify(cron)}`,
      },
    })),
    fc.tuple(invalidZone, fc.constantFrom("cron", "calendar")).map(([timezone, kind]) => ({
      method: "POST" as const,
      url: "/triggers/preview",
      mutation: {
        text: JSON.stringify({
          trigger:
            kind === "cron" ? { cron: "0 9 * * *", timezone } : { calendar: { unit: "day" }, timezone },
        }),
        what: `timezone ${JSON.stringify(timezone)}`,
      },
    })),
    fc
      .tuple(invalidDuration, fc.constantFrom("interval", "startIn", "timeout", "misfireGrace", "jitter"))
      .map(([d, field]) => ({
        method: "PUT" as const,
        url: "/jobs/existing",
        mutation: {
          text: JSON.stringify(
            field === "interval" || field === "startIn"
              ? {
                  task: "echo",
                  trigger: {
                    interval: field === "interval" ? d : 5,
                    ...(field === "startIn" ? { startIn: d } : {}),
                  },
                }
              : { task: "echo", trigger: { interval: 5 }, [field]: d },
          ),
          what: `${field} ${JSON.stringify(d)}`,
        },
      })),
    fc.tuple(invalidDate, fc.constantFrom("at", "startAt", "endAt")).map(([date, field]) => ({
      method: "PATCH" as const,
      url: "/jobs/existing",
      mutation: {
        text: JSON.stringify({ trigger: field === "at" ? { at: date } : { interval: 5, [field]: date } }),
        what: `${field} ${JSON.stringify(date)}`,
      },
    })),
    invalidId.map((id) => ({
      method: "POST" as const,
      url: "/jobs",
      mutation: {
        text: JSON.stringify({ id, task: "echo", trigger: { interval: 5 } }),
        what: `id ${JSON.stringify(id)}`,
      },
    })),
    fc
      .string({ minLength: 1, maxLength: 20 })
      .filter((t) => !["echo", "fail", "greet"].includes(t))
      .map((task) => ({
        method: "PATCH" as const,
        url: "/jobs/existing",
        mutation: { text: JSON.stringify({ task }), what: `task ${JSON.stringify(task)}` },
      })),
    fc.string({ maxLength: 10 }).map((s) => ({
      method: "POST" as const,
      url: "/jobs",
      mutation: {
        text: JSON.stringify({
          id: "fuzz-z",
          task: "echo",
          trigger: { interval: 5 },
          group: `bad group ${s}`,
        }),
        what: "group",
      },
    })),
  );

/** Malformed query strings: unknown parameters, values of the wrong form, out of range, huge. */
function malformedQueries(schema: z.ZodType): fc.Arbitrary<string> {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const names = Object.keys(json.properties ?? {});
  const badValue = fc.oneof(
    fc.constantFrom("", "-1", "0", "1001", "1e3", "abc", "NaN", "nope,also-nope", "%", "2026-13-45"),
    fc.integer({ min: 2049, max: 20_000 }).map((n) => "q".repeat(n)),
    fc.string({ maxLength: 10 }).map((s) => `~${s}`),
  );
  const unknown = fc
    .tuple(fc.stringMatching(/^[a-z]{1,10}$/), fc.string({ maxLength: 10 }))
    .filter(([key]) => !names.includes(key))
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`);
  // Values that are wrong for every parameter the schema has: each has a format or a bound.
  const wrong = fc
    .tuple(fc.constantFrom(...names), badValue)
    .filter(([name, value]) => !acceptable(name, value))
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`);
  return fc.oneof(unknown, wrong);
}

/** Whether a query value might be valid for a parameter (then it is not a malformed request). */
function acceptable(name: string, value: string): boolean {
  if (name === "search" || name === "job" || name === "task") return value.length >= 1 && value.length <= 128;
  if (name === "cursor") return value.length >= 1 && value.length <= 2048;
  return false;
}

describe("fuzz: malformed requests", () => {
  const api = testApi({
    auth: { tokens: [{ name: "admin", token: FULL, access: "full" }], maxFailures: 1_000_000 },
  });
  let jobsBefore = "";
  let runsBefore = "";
  let sent = 0;
  const statuses = new Map<number, number>();
  const codes = new Map<string, number>();

  before(async () => {
    await api.request("POST", "/jobs", {
      id: "existing",
      task: "greet",
      trigger: { interval: 60 },
      args: ["a"],
    });
    await api.request("POST", "/jobs", {
      id: "second",
      task: "echo",
      trigger: { cron: "*/5 * * * *" },
      paused: true,
    });
    await api.request("POST", "/jobs/existing/run");
    jobsBefore = JSON.stringify(await api.scheduler.listJobs({ limit: 1000 }));
    runsBefore = JSON.stringify(await api.scheduler.listRuns({ limit: 1000 }));
  });
  after(() => api.close());

  async function send(method: string, url: string, text: string | undefined, what: string): Promise<void> {
    const res = await api.app.inject({
      method: method as "POST",
      url,
      headers: {
        authorization: `Bearer ${FULL}`,
        ...(text === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(text === undefined ? {} : { payload: text }),
    });
    sent++;
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    const where = `${method} ${url.slice(0, 120)} (${what}): ${res.statusCode} ${res.body.slice(0, 300)}`;
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, where);
    assert.match(String(res.headers["content-type"]), /^application\/json/, where);
    const parsed = ErrorEnvelopeSchema.safeParse(JSON.parse(res.body));
    assert.ok(parsed.success, where);
    codes.set(parsed.data.error.code, (codes.get(parsed.data.error.code) ?? 0) + 1);
    assert.doesNotMatch(res.body, /\n\s+at |node_modules|\.ts:\d+/, `no stack trace: ${where}`);
  }

  it(`answers ${RUNS}+ malformed requests with a 4xx envelope, and changes nothing`, async () => {
    const bodyRoutes: Array<[string, string, z.ZodType, Record<string, unknown>[]]> = [
      ["POST", "/jobs", CreateJobRequestSchema, CREATE_SAMPLES],
      ["PUT", "/jobs/existing", ReplaceJobRequestSchema, REPLACE_SAMPLES],
      ["PATCH", "/jobs/existing", PatchJobRequestSchema, PATCH_SAMPLES],
      ["POST", "/triggers/preview", TriggerPreviewRequestSchema, PREVIEW_SAMPLES],
      ["POST", "/jobs/bulk", BulkJobActionRequestSchema, BULK_SAMPLES],
    ];
    const queryRoutes: Array<[string, z.ZodType]> = [
      ["/jobs", JobListQuerySchema],
      ["/runs", RunListQuerySchema],
      ["/jobs/existing/runs", RunListQuerySchema.omit({ job: true })],
      ["/upcoming", UpcomingQuerySchema],
      ["/overview", OverviewQuerySchema],
    ];
    const request = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.oneof(
          ...bodyRoutes.map(([method, url, schema, samples]) =>
            malformedBodies(schema, samples).map((m) => ({ method, url, text: m.text, what: m.what })),
          ),
        ),
      },
      {
        weight: 2,
        arbitrary: semantic.map((s) => ({
          method: s.method,
          url: s.url,
          text: s.mutation.text,
          what: s.mutation.what,
        })),
      },
      {
        weight: 2,
        arbitrary: fc.oneof(
          ...queryRoutes.map(([url, schema]) =>
            malformedQueries(schema).map((q) => ({
              method: "GET",
              url: `${url}?${q}`,
              text: undefined,
              what: q.slice(0, 60),
            })),
          ),
        ),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(
            fc.oneof(invalidId, unknownId),
            fc.constantFrom("GET", "DELETE", "POST /pause", "POST /resume", "POST /run", "GET /runs"),
          )
          .map(([id, action]) => {
            const [method, suffix = ""] = action.split(" ");
            return {
              method: method!,
              url: `/jobs/${encodeURIComponent(id)}${suffix}`,
              text: undefined,
              what: `job id ${JSON.stringify(id).slice(0, 40)}`,
            };
          }),
      },
    );
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        await send(r.method, r.url, r.text, r.what);
      }),
      { numRuns: RUNS },
    );
    assert.ok(sent >= RUNS, `${sent} requests`);
    assert.equal(
      JSON.stringify(await api.scheduler.listJobs({ limit: 1000 })),
      jobsBefore,
      "the jobs are unchanged",
    );
    assert.equal(
      JSON.stringify(await api.scheduler.listRuns({ limit: 1000 })),
      runsBefore,
      "the runs are unchanged",
    );
    assert.ok((statuses.get(400) ?? 0) > RUNS / 2, JSON.stringify([...statuses]));
    assert.ok(
      (statuses.get(413) ?? 0) > 0,
      `some bodies were over the limit: ${JSON.stringify([...statuses])}`,
    );
    // Every kind of breakage was reached, from the schemas down to the time engine.
    for (const code of [
      "INVALID_ARGUMENT",
      "INVALID_TRIGGER",
      "INVALID_OPTION",
      "INVALID_JSON",
      "PAYLOAD_TOO_LARGE",
      "TASK_NOT_FOUND",
      "JOB_NOT_FOUND",
    ]) {
      assert.ok((codes.get(code) ?? 0) > 0, `${code} in ${JSON.stringify([...codes])}`);
    }
    assert.equal(Object.prototype.hasOwnProperty.call({}, "polluted"), false, "no prototype was polluted");
  });
});
