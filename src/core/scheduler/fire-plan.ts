/**
 * What happens to a due job's occurrences: a pure function from (job, trigger, now) to the records
 * the store must write. No I/O, no clock: the scheduler calls it between claiming a job and
 * committing the result, and tests call it directly.
 *
 * Order of decisions, for the occurrences due since the job's last fire:
 * 1. lateness: an occurrence fired more than `misfireGrace` after its due time is late;
 * 2. catch-up: late occurrences are run or recorded missed according to `catchUp`;
 * 3. overlap: each occurrence still to run either starts, waits, or is recorded skipped according
 *    to `overlap`, counting the job's live runs and the ones started in this same fire.
 * Long downtimes are recorded without one record per occurrence: consecutive missed occurrences
 * beyond {@link MAX_MISSED_RECORDS} are coalesced into one record that says how many it stands for.
 */
import { type JobRecord, type RunReason, type RunRecord, occurrenceId } from "../jobs/job.js";
import { type FireCommit, newRunRecord } from "../stores/store.js";
import { jitterOffsetMs } from "../triggers/jitter.js";
import type { Trigger } from "../triggers/trigger.js";

/** Missed occurrences recorded one by one per fire; more are coalesced into a single record. */
export const MAX_MISSED_RECORDS = 20;

/**
 * The most occurrences enumerated one by one in a fire (about 0.1 s of work). Beyond, the planner
 * jumps ahead to the last occurrence before `now`; the coalesced count is then a lower bound.
 */
export const MAX_ENUMERATED = 1_000_000;

export interface FirePlan {
  commit: FireCommit;
  /** Live runs of the job to cancel because a new occurrence replaces them (overlap `replace`). */
  replaceLive: boolean;
}

/** The jitter of one occurrence: a fixed function of the job id and time, from 0 to `jitterMs`. */
export function jitterFor(jobId: string, scheduledAt: number, jitterMs: number): number {
  return jitterMs <= 0 ? 0 : jitterOffsetMs(jobId, scheduledAt, jitterMs);
}

export function planFire(job: JobRecord, trigger: Trigger, now: number): FirePlan {
  const { policy } = job;
  const claimToken = job.claim?.token ?? 0;
  const first = job.nextRunAt;
  // The common case, kept free of the general path's arrays: exactly one occurrence is due.
  if (first !== null && first <= now) {
    const second = trigger.nextMs(first);
    if (second === null || second > now) return planSingle(job, first, second, now, claimToken);
  }
  const due: number[] = [];
  let cursor = first;
  let truncated = false;
  while (cursor !== null && cursor <= now) {
    if (due.length === MAX_ENUMERATED) {
      truncated = true;
      break;
    }
    due.push(cursor);
    cursor = trigger.nextMs(cursor);
  }
  if (truncated && cursor !== null) {
    const last = lastAtOrBefore(trigger, now);
    if (last !== null && last > due[due.length - 1]!) due.push(last);
    cursor = trigger.nextMs(last ?? now);
    while (cursor !== null && cursor <= now) cursor = trigger.nextMs(cursor);
  }

  const grace = policy.misfireGraceMs;
  const isLate = (t: number): boolean =>
    grace !== null && now - (t + jitterFor(job.id, t, policy.jitterMs)) > grace;
  // Lateness falls as occurrences get more recent, so the late ones are a prefix.
  let lateCount = 0;
  while (lateCount < due.length && isLate(due[lateCount]!)) lateCount++;

  const runs: RunRecord[] = [];
  const missed: Array<{ at: number; reason: RunReason }> = [];
  const toRun: Array<{ at: number; catchUp: boolean }> = [];
  for (let i = 0; i < due.length; i++) {
    const at = due[i]!;
    if (i >= lateCount) {
      toRun.push({ at, catchUp: false });
      continue;
    }
    switch (policy.catchUp) {
      case "none":
        missed.push({ at, reason: "misfire" });
        break;
      case "latest":
        if (i === lateCount - 1 && lateCount === due.length) toRun.push({ at, catchUp: true });
        else missed.push({ at, reason: "catch-up" });
        break;
      case "all":
        if (lateCount - i <= policy.catchUpLimit) toRun.push({ at, catchUp: true });
        else missed.push({ at, reason: "catch-up-limit" });
        break;
    }
  }
  pushMissed(runs, job, missed, now, truncated);

  let live = job.activeRuns;
  let waiting = policy.overlap === "queue" ? Math.max(0, job.activeRuns - 1) : 0;
  let replaceLive = false;
  for (let i = 0; i < toRun.length; i++) {
    const { at, catchUp } = toRun[i]!;
    const make = (status: RunRecord["status"], reason: RunReason | null = null): RunRecord =>
      newRunRecord({
        id: occurrenceId(job.id, at),
        jobId: job.id,
        taskName: job.taskName,
        origin: catchUp ? "catch-up" : "schedule",
        scheduledAt: at,
        dueAt: at + jitterFor(job.id, at, policy.jitterMs),
        firedAt: now,
        status,
        reason,
        args: job.args,
        policy,
      });
    switch (policy.overlap) {
      case "skip":
        runs.push(live > 0 ? make("skipped", "overlap") : make("pending"));
        if (live === 0) live++;
        break;
      case "allow":
        if (policy.maxConcurrent !== null && live >= policy.maxConcurrent)
          runs.push(make("skipped", "overlap"));
        else {
          runs.push(make("pending"));
          live++;
        }
        break;
      case "queue":
        if (live === 0) {
          runs.push(make("pending"));
          live++;
        } else if (waiting < policy.maxQueued) {
          runs.push(make("waiting"));
          waiting++;
          live++;
        } else runs.push(make("skipped", "queue-full"));
        break;
      case "replace":
        if (i < toRun.length - 1) runs.push(make("cancelled", "replaced"));
        else {
          runs.push(make("pending"));
          replaceLive = live > 0;
        }
        break;
    }
  }

  return {
    commit: { jobId: job.id, claimToken, jobVersion: job.version, nextRunAt: cursor, runs },
    replaceLive,
  };
}

