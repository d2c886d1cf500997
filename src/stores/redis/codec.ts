/**
 * Records as Redis hashes, and back.
 *
 * Fields the scripts compute with (times, counters, status, lease, claim) are plain decimal
 * strings; what only the caller reads (args, trigger, policy, errors, the description) is stored as
 * the JSON text the caller wrote, never decoded in Lua (see lua/common.lua). A null field is a
 * missing one. Attempts are flat fields `a<n>s` (start), `a<n>e` (end), `a<n>d` (duration),
 * `a<n>o` (outcome), `a<n>x` (error JSON), `a<n>w` (worker), with `n` the attempt count.
 */
import type { SerializedError } from "../../core/errors.js";
import type { AttemptRecord, JobRecord, RunRecord } from "../../core/jobs/job.js";
import { sharedJson } from "../../core/jobs/frozen.js";
import type { JobPolicy, RetryPolicy } from "../../core/jobs/policies.js";
import type { JobPatch } from "../../core/stores/store.js";
import type { TriggerSpecBase } from "../../core/triggers/trigger.js";

export type Hash = Record<string, string>;

/** HGETALL as ioredis answers it inside a script reply: a flat [field, value, ...] array. */
export function toHash(flat: unknown): Hash {
  const hash: Hash = {};
  if (!Array.isArray(flat)) return hash;
  for (let i = 0; i + 1 < flat.length; i += 2) hash[String(flat[i])] = String(flat[i + 1]);
  return hash;
}

const num = (value: string | undefined): number | null => (value === undefined ? null : Number(value));
const json = <T>(value: string | undefined): T | null =>
  value === undefined ? null : (JSON.parse(value) as T);

// ---- Jobs ---------------------------------------------------------------------------------

/** The fields of a new job (no claim: a stored job starts unclaimed). */
export function jobFields(job: JobRecord): string[] {
  const out = [
    "id",
    job.id,
    "task",
    job.taskName,
    "args",
    JSON.stringify(job.args),
    "trigger",
    JSON.stringify(job.trigger),
    "policy",
    JSON.stringify(job.policy),
    "paused",
    job.paused ? "1" : "0",
    "active",
    String(job.activeRuns),
    "runs",
    String(job.runCount),
    "failures",
    String(job.failureCount),
    "skipped",
    String(job.skippedCount),
    "missed",
    String(job.missedCount),
    "created",
    String(job.createdAt),
    "updated",
    String(job.updatedAt),
    "version",
    String(job.version),
  ];
  push(out, "desc", job.description === null ? null : JSON.stringify(job.description));
  push(out, "next", job.nextRunAt);
  push(out, "lastId", job.lastRunId);
  push(out, "lastStart", job.lastRunStartedAt);
  push(out, "lastEnd", job.lastRunEndedAt);
  push(out, "lastDur", job.lastDurationMs);
  push(out, "lastOutcome", job.lastOutcome);
  push(out, "lastError", job.lastError === null ? null : JSON.stringify(job.lastError));
  return out;
}

/** A patch as [field, value] pairs to set and fields to delete. */
export function patchFields(patch: JobPatch): { set: string[]; del: string[] } {
  const set: string[] = [];
  const del: string[] = [];
  const put = (field: string, value: string | null): void => {
    if (value === null) del.push(field);
    else set.push(field, value);
  };
  if (patch.taskName !== undefined) put("task", patch.taskName);
  if (patch.args !== undefined) put("args", JSON.stringify(patch.args));
  if (patch.description !== undefined)
    put("desc", patch.description === null ? null : JSON.stringify(patch.description));
  if (patch.trigger !== undefined) put("trigger", JSON.stringify(patch.trigger));
  if (patch.policy !== undefined) put("policy", JSON.stringify(patch.policy));
  if (patch.paused !== undefined) put("paused", patch.paused ? "1" : "0");
  if (patch.nextRunAt !== undefined) put("next", patch.nextRunAt === null ? null : String(patch.nextRunAt));
  return { set, del };
}

export function jobFromHash(h: Hash): JobRecord {
  return {
    id: h.id!,
    taskName: h.task!,
    args: JSON.parse(h.args!) as unknown[],
    description: json<string>(h.desc),
    trigger: sharedJson<TriggerSpecBase>(h.trigger!),
    policy: sharedJson<JobPolicy>(h.policy!),
    paused: h.paused === "1",
    nextRunAt: num(h.next),
    activeRuns: Number(h.active ?? 0),
    runCount: Number(h.runs ?? 0),
    failureCount: Number(h.failures ?? 0),
    skippedCount: Number(h.skipped ?? 0),
    missedCount: Number(h.missed ?? 0),
    lastRunId: h.lastId ?? null,
    lastRunStartedAt: num(h.lastStart),
    lastRunEndedAt: num(h.lastEnd),
    lastDurationMs: num(h.lastDur),
    lastOutcome: (h.lastOutcome as JobRecord["lastOutcome"]) ?? null,
    lastError: json<SerializedError>(h.lastError),
    createdAt: Number(h.created),
    updatedAt: Number(h.updated),
    version: Number(h.version),
    claim:
      h.cToken === undefined
        ? null
        : { owner: h.cOwner ?? "", expiresAt: Number(h.cExp), token: Number(h.cToken) },
  };
}

