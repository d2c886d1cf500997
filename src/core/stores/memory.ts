/**
 * The in-memory store: the library's default. Everything lives in this process and dies with it.
 *
 * Built for speed at scale (100,000 jobs firing in the same second): due jobs and due retries sit in
 * min-heaps with lazy deletion, each job keeps its own runs (by scheduled time) and its own ring of
 * final runs for retention, and the firing path (claim, commit, start, finish) updates records in
 * place and hands out the stored objects themselves, as the port allows: at that rate, copies were
 * most of the work and most of the garbage. Runs are kept in their job's lists, not in one map by
 * id: hashing each new occurrence id cost more than the rest of a commit. Management calls
 * (`getJob`, `listJobs`, `getRun`, `listRuns`, `updateJob`...) return snapshots that later changes
 * do not reach.
 */
import { DuplicateJobError, InvalidArgumentError, JobNotFoundError, LeaseLostError } from "../errors.js";
import {
  LIVE_RUN_STATUSES,
  type JobRecord,
  type JobStatus,
  type RunRecord,
  cancelForPause,
  isOccurrenceId,
  occurrenceId,
  parseOccurrenceId,
} from "../jobs/job.js";
import { FinalRuns } from "./final-runs.js";
import { MinHeap } from "./heap.js";
import {
  type CancelRunArgs,
  type CancelRunResult,
  applyFinish,
  applyStart,
  jobStatusOf,
  type BatchArgs,
  type ClaimArgs,
  type FinishAttemptArgs,
  type FinishItem,
  type FinishOutcome,
  type FinishAttemptResult,
  type FireCommit,
  type FireCommitResult,
  type JobPatch,
  type JobQuery,
  type Page,
  type RetentionPolicy,
  type RunQuery,
  type StartAttemptArgs,
  type StartItem,
  type Store,
  type StoreOpenOptions,
} from "./store.js";

/**
 * A job and its runs: every run is in `live` or in `finals`. A run's id is `jobId@scheduledAt`, so
 * the job's id leads to the lists, and the scheduled time to the run. The lists are created on
 * first use: most jobs have few runs.
 */
interface JobSlot {
  job: JobRecord;
  /** The sequence number of this job's valid entry in the due heap; -1 once the job is removed. */
  seq: number;
  /** Where the slot is in the store's claimed list, or -1. */
  claimedAt: number;
  /**
   * No run of the job is scheduled later than this (it may be stale-high after deletions): a new
   * occurrence after it needs no search for a duplicate.
   */
  lastScheduledAt: number;
  /** Live runs of the job (usually zero or one). */
  live: RunRecord[] | null;
  /** Waiting runs (overlap `queue`), oldest first. */
  waiting: RunRecord[] | null;
  /** Final runs, in the order they became final: the retention ring, in columns. */
  finals: FinalRuns | null;
  /**
   * The scheduled time of the job's last run when its id is the occurrence id, which the stored
   * job's `lastRunId` then leaves null; NaN when `lastRunId` holds it (see #setLastRun).
   */
  lastRunAt: number;
}

const DEFAULT_RETENTION: RetentionPolicy = { maxRunsPerJob: 100, maxAgeMs: 30 * 86_400_000 };

export class MemoryStore implements Store {
  readonly kind = "memory";
  readonly shared = false;
  readonly commitsIfUnchanged: boolean = true;

