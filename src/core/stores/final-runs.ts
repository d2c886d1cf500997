/**
 * The final runs of one job in the memory store, oldest first, kept in columns: a finished run is
 * no object of its own. A run record with its attempt, attempt list and boxed timestamps is about a
 * dozen heap objects; kept for the history's retention, every one of them outlived the young
 * generation and had to be copied, promoted and marked again by each major collection, which at
 * 10,000 runs a second cost more than firing them. Here a finished run is six numbers in an array
 * of doubles (stored unboxed) and thirteen references (to strings and objects that exist anyway)
 * in another, and its record dies young. Plain arrays, not typed arrays: a small typed array has
 * its memory outside the heap, which costs far more to create and to collect. Reading one builds a fresh record, a snapshot no later change reaches.
 *
 * The list is a ring that grows (doubling) up to the retention and then drops its oldest entry for
 * each new one.
 */
import { type AttemptRecord, type RunRecord, isOccurrenceId, occurrenceId } from "../jobs/job.js";

/** Numbers per run, in {@link FinalRuns.#times}: null is NaN. */
const TIMES = 6;
const SCHEDULED = 0;
const DUE = 1;
const FIRED = 2;
const STARTED = 3;
const ENDED = 4;
const DURATION = 5;

/** References per run, in {@link FinalRuns.#refs}. */
const REFS = 13;
/** The run's id, or null when it is the occurrence id of its job and scheduled time (always so far). */
const ID = 0;
const TASK = 1;
const ORIGIN = 2;
const STATUS = 3;
const REASON = 4;
const ARGS = 5;
const RETRY = 6;
const TIMEOUT = 7;
const GROUP = 8;
const ERROR = 9;
const WORKER = 10;
/** The attempts, or null when they are what {@link derivedAttempts} makes of the run's fields. */
const ATTEMPTS = 11;
const COALESCED = 12;

/** Room for the first runs: most retentions (5 to 8 runs) never need to grow it. */
const FIRST_CAPACITY = 8;

export class FinalRuns {
  readonly #jobId: string;
  readonly #max: number;
  #capacity: number;
  #times: number[];
  #refs: unknown[];
  /** Where the oldest run is, and how many there are. */
  #head = 0;
  #count = 0;

  /** @param max the retention: the most runs kept, the oldest dropped first. */
  constructor(jobId: string, max: number) {
    this.#jobId = jobId;
    this.#max = Math.max(1, max);
    this.#capacity = Math.min(FIRST_CAPACITY, this.#max);
    this.#times = doubles(this.#capacity * TIMES);
    this.#refs = new Array<unknown>(this.#capacity * REFS).fill(null);
  }

  get length(): number {
    return this.#count;
  }

