/**
 * From wall-clock schedules to instants: the one place that knows about DST gaps and folds.
 *
 * Cron and calendar triggers describe local times ("09:00 every weekday"). {@link nextInstant} walks
 * the zone's periods of constant offset and asks the schedule for its next local time in each:
 *
 * - inside a period, local time `L` is the instant `L - offset`;
 * - at a fold (the offset decreases, local times repeat), a match in the repeated range is a
 *   first pass at the end of the earlier period and a second pass at the start of the later one,
 *   kept or dropped according to `fold`;
 * - at a gap (the offset increases, local times are skipped), a match inside the skipped range
 *   either fires at the first instant after the gap (`gap: 'shift'`, once however many matches the
 *   gap swallowed) or does not fire (`gap: 'skip'`).
 *
 * Everything here is arithmetic on numbers; the zone's period lookup is usually a range check.
 */
import type { DstPolicy } from "./trigger.js";
import { MAX_SUPPORTED_MS, MIN_SUPPORTED_MS, type TimeZone } from "./timezone.js";

/** A schedule written in local (wall-clock) milliseconds, see `civil.ts`. */
export interface LocalSchedule {
  /** The first local time strictly after `localMs` at which the schedule fires, or NaN if none. */
  nextLocal(localMs: number): number;
}

/** A {@link DstPolicy} with every choice made. */
export interface ResolvedDst {
  readonly gapShift: boolean;
  readonly foldFirst: boolean;
  readonly foldSecond: boolean;
}

/**
 * The policy in force: the caller's choices, else classic cron. A fixed time of day shifts out of
 * a gap and fires on the first pass of a fold; a wildcard or step schedule skips missing times and
 * fires on both passes (it simply follows the clock).
 */
export function resolveDst(policy: DstPolicy | undefined, fixedTime: boolean): ResolvedDst {
  const gap = policy?.gap ?? (fixedTime ? "shift" : "skip");
  const fold = policy?.fold ?? (fixedTime ? "first" : "both");
  return {
    gapShift: gap === "shift",
    foldFirst: fold === "first" || fold === "both",
    foldSecond: fold === "second" || fold === "both",
  };
}

/**
 * The first instant strictly after `afterMs` at which `schedule` fires in `zone` under `dst`, or
 * NaN when there is none before the end of year 9999.
 */
export function nextInstant(
  zone: TimeZone,
  schedule: LocalSchedule,
  afterMs: number,
  dst: ResolvedDst,
): number {
  if (afterMs >= MAX_SUPPORTED_MS) return NaN;
  if (zone.fixed) {
    const offset = zone.segOffset;
    const local = schedule.nextLocal(afterMs + offset);
    const at = local - offset;
    return at < MAX_SUPPORTED_MS ? at : NaN;
  }
  let after = afterMs < MIN_SUPPORTED_MS ? MIN_SUPPORTED_MS - 1 : afterMs;
  zone.lookup(after);
  // Each turn of this loop handles one period of constant offset (about two a year for a DST zone,
  // plus a table boundary at each new UTC year). A schedule that fires at least once every 400
  // years (checked when it is built) ends the loop long before the guard.
  for (let guard = 0; guard < 100_000; guard++) {
    const start = zone.segStart;
    if (start >= MAX_SUPPORTED_MS) return NaN;
    const offset = zone.segOffset;
    const end = zone.segEnd;
    const prev = zone.prevOffset;
    const next = zone.nextOffset;
    let from = after + offset;
    // The schedule's next local time beyond this period, when the search ran past its end.
    let beyond = NaN;
    for (;;) {
      const local = schedule.nextLocal(from);
      if (local !== local) return NaN;
      const at = local - offset;
      if (at >= end) {
        beyond = local;
        break;
      }
      if (prev > offset && local < start + prev) {
        // Second pass through local times that the previous period already showed.
        if (dst.foldSecond) return at;
        from = start + prev - 1;
        continue;
      }
      if (next < offset && local >= end + next) {
        // First pass through local times that the next period will show again.
        if (dst.foldFirst) return at;
        break;
      }
      return at;
    }
    if (next > offset && dst.gapShift) {
      // Local times [end + offset, end + next) do not exist; a match among them fires at `end`.
      const inGap = schedule.nextLocal(end + offset - 1);
      if (inGap === inGap && inGap < end + next) return end;
    }
    if (end >= MAX_SUPPORTED_MS) return NaN;
    // A rare schedule (a leap day) would walk through every period up to its next local time
    // `beyond`. When the next period does not start with a fold, every later local time is after
    // `from`, so nothing can fire before local time `beyond`: jump to two days before it.
    const jump = beyond - offset - 2 * 86_400_000;
    if (next >= offset && jump > end) {
      after = jump;
      zone.lookup(after);
      continue;
    }
    after = end - 1;
    zone.lookup(end);
  }
  throw new Error(`nextInstant did not converge in ${zone.name} after ${afterMs}`);
}