  readonly #jobs = new Map<string, JobSlot>();
  /** Due jobs, by their slot (popping one needs no lookup by id). */
  readonly #due = new MinHeap<JobSlot>();
  /** Due retries, by run record. */
  readonly #retries = new MinHeap<RunRecord>();
  /**
   * Jobs claimed and not committed yet (a batch's worth), in no order: each slot knows its place,
   * so adding and removing one costs no hashing (at 100,000 fires a second, a Map here cost a
   * tenth of the firing path's CPU).
   */
  readonly #claimed: JobSlot[] = [];
  /**
   * The slots claimDueJobs answered since no job was left claimed, in its order, and how many of
   * them commitFires has met in that order: a scheduler commits what it claimed, in order (several
   * batches at once when it plans ahead of a due instant), so each commit finds its slot
   * here without a lookup in the map of all jobs (whose cache misses, at 100,000 jobs, cost more
   * than the rest of a commit).
   */
  readonly #lastClaimed: JobSlot[] = [];
  #lastClaimedCommitted = 0;
  /** No claim expires before this (a lower bound: claims committed since may have held it). */
  #claimsExpireFrom = Infinity;
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
      const stored = existing.job;
      stored.taskName = job.taskName;
      stored.args = job.args;
      stored.description = job.description;
      stored.trigger = job.trigger;
      stored.policy = job.policy;
      stored.paused = job.paused;
      stored.nextRunAt = job.nextRunAt;
      stored.updatedAt = options.now;
      stored.version++;
      this.#reschedule(existing);
      return Promise.resolve(snapshotJob(existing));
    }
    const slot: JobSlot = {
      job: { ...job, claim: null },
      seq: 0,
      claimedAt: -1,
      lastScheduledAt: -Infinity,
      live: null,
      waiting: null,
      finals: null,
      lastRunAt: NaN,
    };
    this.#jobs.set(job.id, slot);
    this.#reschedule(slot);
    return Promise.resolve(snapshotJob(slot));
  }

  getJob(id: string): Promise<JobRecord | null> {
    const slot = this.#jobs.get(id);
    return Promise.resolve(slot ? snapshotJob(slot) : null);
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
      const slot = this.#jobs.get(id)!;
      const job = slot.job;
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
      items.push(snapshotJob(slot));
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
    const job = slot.job as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(patch)) if (value !== undefined) job[key] = value;
    slot.job.updatedAt = now;
    slot.job.version++;
    this.#reschedule(slot);
    return Promise.resolve(snapshotJob(slot));
  }

  removeJob(id: string): Promise<JobRecord | null> {
    const slot = this.#jobs.get(id);
    if (!slot) return Promise.resolve(null);
    this.#jobs.delete(id);
    this.#unclaim(slot);
    slot.seq = -1;
    // Records of its live runs may still be held (an executor's): their leases no longer count.
    if (slot.live) for (const run of slot.live) run.lease = null;
    return Promise.resolve(snapshotJob(slot));
  }

  // ---- Firing -----------------------------------------------------------------------------

  nextWakeAt(): Promise<number | null> {
    let at = this.#peekValid(this.#due, (slot, seq) => slot.seq === seq) ?? Infinity;
    at = Math.min(
      at,
      this.#peekValid(this.#retries, (run, _seq, due) => {
        const slot = this.#jobs.get(run.jobId);
        return slot !== undefined && isDueRetry(slot, run, due);
      }) ?? Infinity,
    );
    for (const slot of this.#claimed) at = Math.min(at, slot.job.claim!.expiresAt);
    return Promise.resolve(at === Infinity ? null : at);
  }

  claimDueJobs(args: ClaimArgs): Promise<JobRecord[]> {
    const out: JobRecord[] = [];
    const slots = this.#lastClaimed;
    // The claims answered since nothing was left claimed, in order: a scheduler that claims several
    // batches before committing them (ahead of their due instant) commits them in that order too.
    if (this.#claimed.length === 0) {
      slots.length = 0;
      this.#lastClaimedCommitted = 0;
      this.#claimsExpireFrom = Infinity;
    }
    const expiresAt = args.now + args.leaseMs;
    // Claims that expired without a commit (a caller that failed between the two) are due again.
    // (Backwards: un-claiming one moves the last slot into its place.)
    if (this.#claimsExpireFrom <= args.now) {
      let from = Infinity;
      let i = this.#claimed.length - 1;
      for (; i >= 0 && out.length < args.limit; i--) {
        const slot = this.#claimed[i]!;
        const job = slot.job;
        if (job.claim!.expiresAt > args.now) {
          from = Math.min(from, job.claim!.expiresAt);
          continue;
        }
        if (job.paused || job.nextRunAt === null || job.nextRunAt > args.now) {
          // Changed while claimed: back to the heap as any unclaimed job.
          job.claim = null;
          this.#unclaim(slot);
          this.#reschedule(slot);
          continue;
        }
        job.claim = { owner: args.owner, expiresAt, token: ++this.#token };
        from = Math.min(from, expiresAt);
        out.push(job);
        slots.push(slot);
      }
      // Looked at all of them: the bound is exact again.
      if (i < 0) this.#claimsExpireFrom = from;
    }
    while (out.length < args.limit) {
      const due = this.#due;
      const at = due.topAt();
      if (at === undefined || at > args.now) break;
      const slot = due.topKey()!;
      const seq = due.topSeq();
      due.removeTop();
      if (slot.seq !== seq) continue;
      slot.job.claim = { owner: args.owner, expiresAt, token: ++this.#token };
      this.#reschedule(slot);
      out.push(slot.job);
      slots.push(slot);
    }
    if (out.length > 0 && expiresAt < this.#claimsExpireFrom) this.#claimsExpireFrom = expiresAt;
    return Promise.resolve(out);
  }

  commitFires(
    commits: readonly FireCommit[],
    args: { now: number; owner: string; leaseMs: number },
  ): Promise<FireCommitResult[]> {
    const results: FireCommitResult[] = [];
    for (const commit of commits) {
      const slot = this.#claimedSlot(commit.jobId);
      if (!slot) {
        results.push({ jobId: commit.jobId, status: "job-gone", inserted: [] });
        continue;
      }
      const job = slot.job;
      if (job.claim?.token !== commit.claimToken) {
        results.push({ jobId: commit.jobId, status: "lease-lost", inserted: [] });
        continue;
      }
      job.claim = null;
      this.#unclaim(slot);
      if (
        commit.plannedActiveRuns !== undefined &&
        (job.version !== commit.jobVersion || job.paused || job.activeRuns !== commit.plannedActiveRuns)
      ) {
        this.#reschedule(slot);
        results.push({ jobId: commit.jobId, status: "changed", inserted: [] });
        continue;
      }
      // Usually every run is new and the commit's own list is the answer; a copy only if not.
      let inserted: RunRecord[] | null = null;
      const runs = commit.runs;
      for (let i = 0; i < runs.length; i++) {
        const run = runs[i]!;
        if (run.scheduledAt > slot.lastScheduledAt) slot.lastScheduledAt = run.scheduledAt;
        else if (hasRunAt(slot, run.scheduledAt)) {
          inserted ??= runs.slice(0, i);
          continue;
        }
        if (job.paused && isLive(run.status)) cancelForPause(run, args.now);
        // The store takes ownership of the records it is given (the port says so): no copy.
        run.lease =
          run.status === "pending"
            ? this.#lease(slot, args.owner, Math.max(args.now, run.dueAt) + args.leaseMs)
            : null;
        if (isLive(run.status)) {
          slot.live = withRun(slot.live, run);
          job.activeRuns++;
          if (run.status === "waiting") slot.waiting = withRun(slot.waiting, run);
        } else {
          const count = run.coalesced?.count ?? 1;
          if (run.status === "skipped") job.skippedCount += count;
          else if (run.status === "missed") job.missedCount += count;
          this.#addFinal(slot, run);
        }
        inserted?.push(run);
      }
      if (commit.jobVersion === job.version) job.nextRunAt = commit.nextRunAt;
      this.#reschedule(slot);
      results.push({ jobId: commit.jobId, status: "ok", inserted: inserted ?? runs });
    }
    return Promise.resolve(results);
  }

  releaseClaims(owner: string): Promise<void> {
    for (const slot of this.#jobs.values()) {
      if (slot.job.claim?.owner === owner) {
        slot.job.claim = null;
        this.#unclaim(slot);
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
    if (run.scheduledAt > slot.lastScheduledAt) slot.lastScheduledAt = run.scheduledAt;
    else if (hasRunAt(slot, run.scheduledAt)) return Promise.resolve(false);
    run.status = "pending";
    run.lease = this.#lease(slot, args.owner, args.now + args.leaseMs);
    slot.live = withRun(slot.live, run);
    slot.job.activeRuns++;
    return Promise.resolve(run);
  }

  claimRunsForDispatch(args: ClaimArgs): Promise<RunRecord[]> {
    const out: RunRecord[] = [];
    while (out.length < args.limit) {
      const retries = this.#retries;
      const at = retries.topAt();
      if (at === undefined || at > args.now) break;
      const run = retries.topKey()!;
      retries.removeTop();
      const slot = this.#jobs.get(run.jobId);
      if (!slot || !isDueRetry(slot, run, at)) continue;
      run.status = "pending";
      run.nextAttemptAt = null;
      run.lease = this.#lease(slot, args.owner, args.now + args.leaseMs);
      out.push(run);
    }
    return Promise.resolve(out);
  }

  markDispatched(runIds: readonly string[], args: { now: number; owner: string }): Promise<string[]> {
    const lost: string[] = [];
    for (const id of runIds) {
      const run = this.#find(id);
      if (!run || run.status !== "pending" || run.lease?.owner !== args.owner) {
        lost.push(id);
        continue;
      }
      run.status = "dispatched";
      run.lease = null;
    }
    return Promise.resolve(lost);
  }

  startAttempt(runId: string, args: StartAttemptArgs): Promise<RunRecord | null> {
    const result = this.#start(this.#find(runId), runId, args.token, args);
    return result instanceof LeaseLostError ? Promise.reject(result) : Promise.resolve(result);
  }

  startAttempts(
    items: readonly StartItem[],
    args: BatchArgs,
  ): Promise<Array<RunRecord | null | LeaseLostError>> {
    return Promise.resolve(
      items.map((item) => this.#start(this.#held(item.record, item.runId), item.runId, item.token, args)),
    );
  }

  finishAttempt(runId: string, args: FinishAttemptArgs): Promise<FinishAttemptResult | null> {
    const result = this.#finish(this.#held(args.record, runId), runId, args, args);
    return result instanceof LeaseLostError ? Promise.reject(result) : Promise.resolve(result);
  }

  finishAttempts(
    items: readonly FinishItem[],
    args: BatchArgs,
  ): Promise<Array<FinishAttemptResult | null | LeaseLostError>> {
    return Promise.resolve(
      items.map((item) => this.#finish(this.#held(item.record, item.runId), item.runId, item, args)),
    );
  }

  renewRunLeases(
    runIds: readonly string[],
    args: { now: number; owner: string; leaseMs: number },
  ): Promise<string[]> {
    const lost: string[] = [];
    for (const id of runIds) {
      const run = this.#find(id);
      if (!run || run.lease?.owner !== args.owner || (run.status !== "running" && run.status !== "pending")) {
        lost.push(id);
        continue;
      }
      const slot = this.#slotOf(run);
      if (slot) run.lease = this.#lease(slot, run.lease.owner, args.now + args.leaseMs, run.lease.token);
    }
    return Promise.resolve(lost);
  }

  cancelRun(runId: string, args: CancelRunArgs): Promise<CancelRunResult | null> {
    const run = this.#find(runId);
    if (!run || !LIVE_RUN_STATUSES.has(run.status) || run.status === "running") return Promise.resolve(null);
    const wasWaiting = run.status === "waiting";
    run.status = "cancelled";
    run.reason = args.reason;
    run.endedAt = args.now;
    run.nextAttemptAt = null;
    run.lease = null;
    const slot = this.#jobs.get(run.jobId);
    let promoted: RunRecord | null = null;
    if (slot) {
      slot.live = withoutRun(slot.live, run);
      if (wasWaiting) slot.waiting = withoutRun(slot.waiting, run);
      slot.job.activeRuns = Math.max(0, slot.job.activeRuns - 1);
      this.#addFinal(slot, run);
      promoted = this.#promoteWaiting(slot, args);
    }
    return Promise.resolve({ run: snapshotRun(run), promoted: promoted && snapshotRun(promoted) });
  }

  getRun(id: string): Promise<RunRecord | null> {
    const run = this.#find(id);
    return Promise.resolve(run ? snapshotRun(run) : null);
  }

  listRuns(query: RunQuery = {}): Promise<Page<RunRecord>> {
    const limit = query.limit ?? 100;
    const statuses = query.status ? new Set<string>(query.status) : null;
    let cursor: Pick<RunRecord, "scheduledAt" | "id"> | null = null;
    if (query.cursor !== undefined) {
      cursor = decodeRunCursor(query.cursor);
      if (!cursor)
        return Promise.reject(
          new InvalidArgumentError("cursor", "a cursor from a previous page", query.cursor),
        );
    }
    // Filter on the fields a listing needs, and build records only for the page.
    const filtered: Listed[] = [];
    const consider = (listed: Listed): void => {
      if (
        (!statuses || statuses.has(listed.status)) &&
        (query.from === undefined || listed.scheduledAt >= query.from) &&
        (query.to === undefined || listed.scheduledAt < query.to) &&
        (!cursor || compareRuns(listed, cursor) > 0)
      )
        filtered.push(listed);
    };
    const slots =
      query.jobId === undefined
        ? this.#jobs.values()
        : [this.#jobs.get(query.jobId)].filter((s) => s !== undefined);
    for (const slot of slots) {
      if (slot.live)
        for (const run of slot.live) consider({ ...pick(run), live: run, finals: null, index: -1 });
      const finals = slot.finals;
      if (finals) {
        for (let i = 0; i < finals.length; i++) {
          consider({
            scheduledAt: finals.scheduledAt(i),
            id: finals.id(i),
            status: finals.status(i),
            live: null,
            finals,
            index: i,
          });
        }
      }
    }
    filtered.sort(compareRuns);
    const items = filtered
      .slice(0, limit)
      .map((listed) => (listed.live ? snapshotRun(listed.live) : listed.finals!.at(listed.index)));
    const last = items[items.length - 1];
    return Promise.resolve({
      items,
      nextCursor: filtered.length > limit && last ? encodeRunCursor(last) : null,
    });
  }

  pruneRuns(args: { now: number }): Promise<number> {
    const cutoff = args.now - this.#retention.maxAgeMs;
    let deleted = 0;
    for (const slot of this.#jobs.values()) if (slot.finals) deleted += slot.finals.dropEndedBefore(cutoff);
    return Promise.resolve(deleted);
  }

  // ---- Internals --------------------------------------------------------------------------

  /** The stored run with this id, if any. */
  #find(runId: string): RunRecord | undefined {
    const occurrence = parseOccurrenceId(runId);
    if (!occurrence) return undefined;
    const slot = this.#jobs.get(occurrence.jobId);
    const run = slot ? runAt(slot, occurrence.scheduledAt) : undefined;
    // `job@2026-01-01T00:00:00Z` names the same instant as `...00.000Z`, but not the same run.
    return run?.id === runId ? run : undefined;
  }

  /**
   * The stored run with this id, from the record a batch item says it holds (what this store
   * handed out, usually) when that record holds a lease of this store's: no id to parse on the
   * firing path. A copy (its lease is a plain object), a run without a lease or a run of a removed
   * job (whose leases were revoked) is looked up by id as any other.
   */
  #held(record: RunRecord | undefined, runId: string): RunRecord | undefined {
    if (record !== undefined && record.id === runId && record.lease instanceof StoredLease) {
      if (record.lease.slotIn(this)) return record;
    }
    return this.#find(runId);
  }

  /** The slot of a stored run's job: from its lease when it has one, else by the job's id. */
  #slotOf(run: RunRecord): JobSlot | undefined {
    return (run.lease instanceof StoredLease && run.lease.slotIn(this)) || this.#jobs.get(run.jobId);
  }

  /** A new lease on a run of `slot`'s job (a new token, unless a renewal keeps it). */
  #lease(slot: JobSlot, owner: string, expiresAt: number, token = ++this.#token): StoredLease {
    return new StoredLease(owner, expiresAt, token, this, slot);
  }

  /** startAttempt's work; a lost lease is returned, not thrown, so that batches go on. */
  #start(
    run: RunRecord | undefined,
    runId: string,
    token: number | null,
    args: BatchArgs,
  ): RunRecord | null | LeaseLostError {
    if (!run) return null;
    const slot = this.#slotOf(run);
    if (!slot) return null;
    if (run.status === "pending") {
      if (run.lease?.token !== token) {
        return new LeaseLostError(
          `The lease on run ${runId} is held by ${run.lease?.owner ?? "nobody"} now.`,
        );
      }
    } else if (run.status !== "dispatched" && run.status !== "retrying") {
      return null;
    }
    const first = run.attempts.length === 0;
    let lease = run.lease;
    if (lease instanceof StoredLease) {
      // The pending run's lease, ours: renewed in place for the new holder, with a new token.
      lease.owner = args.owner;
      lease.expiresAt = args.now + args.leaseMs;
      lease.token = ++this.#token;
    } else {
      lease = this.#lease(slot, args.owner, args.now + args.leaseMs);
    }
    applyStart(run, args.now, args.owner, lease);
    if (first) {
      slot.job.lastRunStartedAt = args.now;
      // Its id, while the run is live (and holds the id anyway).
      this.#setLastRun(slot, runId, NaN);
    }
    return run;
  }

  /** finishAttempt's work; a lost lease is returned, not thrown, so that batches go on. */
  #finish(
    run: RunRecord | undefined,
    runId: string,
    item: FinishOutcome,
    args: BatchArgs,
  ): FinishAttemptResult | null | LeaseLostError {
    if (!run) return null;
    if (run.status !== "running" || run.lease?.owner !== args.owner || run.lease.token !== item.token) {
      return new LeaseLostError(`Run ${runId} is no longer leased to ${args.owner}.`);
    }
    const slot = this.#slotOf(run);
    applyFinish(run, item, args.now);
    if (item.retryAt !== null) {
      this.#retries.add(item.retryAt, run, ++this.#seq);
      return { run, promoted: null };
    }
    const durationMs = run.durationMs;
    if (!slot) return { run, promoted: null };
    const job = slot.job;
    job.activeRuns = Math.max(0, job.activeRuns - 1);
    job.runCount++;
    if (item.outcome === "failed" || item.outcome === "timed-out") job.failureCount++;
    const occurrence = isOccurrenceId(runId, job.id, run.scheduledAt);
    this.#setLastRun(slot, runId, occurrence ? run.scheduledAt : NaN);
    job.lastRunStartedAt = run.startedAt;
    job.lastRunEndedAt = args.now;
    job.lastDurationMs = durationMs;
    job.lastOutcome = item.outcome;
    job.lastError = item.outcome === "succeeded" ? null : item.error;
    slot.live = withoutRun(slot.live, run);
    this.#addFinal(slot, run, occurrence);
    return { run, promoted: this.#promoteWaiting(slot, args) };
  }

  /** Puts the job's current wake-up time in the due heap, invalidating its previous entry. */
  #reschedule(slot: JobSlot): void {
    const job = slot.job;
    slot.seq = ++this.#seq;
    // A claimed job waits in the claimed set (a handful, for the length of one fire), not in the
    // heap: that saves a heap entry per fire, which at 100,000 fires a second is worth having.
    if (job.claim) {
      if (slot.claimedAt < 0) slot.claimedAt = this.#claimed.push(slot) - 1;
      return;
    }
    const at = job.paused ? null : job.nextRunAt;
    if (at !== null) this.#due.add(at, slot, slot.seq);
  }

  /** The slot of a job being committed: the next one claimed, usually, else looked up by id. */
  #claimedSlot(jobId: string): JobSlot | undefined {
    const slot = this.#lastClaimed[this.#lastClaimedCommitted];
    // (A removed job's slot is done with: a job added since under its id has a slot of its own.)
    if (slot !== undefined && slot.job.id === jobId && slot.seq !== -1) {
      this.#lastClaimedCommitted++;
      return slot;
    }
    return this.#jobs.get(jobId);
  }

  /** Takes a slot out of the claimed list, if it is there (the last slot takes its place). */
  #unclaim(slot: JobSlot): void {
    const at = slot.claimedAt;
    if (at < 0) return;
    const last = this.#claimed.pop()!;
    if (last !== slot) {
      this.#claimed[at] = last;
      last.claimedAt = at;
    }
    slot.claimedAt = -1;
  }

  /** The time of the heap's earliest valid entry, dropping the stale ones above it. */
  #peekValid<K>(heap: MinHeap<K>, valid: (key: K, seq: number, at: number) => boolean): number | undefined {
    for (;;) {
      const at = heap.topAt();
      if (at === undefined) return undefined;
      if (valid(heap.topKey()!, heap.topSeq()!, at)) return at;
      heap.removeTop();
    }
  }

  /**
   * Records the job's last run: by its scheduled time `at` when its id is the occurrence id there
   * (built when the job is read), else (`at` NaN) by its id. An id string held until the job's next
   * run outlives the young generation: at 100,000 runs a second, most of what still did.
   */
  #setLastRun(slot: JobSlot, runId: string, at: number): void {
    slot.job.lastRunId = Number.isNaN(at) ? runId : null;
    slot.lastRunAt = at;
  }

  /** @param occurrence whether the run's id is its occurrence id, when the caller knows. */
  #addFinal(slot: JobSlot, run: RunRecord, occurrence?: boolean): void {
    (slot.finals ??= new FinalRuns(slot.job.id, this.#retention.maxRunsPerJob)).push(run, occurrence);
  }

  #promoteWaiting(slot: JobSlot, args: BatchArgs): RunRecord | null {
    const waiting = slot.waiting;
    if (!waiting || waiting.length === 0 || (slot.live?.length ?? 0) > waiting.length) return null;
    const run = waiting.shift()!;
    run.status = "pending";
    run.lease = this.#lease(slot, args.owner, args.now + args.leaseMs);
    return run;
  }
}

