/**
 * Triggers from their JSON specs (`toJSON()` output), as stores and the HTTP API carry them.
 *
 * A spec may come from a client, so it is validated completely: every field's type and range,
 * no unknown fields, instants as ISO 8601 with an offset, and at most
 * {@link MAX_COMBINED_TRIGGERS} triggers per combination nested at most {@link MAX_SPEC_DEPTH} deep.
 */
import { MAX_DURATION_MS } from "../duration.js";
import { InvalidTriggerError } from "../errors.js";
import { type BaseTrigger, type Bounds, intersectBounds } from "./bounds.js";
import { CalendarTrigger, resolveCalendarRule } from "./calendar-interval.js";
import { checkDstPolicy, prepareCron } from "./cron.js";
import { IntersectionTrigger, MAX_COMBINED_TRIGGERS, UnionTrigger } from "./combine.js";
import { DateTrigger } from "./date.js";
import { parseInstant } from "./instant.js";
import { IntervalTrigger } from "./interval.js";
import { getTimeZone } from "./timezone.js";
import type { DateInput, Trigger, TriggerKind, TriggerSpec } from "./trigger.js";

export const MAX_SPEC_DEPTH = 8;

const COMMON = ["kind", "version", "startAt", "endAt"];
const FIELDS: Record<TriggerKind, readonly string[]> = {
  cron: [...COMMON, "expression", "timezone", "dst", "dayMatch"],
  interval: [...COMMON, "everyMs", "anchorAt"],
  date: [...COMMON, "at"],
  calendar: [
    ...COMMON,
    "every",
    "unit",
    "time",
    "dayOfMonth",
    "month",
    "weekdays",
    "timezone",
    "anchorAt",
    "dst",
  ],
  union: [...COMMON, "triggers"],
  intersection: [...COMMON, "triggers"],
};
const KINDS = Object.keys(FIELDS) as TriggerKind[];

/**
 * Rebuilds a trigger from its spec (`{ kind, version: 1, ... }`). `trigger.toJSON()` round-trips:
 * `triggerFromSpec(t.toJSON())` fires exactly when `t` does. Throws InvalidTriggerError whose
 * `field` is the path of the offending value (`expression`, `triggers[1].everyMs`).
 */
export function triggerFromSpec(spec: unknown): Trigger {
  return build(spec, "", 0);
}