// ---- Runs ---------------------------------------------------------------------------------

/**
 * Runs are listed newest first from lex-ordered indexes of `<time>|<run id>` members. The time is
 * the floor of scheduledAt plus 10^15, zero-padded to 16 digits, so that members sort by time
 * first (for scheduledAt from -10^15 to about 9·10^15 ms) and the run id starts at character 18.
 */
export function lexTime(ms: number): string {
  return String(Math.floor(ms) + 1e15).padStart(16, "0");
}

export function lexMember(run: Pick<RunRecord, "scheduledAt" | "id">): string {
  return `${lexTime(run.scheduledAt)}|${run.id}`;
}

/** The fields of a run as it is inserted (the lease is written by the script). */
export function runFields(run: RunRecord): string[] {
  const out = [
    "id",
    run.id,
    "jobId",
    run.jobId,
    "task",
    run.taskName,
    "origin",
    run.origin,
    "sched",
    String(run.scheduledAt),
    "due",
    String(run.dueAt),
    "fired",
    String(run.firedAt),
    "status",
    run.status,
    "args",
    JSON.stringify(run.args),
    "retry",
    JSON.stringify(run.retry),
    "maxAttempts",
    String(run.retry.attempts),
    "group",
    run.group,
    "lex",
    lexMember(run),
    "n",
    String(run.attempts.length),
  ];
  push(out, "reason", run.reason);
  push(out, "started", run.startedAt);
  push(out, "ended", run.endedAt);
  push(out, "dur", run.durationMs);
  push(out, "timeout", run.timeoutMs);
  push(out, "nextAt", run.nextAttemptAt);
  push(out, "error", run.error === null ? null : JSON.stringify(run.error));
  push(out, "worker", run.worker);
  push(out, "coalesced", run.coalesced === null ? null : JSON.stringify(run.coalesced));
  run.attempts.forEach((a, i) => {
    const p = `a${i + 1}`;
    push(out, `${p}s`, a.startedAt);
    push(out, `${p}e`, a.endedAt);
    push(out, `${p}d`, a.durationMs);
    push(out, `${p}o`, a.outcome);
    push(out, `${p}x`, a.error === null ? null : JSON.stringify(a.error));
    push(out, `${p}w`, a.worker);
  });
  return out;
}

/** A script's HGETALL reply for a run that may not exist (an empty reply): the run, or null. */
export function runOrNull(flat: unknown): RunRecord | null {
  const hash = toHash(flat);
  return hash.id === undefined ? null : runFromHash(hash);
}

export function runFromHash(h: Hash): RunRecord {
  const n = Number(h.n ?? 0);
  const attempts: AttemptRecord[] = [];
  for (let i = 1; i <= n; i++) {
    const p = `a${i}`;
    attempts.push({
      attempt: i,
      startedAt: Number(h[`${p}s`]),
      endedAt: num(h[`${p}e`]),
      durationMs: num(h[`${p}d`]),
      outcome: (h[`${p}o`] as AttemptRecord["outcome"]) ?? null,
      error: json<SerializedError>(h[`${p}x`]),
      worker: h[`${p}w`] ?? null,
    });
  }
  return {
    id: h.id!,
    jobId: h.jobId!,
    taskName: h.task!,
    origin: h.origin as RunRecord["origin"],
    scheduledAt: Number(h.sched),
    dueAt: Number(h.due),
    firedAt: Number(h.fired),
    status: h.status as RunRecord["status"],
    reason: (h.reason as RunRecord["reason"]) ?? null,
    args: JSON.parse(h.args!) as unknown[],
    startedAt: num(h.started),
    endedAt: num(h.ended),
    durationMs: num(h.dur),
    attempts,
    retry: sharedJson<RetryPolicy>(h.retry!),
    timeoutMs: num(h.timeout),
    group: h.group!,
    nextAttemptAt: num(h.nextAt),
    error: json<SerializedError>(h.error),
    worker: h.worker ?? null,
    lease:
      h.lToken === undefined
        ? null
        : { owner: h.lOwner ?? "", expiresAt: Number(h.lExp), token: Number(h.lToken) },
    coalesced: json<RunRecord["coalesced"]>(h.coalesced),
  };
}

function push(out: string[], field: string, value: string | number | null): void {
  if (value !== null) out.push(field, String(value));
}