/** A copy of the slot's job that later changes do not reach, with its last run's id. */
function snapshotJob(slot: JobSlot): JobRecord {
  const job = slot.job;
  const lastRunId =
    job.lastRunId ?? (Number.isNaN(slot.lastRunAt) ? null : occurrenceId(job.id, slot.lastRunAt));
  return { ...job, lastRunId, claim: job.claim && { ...job.claim } };
}

/** A copy that later changes to the stored run (its attempts included) do not reach. */
function snapshotRun(run: RunRecord): RunRecord {
  return { ...run, attempts: run.attempts.map((a) => ({ ...a })), lease: run.lease && { ...run.lease } };
}

/** LIVE_RUN_STATUSES as a switch: the commit path asks this for every run it inserts. */
function isLive(status: RunRecord["status"]): boolean {
  switch (status) {
    case "pending":
    case "waiting":
    case "dispatched":
    case "running":
    case "retrying":
      return true;
    default:
      return false;
  }
}

/** Whether a retry-heap entry is still valid: the run is the slot's and waits for a retry at `at`. */
function isDueRetry(slot: JobSlot, run: RunRecord, at: number): boolean {
  return run.status === "retrying" && run.nextAttemptAt === at && slot.live?.includes(run) === true;
}

/**
 * A lease this store granted on a run it holds. Being of this class is what marks a record as the
 * store's own (a copy's lease is a plain object), and it leads back to the run's job without a
 * lookup by id. Its private fields are invisible to spreading, JSON and deep equality.
 */