function build(spec: unknown, prefix: string, depth: number): BaseTrigger {
  const where = prefix === "" ? "trigger" : prefix.slice(0, -1);
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
    throw new InvalidTriggerError(where, "a trigger spec object { kind, version: 1, ... }", spec);
  }
  const s = spec as Record<string, unknown>;
  const kind = s.kind;
  if (typeof kind !== "string" || !(KINDS as string[]).includes(kind)) {
    throw new InvalidTriggerError(`${prefix}kind`, `one of ${KINDS.map((k) => `"${k}"`).join(", ")}`, kind);
  }
  if (s.version !== 1) throw new InvalidTriggerError(`${prefix}version`, "1", s.version);
  const allowed = FIELDS[kind as TriggerKind];
  for (const key of Object.keys(s)) {
    if (!allowed.includes(key) && s[key] !== undefined) {
      throw new InvalidTriggerError(
        prefix + key,
        `absent: a ${kind} spec has only ${allowed.map((k) => `\`${k}\``).join(", ")}`,
        s[key],
      );
    }
  }
  const bounds: Bounds = {
    startMs: s.startAt === undefined ? -Infinity : instant(s.startAt, `${prefix}startAt`),
    endMs: s.endAt === undefined ? Infinity : instant(s.endAt, `${prefix}endAt`),
  };
  switch (kind as TriggerKind) {
    case "cron": {
      const cron = prepareCron(
        s.expression,
        {
          timezone: optionalString(s.timezone, `${prefix}timezone`),
          dst: s.dst,
          dayMatch: s.dayMatch,
        },
        "expression",
        prefix,
      );
      return cron.build(bounds);
    }
    case "interval": {
      const everyMs = s.everyMs;
      if (
        typeof everyMs !== "number" ||
        !Number.isInteger(everyMs) ||
        everyMs < 1 ||
        everyMs > MAX_DURATION_MS
      ) {
        throw new InvalidTriggerError(
          `${prefix}everyMs`,
          "a whole number of milliseconds from 1 to 100 years",
          everyMs,
        );
      }
      return new IntervalTrigger(everyMs, required(s.anchorAt, `${prefix}anchorAt`), bounds);
    }
    case "date":
      return new DateTrigger(required(s.at, `${prefix}at`), bounds);
    case "calendar": {
      const zone = getTimeZone(optionalString(s.timezone, `${prefix}timezone`) ?? "UTC", `${prefix}timezone`);
      const anchorMs = required(s.anchorAt, `${prefix}anchorAt`);
      const rule = resolveCalendarRule(
        {
          every: s.every,
          unit: s.unit,
          time: s.time,
          dayOfMonth: s.dayOfMonth,
          month: s.month,
          weekdays: s.weekdays,
        },
        zone,
        anchorMs,
        prefix,
      );
      const dst = s.dst === undefined ? undefined : checkDstPolicy(s.dst, `${prefix}dst`);
      return new CalendarTrigger(rule, zone, anchorMs, dst, bounds);
    }
    case "union":
    case "intersection": {
      const list = s.triggers;
      if (!Array.isArray(list) || list.length === 0 || list.length > MAX_COMBINED_TRIGGERS) {
        throw new InvalidTriggerError(
          `${prefix}triggers`,
          `an array of 1 to ${MAX_COMBINED_TRIGGERS} trigger specs`,
          list,
        );
      }
      if (depth >= MAX_SPEC_DEPTH) {
        throw new InvalidTriggerError(
          `${prefix}triggers`,
          `combinations nested at most ${MAX_SPEC_DEPTH} deep`,
          list,
        );
      }
      const children = (list as unknown[]).map((child, i) =>
        build(child, `${prefix}triggers[${i}].`, depth + 1),
      );
      return kind === "union"
        ? new UnionTrigger(children, bounds)
        : new IntersectionTrigger(children, bounds);
    }
  }
}

function instant(value: unknown, field: string): number {
  return parseInstant(value, field, null);
}

function required(value: unknown, field: string): number {
  if (value === undefined) throw new InvalidTriggerError(field, "an ISO 8601 instant with an offset", value);
  return instant(value, field);
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new InvalidTriggerError(field, "a string", value);
  return value;
}

/**
 * The trigger with its bounds narrowed: no fire before `startAt`, none after `endAt` (a bound it
 * already has that is tighter stays). Works for every kind, via its spec.
 */
export function boundTrigger(trigger: Trigger, bounds: { startAt?: DateInput; endAt?: DateInput }): Trigger {
  const utc = getTimeZone("UTC");
  const spec = trigger.toJSON();
  const narrowed = intersectBounds(
    {
      startMs: spec.startAt === undefined ? -Infinity : instant(spec.startAt, "startAt"),
      endMs: spec.endAt === undefined ? Infinity : instant(spec.endAt, "endAt"),
    },
    {
      startMs: bounds.startAt === undefined ? -Infinity : parseInstant(bounds.startAt, "startAt", utc),
      endMs: bounds.endAt === undefined ? Infinity : parseInstant(bounds.endAt, "endAt", utc),
    },
  );
  return withBoundsMs(trigger, narrowed);
}

/** Rebuilds `trigger` with exactly these bounds (epoch ms, infinite when absent). */
export function withBoundsMs(trigger: Trigger, bounds: Bounds): Trigger {
  const spec: TriggerSpec = { ...trigger.toJSON() };
  delete spec.startAt;
  delete spec.endAt;
  if (bounds.startMs !== -Infinity) spec.startAt = new Date(bounds.startMs).toISOString();
  if (bounds.endMs !== Infinity) spec.endAt = new Date(bounds.endMs).toISOString();
  return triggerFromSpec(spec);
}
