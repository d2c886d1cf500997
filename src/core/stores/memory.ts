/**
 * The in-memory store: the library's default. Everything lives in this process and dies with it.
 *
 * Built for speed at scale (100,000 jobs firing in the same second): due jobs and due retries sit in
 * min-heaps with lazy deletion, each job keeps its own ring of final runs for retention, and records
 * are treated as immutable values inside (nested arrays and objects are replaced, never mutated), so
 * that handing out a shallow copy is enough to keep callers from changing the store's state.
 */
import { DuplicateJobError, JobNotFoundError, LeaseLostError } from "../errors.js";
import { LIVE_RUN_STATUSES, type JobRecord, type JobStatus, type RunRecord } from "../jobs/job.js";
import { MinHeap } from "./heap.js";
import {
  jobStatusOf,
  type ClaimArgs,
  type FinishAttemptArgs,
  type FinishAttemptResult,
  type FireCommit,
  type FireCommitResult,
  type JobPatch,
  type JobQuery,
  type Page,
  type RetentionPolicy,
  type RunQuery,
  type StartAttemptArgs,
  type Store,
  type StoreOpenOptions,
} from "./store.js";

interface JobSlot {
  job: JobRecord;
  /** The sequence number of this job's valid entry in the due heap. */
  seq: number;
  /** Live runs of the job, by id. */
  live: Set<string>;
  /** Waiting runs (overlap `queue`), oldest first. */
  waiting: string[];
  /** Final runs, in the order they became final: the retention ring. */
  finals: string[];
}

const DEFAULT_RETENTION: RetentionPolicy = { maxRunsPerJob: 100, maxAgeMs: 30 * 86_400_000 };

export class MemoryStore implements Store {
  readonly kind = "memory";
  readonly shared = false;

  readonly #jobs = new Map<string, JobSlot>();
  readonly #runs = new Map<string, RunRecord>();
  readonly #due = new MinHeap();
  readonly #retries = new MinHeap();
  #seq = 0;
  #token = 0;
  #retention: RetentionPolicy = DEFAULT_RETENTION;

