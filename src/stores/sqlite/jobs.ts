/**
 * Job management: insert, replace, update, remove. Each function runs inside the caller's
 * transaction (a write transaction for all but {@link getJob}).
 */
import { DuplicateJobError, JobNotFoundError } from "../../core/errors.js";
import type { JobRecord } from "../../core/jobs/job.js";
import type { JobPatch } from "../../core/stores/store.js";
import type { StoreContext, WriteContext } from "./context.js";
import { jobFromRow, jobToRow } from "./rows.js";

export function getJob(ctx: StoreContext, id: string): JobRecord | null {
  const row = ctx.s.getJob.get(id);
  return row ? jobFromRow(row) : null;
}

export function insertJob(
  ctx: WriteContext,
  job: JobRecord,
  options: { replace: boolean; now: number },
): JobRecord {
  // ON CONFLICT DO NOTHING rather than catching SQLITE_CONSTRAINT: a duplicate is an answer, not a
  // failure, and other constraint failures must not be mistaken for one.
  // Records are read back so that callers see what is stored (args after their JSON round trip).
  if (ctx.s.insertJob.run(jobToRow(job)).changes === 1) return getJob(ctx, job.id)!;
  if (!options.replace) throw new DuplicateJobError(job.id);
  const existing = getJob(ctx, job.id)!;
  // The definition is replaced; counters, run history and any claim in progress are kept (the
  // version bump tells the claim holder not to overwrite nextRunAt).
  return writeDefinition(ctx, {
    ...existing,
    taskName: job.taskName,
    args: job.args,
    description: job.description,
    trigger: job.trigger,
    policy: job.policy,
    paused: job.paused,
    nextRunAt: job.nextRunAt,
    updatedAt: options.now,
    version: existing.version + 1,
  });
}

export function updateJob(ctx: WriteContext, id: string, patch: JobPatch, now: number): JobRecord {
  const existing = getJob(ctx, id);
  if (!existing) throw new JobNotFoundError(id);
  const updated: JobRecord = { ...existing, updatedAt: now, version: existing.version + 1 };
  // Only the fields the port allows, and only those present: an `undefined` leaves the field alone.
  if (patch.taskName !== undefined) updated.taskName = patch.taskName;
  if (patch.args !== undefined) updated.args = patch.args;
  if (patch.description !== undefined) updated.description = patch.description;
  if (patch.trigger !== undefined) updated.trigger = patch.trigger;
  if (patch.policy !== undefined) updated.policy = patch.policy;
  if (patch.paused !== undefined) updated.paused = patch.paused;
  if (patch.nextRunAt !== undefined) updated.nextRunAt = patch.nextRunAt;
  return writeDefinition(ctx, updated);
}

export function removeJob(ctx: WriteContext, id: string): JobRecord | null {
  const existing = getJob(ctx, id);
  if (!existing) return null;
  // The runs go with it: ON DELETE CASCADE (foreign_keys is on for every connection we open).
  ctx.s.deleteJob.run(id);
  return existing;
}

function writeDefinition(ctx: WriteContext, job: JobRecord): JobRecord {
  ctx.s.writeJobDefinition.run({
    id: job.id,
    task_name: job.taskName,
    args: JSON.stringify(job.args),
    description: job.description,
    trigger: JSON.stringify(job.trigger),
    policy: JSON.stringify(job.policy),
    paused: job.paused ? 1 : 0,
    next_run_at: job.nextRunAt,
    updated_at: job.updatedAt,
    version: job.version,
  });
  return getJob(ctx, job.id)!;
}
