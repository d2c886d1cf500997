/**
 * Combinations of triggers.
 *
 * - A union fires whenever any of its triggers fires, once per instant (two triggers firing at
 *   the same millisecond give one fire).
 * - An intersection fires at the instants where all of its triggers fire: "every 90 minutes, but
 *   only during business hours" is `intersection([interval 90m, cron "* 9-17 * * MON-FRI"])`.
 *   It is meaningful when the triggers can coincide (cron and calendar times fall on whole
 *   seconds; an interval coincides with them only if its anchor and period do). An intersection
 *   searches at most {@link MAX_INTERSECTION_STEPS} candidates per `next()` and throws
 *   InvalidTriggerError if it finds no common instant within them, rather than loop forever or
 *   pretend that it never fires.
 */
import { InvalidTriggerError } from "../errors.js";
import { BaseTrigger, type Bounds } from "./bounds.js";
import { describeBounds } from "./describe.js";
import { parseInstant, toIso } from "./instant.js";
import { getTimeZone } from "./timezone.js";
import type { IntersectionTriggerSpec, Trigger, UnionTriggerSpec } from "./trigger.js";

export const MAX_INTERSECTION_STEPS = 100_000;

export class UnionTrigger extends BaseTrigger {
  readonly kind = "union" as const;
  readonly recurring: boolean;
  readonly triggers: readonly Trigger[];

  /** Use {@link unionTrigger}. */
  constructor(triggers: readonly Trigger[], bounds: Bounds) {
    super(bounds);
    this.triggers = Object.freeze([...triggers]);
    this.recurring = triggers.some((t) => t.recurring);
    Object.freeze(this);
  }

  protected rawNextMs(afterMs: number): number {
    let best = NaN;
    const triggers = this.triggers;
    for (let i = 0; i < triggers.length; i++) {
      const at = triggers[i]!.nextMs(afterMs);
      if (at !== null && !(at >= best)) best = at;
    }
    return best;
  }

  describe(): string {
    return (
      `any of: ${this.triggers.map((t) => `(${t.describe()})`).join("; ")}` +
      describeBounds(this.startMs, this.endMs, getTimeZone("UTC"))
    );
  }

  toJSON(): UnionTriggerSpec {
    return {
      kind: "union",
      version: 1,
      triggers: this.triggers.map((t) => t.toJSON()),
      ...this.boundsJSON(),
    };
  }
}

export class IntersectionTrigger extends BaseTrigger {
  readonly kind = "intersection" as const;
  readonly recurring: boolean;
  readonly triggers: readonly Trigger[];

  /** Use {@link intersectionTrigger}. */
  constructor(triggers: readonly Trigger[], bounds: Bounds) {
    super(bounds);
    this.triggers = Object.freeze([...triggers]);
    this.recurring = triggers.every((t) => t.recurring);
    Object.freeze(this);
  }

  protected rawNextMs(afterMs: number): number {
    const triggers = this.triggers;
    let from = afterMs;
    for (let step = 0; step < MAX_INTERSECTION_STEPS; step++) {
      // The latest of the triggers' next fires is the earliest instant they could all share.
      let candidate = -Infinity;
      for (let i = 0; i < triggers.length; i++) {
        const at = triggers[i]!.nextMs(from);
        if (at === null) return NaN;
        if (at > candidate) candidate = at;
      }
      let all = true;
      for (let i = 0; i < triggers.length && all; i++) {
        all = triggers[i]!.nextMs(candidate - 1) === candidate;
      }
      if (all) return candidate;
      // Every common instant is at or after each trigger's next fire, so at or after `candidate`,
      // and `candidate` is not one: search after it. Candidates strictly increase.
      from = candidate;
    }
    throw new InvalidTriggerError(
      "trigger",
      "an intersection whose triggers fire at common instants",
      this.toJSON(),
      {
        message:
          `The intersection found no instant where all its triggers fire within ${MAX_INTERSECTION_STEPS} steps ` +
          `after ${toIso(afterMs)}; its triggers may never coincide (an interval shares instants with a cron ` +
          `trigger only if its anchor and period fall on the same whole seconds)`,
      },
    );
  }

  describe(): string {
    return (
      `when all of: ${this.triggers.map((t) => `(${t.describe()})`).join("; ")}` +
      describeBounds(this.startMs, this.endMs, getTimeZone("UTC"))
    );
  }

  toJSON(): IntersectionTriggerSpec {
    return {
      kind: "intersection",
      version: 1,
      triggers: this.triggers.map((t) => t.toJSON()),
      ...this.boundsJSON(),
    };
  }
}

/** The most triggers a union or intersection may combine (specs may come from HTTP requests). */
export const MAX_COMBINED_TRIGGERS = 50;

function checkTriggers(triggers: unknown, field: string): readonly Trigger[] {
  if (!Array.isArray(triggers) || triggers.length === 0 || triggers.length > MAX_COMBINED_TRIGGERS) {
    throw new InvalidTriggerError(field, `an array of 1 to ${MAX_COMBINED_TRIGGERS} triggers`, triggers);
  }
  for (const [i, t] of (triggers as unknown[]).entries()) {
    if (!(t instanceof BaseTrigger)) {
      throw new InvalidTriggerError(
        `${field}[${i}]`,
        "a trigger built by cronTrigger(), intervalTrigger(), ... or triggerFromSpec()",
        t,
      );
    }
  }
  return triggers as Trigger[];
}

export interface CombineOptions {
  /** No fire before this instant (ISO 8601 with an offset, a Date or epoch ms). */
  startAt?: Date | string | number;
  /** No fire after this instant. */
  endAt?: Date | string | number;
}

/** Fires whenever any of `triggers` fires, once per instant. */
export function unionTrigger(triggers: readonly Trigger[], options: CombineOptions = {}): UnionTrigger {
  return new UnionTrigger(checkTriggers(triggers, "triggers"), combineBounds(options));
}

/** Fires at the instants where every one of `triggers` fires. */
export function intersectionTrigger(
  triggers: readonly Trigger[],
  options: CombineOptions = {},
): IntersectionTrigger {
  return new IntersectionTrigger(checkTriggers(triggers, "triggers"), combineBounds(options));
}

function combineBounds(options: CombineOptions): Bounds {
  const utc = getTimeZone("UTC");
  return {
    startMs: options.startAt === undefined ? -Infinity : parseInstant(options.startAt, "startAt", utc),
    endMs: options.endAt === undefined ? Infinity : parseInstant(options.endAt, "endAt", utc),
  };
}