  open(options?: StoreOpenOptions): Promise<void> {
    if (options) this.#retention = { ...options.retention };
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  // ---- Jobs -------------------------------------------------------------------------------

  insertJob(job: JobRecord, options: { replace: boolean; now: number }): Promise<JobRecord> {
    const existing = this.#jobs.get(job.id);
    if (existing) {
      if (!options.replace) return Promise.reject(new DuplicateJobError(job.id));
      const old = existing.job;
      existing.job = {
        ...old,
        taskName: job.taskName,
        args: job.args,
        description: job.description,
        trigger: job.trigger,
        policy: job.policy,
        paused: job.paused,
        nextRunAt: job.nextRunAt,
        updatedAt: options.now,
        version: old.version + 1,
      };
      this.#reschedule(existing);
      return Promise.resolve({ ...existing.job });
    }
    const slot: JobSlot = { job: { ...job, claim: null }, seq: 0, live: new Set(), waiting: [], finals: [] };
    this.#jobs.set(job.id, slot);
    this.#reschedule(slot);
    return Promise.resolve({ ...slot.job });
  }

  getJob(id: string): Promise<JobRecord | null> {
    const slot = this.#jobs.get(id);
    return Promise.resolve(slot ? { ...slot.job } : null);
  }

  listJobs(query: JobQuery = {}): Promise<Page<JobRecord>> {
    const limit = query.limit ?? 100;
    const search = query.search?.toLowerCase();
    const statuses = query.status ? new Set<string>(query.status) : null;
    const ids = [...this.#jobs.keys()].sort(compareStrings);
    const items: JobRecord[] = [];
    let nextCursor: string | null = null;
    for (const id of ids) {
      if (query.cursor !== undefined && compareStrings(id, query.cursor) <= 0) continue;
      const job = this.#jobs.get(id)!.job;
      if (query.taskName !== undefined && job.taskName !== query.taskName) continue;
      if (statuses && !statuses.has(jobStatusOf(job))) continue;
      if (
        search !== undefined &&
        !job.id.toLowerCase().includes(search) &&
        !job.taskName.toLowerCase().includes(search) &&
        !(job.description ?? "").toLowerCase().includes(search)
      ) {
        continue;
      }
      if (items.length === limit) {
        nextCursor = items[items.length - 1]!.id;
        break;
      }
      items.push({ ...job });
    }
    return Promise.resolve({ items, nextCursor });
  }

  countJobs(): Promise<Record<Exclude<JobStatus, "missing-task">, number>> {
    const counts = { scheduled: 0, running: 0, paused: 0, completed: 0, failed: 0 };
    for (const slot of this.#jobs.values()) counts[jobStatusOf(slot.job)]++;
    return Promise.resolve(counts);
  }

  updateJob(id: string, patch: JobPatch, now: number): Promise<JobRecord> {
    const slot = this.#jobs.get(id);
    if (!slot) return Promise.reject(new JobNotFoundError(id));
    slot.job = { ...slot.job, ...definedOnly(patch), updatedAt: now, version: slot.job.version + 1 };
    this.#reschedule(slot);
    return Promise.resolve({ ...slot.job });
  }

  removeJob(id: string): Promise<JobRecord | null> {
    const slot = this.#jobs.get(id);
    if (!slot) return Promise.resolve(null);
    this.#jobs.delete(id);
    for (const runId of slot.live) this.#runs.delete(runId);
    for (const runId of slot.finals) this.#runs.delete(runId);
    return Promise.resolve({ ...slot.job });
  }

  // ---- Firing -----------------------------------------------------------------------------

  nextWakeAt(): Promise<number | null> {
    const job = this.#peekValid(this.#due, (e) => this.#jobs.get(e.key)?.seq === e.seq);
    const retry = this.#peekValid(this.#retries, (e) => this.#isDueRetry(e.key, e.at));
    if (job === undefined) return Promise.resolve(retry ?? null);
    return Promise.resolve(retry === undefined ? job : Math.min(job, retry));
  }

  claimDueJobs(args: ClaimArgs): Promise<JobRecord[]> {
    const out: JobRecord[] = [];
    while (out.length < args.limit) {
      const top = this.#due.peek();
      if (!top || top.at > args.now) break;
      this.#due.pop();
      const slot = this.#jobs.get(top.key);
      if (!slot || slot.seq !== top.seq) continue;
      slot.job = {
        ...slot.job,
        claim: { owner: args.owner, expiresAt: args.now + args.leaseMs, token: ++this.#token },
      };
      this.#reschedule(slot);
      out.push({ ...slot.job });
    }
    return Promise.resolve(out);
  }

  commitFires(
    commits: readonly FireCommit[],
    args: { now: number; owner: string; leaseMs: number },
  ): Promise<FireCommitResult[]> {
    const results: FireCommitResult[] = [];
    for (const commit of commits) {
      const slot = this.#jobs.get(commit.jobId);
      if (!slot) {
        results.push({ jobId: commit.jobId, status: "job-gone", inserted: [] });
        continue;
      }
      if (slot.job.claim?.token !== commit.claimToken) {
        results.push({ jobId: commit.jobId, status: "lease-lost", inserted: [] });
        continue;
      }
      const job = { ...slot.job, claim: null };
      const inserted: RunRecord[] = [];
      for (const candidate of commit.runs) {
        if (this.#runs.has(candidate.id)) continue;
        const run: RunRecord =
          candidate.status === "pending"
            ? {
                ...candidate,
                lease: { owner: args.owner, expiresAt: args.now + args.leaseMs, token: ++this.#token },
              }
            : { ...candidate, lease: null };
        this.#runs.set(run.id, run);
        if (LIVE_RUN_STATUSES.has(run.status)) {
          slot.live.add(run.id);
          job.activeRuns++;
          if (run.status === "waiting") slot.waiting.push(run.id);
        } else {
          const count = run.coalesced?.count ?? 1;
          if (run.status === "skipped") job.skippedCount += count;
          else if (run.status === "missed") job.missedCount += count;
          this.#addFinal(slot, run.id);
        }
        inserted.push({ ...run });
      }
      if (commit.jobVersion === job.version) job.nextRunAt = commit.nextRunAt;
      slot.job = job;
      this.#reschedule(slot);
      results.push({ jobId: commit.jobId, status: "ok", inserted });
    }
    return Promise.resolve(results);
  }

  releaseClaims(owner: string): Promise<void> {
    for (const slot of this.#jobs.values()) {
      if (slot.job.claim?.owner === owner) {
        slot.job = { ...slot.job, claim: null };
        this.#reschedule(slot);
      }
    }
    return Promise.resolve();
  }

  // ---- Runs -------------------------------------------------------------------------------

  insertRun(
    run: RunRecord,
    args: { now: number; owner: string; leaseMs: number },
  ): Promise<RunRecord | null | false> {
    const slot = this.#jobs.get(run.jobId);
    if (!slot) return Promise.resolve(null);
    if (this.#runs.has(run.id)) return Promise.resolve(false);
    const stored: RunRecord = {
      ...run,
      status: "pending",
      lease: { owner: args.owner, expiresAt: args.now + args.leaseMs, token: ++this.#token },
    };
    this.#runs.set(stored.id, stored);
    slot.live.add(stored.id);
    slot.job = { ...slot.job, activeRuns: slot.job.activeRuns + 1 };
    return Promise.resolve({ ...stored });
  }

  claimRunsForDispatch(args: ClaimArgs): Promise<RunRecord[]> {
    const out: RunRecord[] = [];
    while (out.length < args.limit) {
      const top = this.#retries.peek();
      if (!top || top.at > args.now) break;
      this.#retries.pop();
      if (!this.#isDueRetry(top.key, top.at)) continue;
      const run: RunRecord = {
        ...this.#runs.get(top.key)!,
        status: "pending",
        nextAttemptAt: null,
        lease: { owner: args.owner, expiresAt: args.now + args.leaseMs, token: ++this.#token },
      };
      this.#runs.set(run.id, run);
      out.push({ ...run });
    }
    return Promise.resolve(out);
  }

  markDispatched(runIds: readonly string[], args: { now: number; owner: string }): Promise<string[]> {
    const lost: string[] = [];
    for (const id of runIds) {
      const run = this.#runs.get(id);
      if (!run || run.status !== "pending" || run.lease?.owner !== args.owner) {
        lost.push(id);
        continue;
      }
      this.#runs.set(id, { ...run, status: "dispatched", lease: null });
    }
    return Promise.resolve(lost);
  }

  startAttempt(runId: string, args: StartAttemptArgs): Promise<RunRecord | null> {
    const run = this.#runs.get(runId);
    if (!run) return Promise.resolve(null);
    if (run.status === "pending") {
      if (run.lease?.token !== args.token) {
        return Promise.reject(
          new LeaseLostError(`The lease on run ${runId} is held by ${run.lease?.owner ?? "nobody"} now.`),
        );
      }
    } else if (run.status !== "dispatched" && run.status !== "retrying") {
      return Promise.resolve(null);
    }
    const first = run.attempts.length === 0;
    const started: RunRecord = {
      ...run,
      status: "running",
      nextAttemptAt: null,
      startedAt: first ? args.now : run.startedAt,
      worker: args.owner,
      lease: { owner: args.owner, expiresAt: args.now + args.leaseMs, token: ++this.#token },
      attempts: [
        ...run.attempts,
        {
          attempt: run.attempts.length + 1,
          startedAt: args.now,
          endedAt: null,
          durationMs: null,
          outcome: null,
          error: null,
          worker: args.owner,
        },
      ],
    };
    this.#runs.set(runId, started);
    if (first) {
      const slot = this.#jobs.get(run.jobId);
      if (slot) slot.job = { ...slot.job, lastRunStartedAt: args.now, lastRunId: runId };
    }
    return Promise.resolve({ ...started });
  }

  finishAttempt(runId: string, args: FinishAttemptArgs): Promise<FinishAttemptResult | null> {
    const run = this.#runs.get(runId);
    if (!run) return Promise.resolve(null);
    if (run.status !== "running" || run.lease?.owner !== args.owner || run.lease.token !== args.token) {
      return Promise.reject(new LeaseLostError(`Run ${runId} is no longer leased to ${args.owner}.`));
    }
    const open = run.attempts[run.attempts.length - 1]!;
    const durationMs = Math.max(0, args.now - open.startedAt);
    const attempts = [
      ...run.attempts.slice(0, -1),
      { ...open, endedAt: args.now, durationMs, outcome: args.outcome, error: args.error },
    ];
    const slot = this.#jobs.get(run.jobId);
    if (args.retryAt !== null) {
      const retrying: RunRecord = {
        ...run,
        status: "retrying",
        attempts,
        error: args.error,
        reason: args.reason,
        nextAttemptAt: args.retryAt,
        lease: null,
      };
      this.#runs.set(runId, retrying);
      this.#retries.push({ at: args.retryAt, key: runId, seq: ++this.#seq });
      return Promise.resolve({ run: { ...retrying }, job: slot ? { ...slot.job } : null, promoted: null });
    }
    const finished: RunRecord = {
      ...run,
      status: args.outcome,
      reason: args.outcome === "succeeded" ? null : args.reason,
      attempts,
      endedAt: args.now,
      durationMs,
      error: args.error,
      nextAttemptAt: null,
      lease: null,
    };
    this.#runs.set(runId, finished);
    if (!slot) return Promise.resolve({ run: { ...finished }, job: null, promoted: null });
    const failed = args.outcome === "failed" || args.outcome === "timed-out";
    slot.job = {
      ...slot.job,
      activeRuns: Math.max(0, slot.job.activeRuns - 1),
      runCount: slot.job.runCount + 1,
      failureCount: slot.job.failureCount + (failed ? 1 : 0),
      lastRunId: runId,
      lastRunStartedAt: finished.startedAt,
      lastRunEndedAt: args.now,
      lastDurationMs: durationMs,
      lastOutcome: args.outcome,
      lastError: args.outcome === "succeeded" ? null : args.error,
    };
    slot.live.delete(runId);
    this.#addFinal(slot, runId);
    const promoted = this.#promoteWaiting(slot, args);
    return Promise.resolve({ run: { ...finished }, job: { ...slot.job }, promoted });
  }

  renewRunLeases(
    runIds: readonly string[],
    args: { now: number; owner: string; leaseMs: number },
  ): Promise<string[]> {
    const lost: string[] = [];
    for (const id of runIds) {
      const run = this.#runs.get(id);
      if (!run || run.lease?.owner !== args.owner || (run.status !== "running" && run.status !== "pending")) {
        lost.push(id);
        continue;
      }
      this.#runs.set(id, { ...run, lease: { ...run.lease, expiresAt: args.now + args.leaseMs } });
    }
    return Promise.resolve(lost);
  }

  cancelRun(
    runId: string,
    args: { now: number; reason: RunRecord["reason"] & string },
  ): Promise<RunRecord | null> {
    const run = this.#runs.get(runId);
    if (!run || !LIVE_RUN_STATUSES.has(run.status) || run.status === "running") return Promise.resolve(null);
    const cancelled: RunRecord = {
      ...run,
      status: "cancelled",
      reason: args.reason,
      endedAt: args.now,
      nextAttemptAt: null,
      lease: null,
    };
    this.#runs.set(runId, cancelled);
    const slot = this.#jobs.get(run.jobId);
    if (slot) {
      slot.live.delete(runId);
      if (run.status === "waiting") slot.waiting = slot.waiting.filter((id) => id !== runId);
      slot.job = { ...slot.job, activeRuns: Math.max(0, slot.job.activeRuns - 1) };
      this.#addFinal(slot, runId);
    }
    return Promise.resolve({ ...cancelled });
  }

  getRun(id: string): Promise<RunRecord | null> {
    const run = this.#runs.get(id);
    return Promise.resolve(run ? { ...run } : null);
  }

  listRuns(query: RunQuery = {}): Promise<Page<RunRecord>> {
    const limit = query.limit ?? 100;
    const statuses = query.status ? new Set<string>(query.status) : null;
    let candidates: RunRecord[];
    if (query.jobId !== undefined) {
      const slot = this.#jobs.get(query.jobId);
      candidates = slot ? [...slot.live, ...slot.finals].map((id) => this.#runs.get(id)!) : [];
    } else {
      candidates = [...this.#runs.values()];
    }
    const cursor = query.cursor === undefined ? null : decodeRunCursor(query.cursor);
    const filtered = candidates.filter(
      (r) =>
        (!statuses || statuses.has(r.status)) &&
        (query.from === undefined || r.scheduledAt >= query.from) &&
        (query.to === undefined || r.scheduledAt < query.to) &&
        (!cursor || compareRuns(r, cursor) > 0),
    );
    filtered.sort(compareRuns);
    const items = filtered.slice(0, limit).map((r) => ({ ...r }));
    const last = items[items.length - 1];
    return Promise.resolve({
      items,
      nextCursor: filtered.length > limit && last ? encodeRunCursor(last) : null,
    });
  }

  pruneRuns(args: { now: number }): Promise<number> {
    const cutoff = args.now - this.#retention.maxAgeMs;
    let deleted = 0;
    for (const slot of this.#jobs.values()) {
      const keep: string[] = [];
      for (const id of slot.finals) {
        const run = this.#runs.get(id);
        if (run && (run.endedAt ?? run.firedAt) < cutoff) {
          this.#runs.delete(id);
          deleted++;
        } else if (run) {
          keep.push(id);
        }
      }
      slot.finals = keep;
    }
    return Promise.resolve(deleted);
  }

  // ---- Internals --------------------------------------------------------------------------

  /** Puts the job's current wake-up time in the due heap, invalidating its previous entry. */
  #reschedule(slot: JobSlot): void {
    const job = slot.job;
    slot.seq = ++this.#seq;
    const at = job.claim ? job.claim.expiresAt : job.paused ? null : job.nextRunAt;
    if (at !== null) this.#due.push({ at, key: job.id, seq: slot.seq });
  }

  #isDueRetry(runId: string, at: number): boolean {
    const run = this.#runs.get(runId);
    return run?.status === "retrying" && run.nextAttemptAt === at;
  }

  #peekValid(
    heap: MinHeap,
    valid: (e: { key: string; seq: number; at: number }) => boolean,
  ): number | undefined {
    for (;;) {
      const top = heap.peek();
      if (!top) return undefined;
      if (valid(top)) return top.at;
      heap.pop();
    }
  }

  #addFinal(slot: JobSlot, runId: string): void {
    slot.finals.push(runId);
    while (slot.finals.length > this.#retention.maxRunsPerJob) {
      this.#runs.delete(slot.finals.shift()!);
    }
  }

  #promoteWaiting(slot: JobSlot, args: FinishAttemptArgs): RunRecord | null {
    if (slot.waiting.length === 0 || slot.live.size > slot.waiting.length) return null;
    const id = slot.waiting.shift()!;
    const run = this.#runs.get(id)!;
    const promoted: RunRecord = {
      ...run,
      status: "pending",
      lease: { owner: args.owner, expiresAt: args.now + args.leaseMs, token: ++this.#token },
    };
    this.#runs.set(id, promoted);
    return { ...promoted };
  }
}

function definedOnly<T extends object>(patch: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Newest first: by scheduledAt descending, then id descending. */
function compareRuns(
  a: Pick<RunRecord, "scheduledAt" | "id">,
  b: Pick<RunRecord, "scheduledAt" | "id">,
): number {
  return b.scheduledAt - a.scheduledAt || compareStrings(b.id, a.id);
}

/** Run cursors carry the sort key of the last item: `<scheduledAt>:<id>`, base64url-encoded. */
export function encodeRunCursor(run: Pick<RunRecord, "scheduledAt" | "id">): string {
  return Buffer.from(`${run.scheduledAt}:${run.id}`).toString("base64url");
}

export function decodeRunCursor(cursor: string): Pick<RunRecord, "scheduledAt" | "id"> | null {
  const text = Buffer.from(cursor, "base64url").toString();
  const colon = text.indexOf(":");
  const scheduledAt = Number(text.slice(0, colon));
  if (colon <= 0 || !Number.isFinite(scheduledAt)) return null;
  return { scheduledAt, id: text.slice(colon + 1) };
}
