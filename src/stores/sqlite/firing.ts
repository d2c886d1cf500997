/**
 * Firing: claiming due jobs and committing what their claim holders decided.
 *
 * Exactly-once across processes rests on three things here: claims and commits run in
 * `BEGIN IMMEDIATE` transactions (one writer at a time, whoever it is), every claim gets a fencing
 * token from the database's sequence, and a commit is applied only while the job's claim still
 * carries the committer's token. The run id's primary key does the rest: `ON CONFLICT DO NOTHING`
 * makes a second insert of an occurrence a no-op.
 */
import { LIVE_RUN_STATUSES, type JobRecord, type RunRecord, cancelForPause } from "../../core/jobs/job.js";
import type { ClaimArgs, FireCommit, FireCommitResult } from "../../core/stores/store.js";
import { claimLimit, newLease, trimFinals, type StoreContext, type WriteContext } from "./context.js";
import { jobFromRow, runToRow } from "./rows.js";

export function nextWakeAt(ctx: StoreContext, shared: boolean): number | null {
  const candidates = [
    ctx.s.nextUnclaimedJob.get()?.at,
    // A claimed job is due again when its claim expires (or later, if a user moved it since).
    ctx.s.nextClaimedJob.get()?.at,
    ctx.s.nextRetry.get()?.at,
    shared ? ctx.s.nextLeaseExpiry.get()?.at : undefined,
  ];
  let earliest: number | null = null;
  for (const at of candidates) {
    if (typeof at === "number" && (earliest === null || at < earliest)) earliest = at;
  }
  return earliest;
}

export function claimDueJobs(ctx: WriteContext, args: ClaimArgs): JobRecord[] {
  const rows = ctx.s.dueJobs.all({ now: args.now, limit: claimLimit(args.limit) });
  const expiresAt = args.now + args.leaseMs;
  return rows.map((row) => {
    const token = ctx.seq.next();
    ctx.s.setClaim.run(args.owner, expiresAt, token, row.id);
    return jobFromRow({ ...row, claim_owner: args.owner, claim_expires_at: expiresAt, claim_token: token });
  });
}

export function commitFires(
  ctx: WriteContext,
  commits: readonly FireCommit[],
  args: { now: number; owner: string; leaseMs: number },
): FireCommitResult[] {
  return commits.map((commit) => commitOne(ctx, commit, args));
}

function commitOne(
  ctx: WriteContext,
  commit: FireCommit,
  args: { now: number; owner: string; leaseMs: number },
): FireCommitResult {
  const job = ctx.s.jobForCommit.get(commit.jobId);
  if (!job) return { jobId: commit.jobId, status: "job-gone", inserted: [] };
  // Expired or not, the claim is still ours as long as nobody re-claimed it (which would have
  // replaced the token): then nobody else can have fired these occurrences.
  if (job.claim_token !== commit.claimToken)
    return { jobId: commit.jobId, status: "lease-lost", inserted: [] };
  if (
    commit.plannedActiveRuns !== undefined &&
    (job.version !== commit.jobVersion || job.paused !== 0 || job.active_runs !== commit.plannedActiveRuns)
  ) {
    ctx.s.releaseClaim.run(commit.jobId);
    return { jobId: commit.jobId, status: "changed", inserted: [] };
  }
  const deltas = { id: commit.jobId, active: 0, skipped: 0, missed: 0, finals: 0 };
  const inserted: RunRecord[] = [];
  for (const candidate of commit.runs) {
    if (job.paused !== 0 && LIVE_RUN_STATUSES.has(candidate.status)) cancelForPause(candidate, args.now);
    const live = LIVE_RUN_STATUSES.has(candidate.status);
    // A jittered run waits in its executor until `dueAt`: its dispatch lease starts counting then.
    const run: RunRecord = {
      ...candidate,
      lease:
        candidate.status === "pending"
          ? newLease(ctx, args.owner, Math.max(args.now, candidate.dueAt), args.leaseMs)
          : null,
    };
    if (ctx.s.insertRun.run(runToRow(run, live ? null : ctx.seq.next())).changes === 0) continue;
    if (live) {
      deltas.active++;
    } else {
      const count = run.coalesced?.count ?? 1;
      if (run.status === "skipped") deltas.skipped += count;
      else if (run.status === "missed") deltas.missed += count;
      deltas.finals++;
    }
    inserted.push(run);
  }
  ctx.s.commitJob.run({ ...deltas, job_version: commit.jobVersion, next_run_at: commit.nextRunAt });
  trimFinals(ctx, commit.jobId, job.final_runs + deltas.finals);
  return { jobId: commit.jobId, status: "ok", inserted };
}

export function releaseClaims(ctx: WriteContext, owner: string): void {
  ctx.s.releaseClaims.run(owner);
}