  /**
   * Adds a final run (newest); at the retention, the oldest is dropped.
   * @param occurrence whether the run's id is its occurrence id (found here when not given).
   */
  push(run: RunRecord, occurrence = isOccurrenceId(run.id, this.#jobId, run.scheduledAt)): void {
    if (this.#count === this.#capacity && this.#capacity < this.#max) this.#grow();
    let slot: number;
    if (this.#count === this.#capacity) {
      slot = this.#head;
      this.#head = (this.#head + 1) % this.#capacity;
    } else {
      slot = (this.#head + this.#count) % this.#capacity;
      this.#count++;
    }
    const t = slot * TIMES;
    const times = this.#times;
    times[t + SCHEDULED] = run.scheduledAt;
    times[t + DUE] = run.dueAt;
    times[t + FIRED] = run.firedAt;
    times[t + STARTED] = run.startedAt ?? NaN;
    times[t + ENDED] = run.endedAt ?? NaN;
    times[t + DURATION] = run.durationMs ?? NaN;
    const r = slot * REFS;
    const refs = this.#refs;
    // A string per run kept for the whole retention is what old-space collections are made of: the
    // id is rebuilt from the job's id and the scheduled time when it can be.
    refs[r + ID] = occurrence ? null : run.id;
    refs[r + TASK] = run.taskName;
    refs[r + ORIGIN] = run.origin;
    refs[r + STATUS] = run.status;
    refs[r + REASON] = run.reason;
    refs[r + ARGS] = run.args;
    refs[r + RETRY] = run.retry;
    refs[r + TIMEOUT] = run.timeoutMs;
    refs[r + GROUP] = run.group;
    refs[r + ERROR] = run.error;
    refs[r + WORKER] = run.worker;
    refs[r + ATTEMPTS] = isDerivable(run) ? null : run.attempts;
    refs[r + COALESCED] = run.coalesced;
  }

  /** The `i`-th run, oldest first, as a new record. */
  at(i: number): RunRecord {
    const slot = this.#slot(i);
    const t = slot * TIMES;
    const times = this.#times;
    const r = slot * REFS;
    const refs = this.#refs;
    const status = refs[r + STATUS] as RunRecord["status"];
    const startedAt = orNull(times[t + STARTED]!);
    const endedAt = orNull(times[t + ENDED]!);
    const durationMs = orNull(times[t + DURATION]!);
    const error = refs[r + ERROR] as RunRecord["error"];
    const worker = refs[r + WORKER] as string | null;
    const attempts =
      (refs[r + ATTEMPTS] as AttemptRecord[] | null)?.map((a) => ({ ...a })) ??
      derivedAttempts(status, startedAt, endedAt, durationMs, error, worker);
    return {
      id: this.#idAt(slot),
      jobId: this.#jobId,
      taskName: refs[r + TASK] as string,
      origin: refs[r + ORIGIN] as RunRecord["origin"],
      scheduledAt: times[t + SCHEDULED]!,
      dueAt: times[t + DUE]!,
      firedAt: times[t + FIRED]!,
      status,
      reason: refs[r + REASON] as RunRecord["reason"],
      args: refs[r + ARGS] as unknown[],
      startedAt,
      endedAt,
      durationMs,
      attempts,
      retry: refs[r + RETRY] as RunRecord["retry"],
      timeoutMs: refs[r + TIMEOUT] as number | null,
      group: refs[r + GROUP] as string,
      nextAttemptAt: null,
      error,
      worker,
      lease: null,
      coalesced: refs[r + COALESCED] as RunRecord["coalesced"],
    };
  }

  /** What a listing sorts and filters on, without building the record. */
  scheduledAt(i: number): number {
    return this.#times[this.#slot(i) * TIMES + SCHEDULED]!;
  }

  id(i: number): string {
    return this.#idAt(this.#slot(i));
  }

  #idAt(slot: number): string {
    const id = this.#refs[slot * REFS + ID] as string | null;
    return id ?? occurrenceId(this.#jobId, this.#times[slot * TIMES + SCHEDULED]!);
  }

  status(i: number): RunRecord["status"] {
    return this.#refs[this.#slot(i) * REFS + STATUS] as RunRecord["status"];
  }

  /** The index of the newest run scheduled at `at`, or -1. */
  indexOf(at: number): number {
    for (let i = this.#count - 1; i >= 0; i--) if (this.scheduledAt(i) === at) return i;
    return -1;
  }

  /**
   * Drops the runs that ended (or, never started, were fired) before `cutoff`; returns how many.
   * Runs the store's periodic prune over every job: the usual answer, none, is one pass over
   * numbers (building each kept run as a record, as this once did, took 360 ms at 100,000 jobs).
   */
  dropEndedBefore(cutoff: number): number {
    let dropped = 0;
    for (let i = 0; i < this.#count; i++) if (this.#endedOrFired(this.#slot(i)) < cutoff) dropped++;
    if (dropped === 0) return 0;
    const times = doubles(this.#capacity * TIMES);
    const refs = new Array<unknown>(this.#capacity * REFS).fill(null);
    let kept = 0;
    for (let i = 0; i < this.#count; i++) {
      const from = this.#slot(i);
      if (this.#endedOrFired(from) >= cutoff) this.#copy(from, times, refs, kept++);
    }
    this.#times = times;
    this.#refs = refs;
    this.#head = 0;
    this.#count = kept;
    return dropped;
  }

  /** When the run in `slot` ended, or was fired when it never started. */
  #endedOrFired(slot: number): number {
    const ended = this.#times[slot * TIMES + ENDED]!;
    return Number.isNaN(ended) ? this.#times[slot * TIMES + FIRED]! : ended;
  }

  /** Copies the run in `slot` to slot `to` of other columns. */
  #copy(slot: number, times: number[], refs: unknown[], to: number): void {
    for (let k = 0; k < TIMES; k++) times[to * TIMES + k] = this.#times[slot * TIMES + k]!;
    for (let k = 0; k < REFS; k++) refs[to * REFS + k] = this.#refs[slot * REFS + k];
  }

  #slot(i: number): number {
    return (this.#head + i) % this.#capacity;
  }

  #grow(): void {
    const capacity = Math.min(this.#max, this.#capacity * 2);
    const times = doubles(capacity * TIMES);
    const refs = new Array<unknown>(capacity * REFS).fill(null);
    for (let i = 0; i < this.#count; i++) this.#copy(this.#slot(i), times, refs, i);
    this.#times = times;
    this.#refs = refs;
    this.#capacity = capacity;
    this.#head = 0;
  }
}

/** An array of `length` NaNs whose elements V8 keeps as unboxed doubles. */
function doubles(length: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < length; i++) out.push(NaN);
  return out;
}

function orNull(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}

/**
 * Whether the run's attempts are exactly what {@link derivedAttempts} would make of its other
 * fields: none for a run that never started, one that matches the run for a run that ran once.
 */
function isDerivable(run: RunRecord): boolean {
  const attempts = run.attempts;
  if (attempts.length === 0) return run.startedAt === null;
  if (attempts.length !== 1) return false;
  const a = attempts[0]!;
  return (
    a.attempt === 1 &&
    a.startedAt === run.startedAt &&
    a.endedAt === run.endedAt &&
    a.durationMs === run.durationMs &&
    a.outcome === run.status &&
    a.error === run.error &&
    a.worker === run.worker
  );
}

function derivedAttempts(
  status: RunRecord["status"],
  startedAt: number | null,
  endedAt: number | null,
  durationMs: number | null,
  error: RunRecord["error"],
  worker: string | null,
): AttemptRecord[] {
  if (startedAt === null) return [];
  return [
    {
      attempt: 1,
      startedAt,
      endedAt,
      durationMs,
      outcome: status as AttemptRecord["outcome"],
      error,
      worker,
    },
  ];
}