/** {@link planFire} when exactly one occurrence (`at`) is due. Same decisions, no intermediate arrays. */
function planSingle(
  job: JobRecord,
  at: number,
  nextRunAt: number | null,
  now: number,
  claimToken: number,
): FirePlan {
  const { policy } = job;
  const dueAt = at + jitterFor(job.id, at, policy.jitterMs);
  const late = policy.misfireGraceMs !== null && now - dueAt > policy.misfireGraceMs;
  let status: RunRecord["status"] = "pending";
  let reason: RunReason | null = null;
  let replaceLive = false;
  if (late && policy.catchUp === "none") {
    status = "missed";
    reason = "misfire";
  } else {
    const live = job.activeRuns;
    switch (policy.overlap) {
      case "skip":
        if (live > 0) [status, reason] = ["skipped", "overlap"];
        break;
      case "allow":
        if (policy.maxConcurrent !== null && live >= policy.maxConcurrent)
          [status, reason] = ["skipped", "overlap"];
        break;
      case "queue":
        if (live > 0) {
          if (Math.max(0, live - 1) < policy.maxQueued) status = "waiting";
          else [status, reason] = ["skipped", "queue-full"];
        }
        break;
      case "replace":
        replaceLive = live > 0;
        break;
    }
  }
  const run = newRunRecord({
    id: occurrenceId(job.id, at),
    jobId: job.id,
    taskName: job.taskName,
    origin: late && status !== "missed" ? "catch-up" : "schedule",
    scheduledAt: at,
    dueAt,
    firedAt: now,
    status,
    reason,
    args: job.args,
    policy,
  });
  return {
    commit: { jobId: job.id, claimToken, jobVersion: job.version, nextRunAt, runs: [run] },
    replaceLive,
  };
}

function pushMissed(
  runs: RunRecord[],
  job: JobRecord,
  missed: Array<{ at: number; reason: RunReason }>,
  now: number,
  countIsLowerBound: boolean,
): void {
  if (missed.length === 0) return;
  const record = (at: number, reason: RunReason, coalesced: RunRecord["coalesced"] = null): RunRecord =>
    newRunRecord({
      id: occurrenceId(job.id, at),
      jobId: job.id,
      taskName: job.taskName,
      origin: "schedule",
      scheduledAt: at,
      dueAt: at + jitterFor(job.id, at, job.policy.jitterMs),
      firedAt: now,
      status: "missed",
      reason,
      args: job.args,
      policy: job.policy,
      coalesced,
    });
  if (missed.length <= MAX_MISSED_RECORDS && !countIsLowerBound) {
    for (const m of missed) runs.push(record(m.at, m.reason));
    return;
  }
  // Keep the most recent ones individually; everything before them becomes one record.
  const keep = MAX_MISSED_RECORDS - 1;
  const head = missed.slice(0, missed.length - keep);
  const first = head[0]!;
  const last = head[head.length - 1]!;
  runs.push(record(first.at, first.reason, { count: head.length, lastScheduledAt: last.at }));
  for (const m of missed.slice(missed.length - keep)) runs.push(record(m.at, m.reason));
}

/** The last fire time at or before `t`, found by looking back over growing windows. */
function lastAtOrBefore(trigger: Trigger, t: number): number | null {
  for (const windowMs of [1_000, 60_000, 3_600_000, 86_400_000, 31 * 86_400_000, 366 * 86_400_000]) {
    let candidate = trigger.nextMs(t - windowMs);
    if (candidate === null || candidate > t) continue;
    for (;;) {
      const next = trigger.nextMs(candidate);
      if (next === null || next > t) return candidate;
      candidate = next;
    }
  }
  return null;
}
