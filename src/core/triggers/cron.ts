/**
 * The cron trigger: a parsed expression, a timezone and a DST policy.
 *
 * `nextMs` is the scheduler's hot path: a range check on the zone's cached offset period, then the
 * table walk of `cron-next.ts`. No allocation, no Intl call (Intl runs once per zone and UTC year,
 * to build the offset table).
 */
import { InvalidTriggerError } from "../errors.js";
import { BaseTrigger, type Bounds, NO_BOUNDS } from "./bounds.js";
import { localMs } from "./civil.js";
import { CronSchedule } from "./cron-next.js";
import { type CronFields, parseCron } from "./cron-parse.js";
import { describeBounds, describeCron } from "./describe.js";
import { parseInstant } from "./instant.js";
import { getTimeZone, type TimeZone } from "./timezone.js";
import type { CronTriggerSpec, DateInput, DstPolicy } from "./trigger.js";
import { nextInstant, type ResolvedDst, resolveDst } from "./wall-clock.js";

export interface CronTriggerOptions {
  /** IANA timezone or fixed offset the expression is read in. @default "UTC" */
  timezone?: string;
  /** DST handling. @default classic cron, see {@link DstPolicy} */
  dst?: DstPolicy;
  /** Whether restricted day-of-month and day-of-week fields both have to match. @default "or" */
  dayMatch?: "or" | "and";
  /** No fire before this instant. */
  startAt?: DateInput;
  /** No fire after this instant. */
  endAt?: DateInput;
}

export class CronTrigger extends BaseTrigger {
  readonly kind = "cron" as const;
  readonly recurring = true;
  readonly expression: string;
  readonly timezone: string;
  readonly dst: Readonly<DstPolicy> | undefined;
  readonly dayMatch: "or" | "and";
  private readonly fields: CronFields;
  private readonly zone: TimeZone;
  private readonly schedule: CronSchedule;
  private readonly policy: ResolvedDst;

  /** Use {@link cronTrigger}; this constructor trusts its (already validated) arguments. */
  constructor(
    fields: CronFields,
    schedule: CronSchedule,
    zone: TimeZone,
    dst: DstPolicy | undefined,
    dayMatch: "or" | "and",
    bounds: Bounds,
  ) {
    super(bounds);
    this.fields = fields;
    this.expression = fields.expression;
    this.zone = zone;
    this.timezone = zone.name;
    this.dst = dst === undefined ? undefined : Object.freeze({ ...dst });
    this.dayMatch = dayMatch;
    this.schedule = schedule;
    this.policy = resolveDst(dst, fields.fixedTime);
    Object.freeze(this);
  }

  protected rawNextMs(afterMs: number): number {
    return nextInstant(this.zone, this.schedule, afterMs, this.policy);
  }

  describe(): string {
    return (
      describeCron(this.fields, this.timezone, this.dayMatch) +
      describeBounds(this.startMs, this.endMs, this.zone)
    );
  }

  toJSON(): CronTriggerSpec {
    const spec: CronTriggerSpec = {
      kind: "cron",
      version: 1,
      expression: this.expression,
      timezone: this.timezone,
    };
    if (this.dst !== undefined) spec.dst = { ...this.dst };
    if (this.dayMatch !== "or") spec.dayMatch = this.dayMatch;
    return { ...spec, ...this.boundsJSON() };
  }
}

/**
 * A cron trigger. `expression`: 5 fields, or 6 with seconds first, or a macro; read in
 * `options.timezone` (default UTC). Throws InvalidTriggerError for any mistake, including an
 * expression that never fires ("0 0 30 2 *").
 */
export function cronTrigger(expression: string, options: CronTriggerOptions = {}): CronTrigger {
  const cron = prepareCron(expression, options, "cron");
  const bounds: Bounds = {
    startMs:
      options.startAt === undefined ? NO_BOUNDS.startMs : parseInstant(options.startAt, "startAt", cron.zone),
    endMs: options.endAt === undefined ? NO_BOUNDS.endMs : parseInstant(options.endAt, "endAt", cron.zone),
  };
  return cron.build(bounds);
}

/** A validated cron expression and its settings, waiting for its bounds. */
export interface PreparedCron {
  readonly zone: TimeZone;
  build(bounds: Bounds): CronTrigger;
}

/**
 * Validates everything but the bounds. `field` names the expression (`cron` in options,
 * `expression` in specs) and `prefix` the spec path (`triggers[0].`) in error messages.
 */
export function prepareCron(
  expression: unknown,
  options: { timezone?: string | undefined; dst?: unknown; dayMatch?: unknown },
  field: string,
  prefix = "",
  dayMatchField = "dayMatch",
): PreparedCron {
  const fields = parseCron(expression, prefix + field);
  const zone = getTimeZone(options.timezone ?? "UTC", `${prefix}timezone`);
  const dayMatch = options.dayMatch ?? "or";
  if (dayMatch !== "or" && dayMatch !== "and") {
    throw new InvalidTriggerError(prefix + dayMatchField, '"or" or "and"', options.dayMatch);
  }
  const dst = options.dst === undefined ? undefined : checkDstPolicy(options.dst, `${prefix}dst`);
  const schedule = new CronSchedule(fields, dayMatch);
  if (Number.isNaN(schedule.nextLocal(localMs(2000, 1, 1, 0, 0, 0) - 1))) {
    throw new InvalidTriggerError(
      prefix + field,
      "a cron expression that matches at least one date",
      expression,
      {
        message:
          `Expected a cron expression that matches at least one date, got ${JSON.stringify(fields.expression)}, ` +
          `which never fires (no date has the day and month it asks for` +
          `${dayMatch === "and" ? ", with both day rules matching" : ""})`,
      },
    );
  }
  return { zone, build: (bounds) => new CronTrigger(fields, schedule, zone, dst, dayMatch, bounds) };
}

/** Validates a {@link DstPolicy} and returns a copy with only the given choices. */
export function checkDstPolicy(value: unknown, field: string): DstPolicy {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidTriggerError(
      field,
      "an object { gap?: 'shift' | 'skip', fold?: 'first' | 'second' | 'both' }",
      value,
    );
  }
  const out: DstPolicy = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (key === "gap") {
      if (v !== "shift" && v !== "skip")
        throw new InvalidTriggerError(`${field}.gap`, '"shift" or "skip"', v);
      out.gap = v;
    } else if (key === "fold") {
      if (v !== "first" && v !== "second" && v !== "both") {
        throw new InvalidTriggerError(`${field}.fold`, '"first", "second" or "both"', v);
      }
      out.fold = v;
    } else if (v !== undefined) {
      throw new InvalidTriggerError(`${field}.${key}`, "absent: a DST policy has only `gap` and `fold`", v);
    }
  }
  return out;
}