class StoredLease {
  readonly #store: MemoryStore;
  readonly #slot: JobSlot;

  constructor(
    public owner: string,
    public expiresAt: number,
    public token: number,
    store: MemoryStore,
    slot: JobSlot,
  ) {
    this.#store = store;
    this.#slot = slot;
  }

  /** The slot of the run that holds this lease, if `store` granted it. */
  slotIn(store: MemoryStore): JobSlot | undefined {
    return this.#store === store ? this.#slot : undefined;
  }
}

/** The job's run scheduled at `at`: a live one (the same object), else a final one (a copy). */
function runAt(slot: JobSlot, at: number): RunRecord | undefined {
  if (slot.live) for (const run of slot.live) if (run.scheduledAt === at) return run;
  const index = slot.finals?.indexOf(at) ?? -1;
  return index >= 0 ? slot.finals!.at(index) : undefined;
}

function hasRunAt(slot: JobSlot, at: number): boolean {
  if (slot.live) for (const run of slot.live) if (run.scheduledAt === at) return true;
  return (slot.finals?.indexOf(at) ?? -1) >= 0;
}

/** A run as a listing sees it before it builds the record: a live run, or a final one's place. */
interface Listed {
  scheduledAt: number;
  id: string;
  status: RunRecord["status"];
  live: RunRecord | null;
  finals: FinalRuns | null;
  index: number;
}

function pick(run: RunRecord): Pick<Listed, "scheduledAt" | "id" | "status"> {
  return { scheduledAt: run.scheduledAt, id: run.id, status: run.status };
}

/**
 * `runs` with `run` added. Most jobs have one live run at a time: a list of one is a one-element
 * literal (an empty array that is pushed onto reserves room for 17), and no run is no list.
 */
function withRun(runs: RunRecord[] | null, run: RunRecord): RunRecord[] {
  if (!runs) return [run];
  runs.push(run);
  return runs;
}

/** `runs` without `run`: null once empty, see {@link withRun}. */
function withoutRun(runs: RunRecord[] | null, run: RunRecord): RunRecord[] | null {
  if (!runs) return null;
  if (runs.length === 1) return runs[0] === run ? null : runs;
  const at = runs.indexOf(run);
  if (at >= 0) runs.splice(at, 1);
  return runs;
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
