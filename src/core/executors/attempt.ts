/**
 * One attempt of one run, from start to record: shared by the in-process executor and the
 * distributed worker so that both record runs the same way.
 *
 * The attempt starts in the store (which checks the lease), calls the task with its arguments and a
 * {@link TaskContext}, races it against the timeout and the caller's abort signal, decides between
 * retry and final outcome, and records that in the store. Whatever the task does (throw, hang,
 * ignore its signal), the attempt ends with exactly one `finishAttempt`.
 */
import type { Clock, Timer } from "../clock/clock.js";
import {
  AbortedError,
  LeaseLostError,
  TaskNotFoundError,
  TimeoutError,
  isNonRetryable,
  serializeError,
  type SerializedError,
} from "../errors.js";
import type { CronqEvents, TypedEmitter } from "../events.js";
import { toRunInfo } from "../jobs/info.js";
import type { RunReason, RunRecord } from "../jobs/job.js";
import { retryDelayMs } from "../jobs/policies.js";
import type { FinishAttemptResult, FinishOutcome, Store } from "../stores/store.js";
import type { TaskContext, TaskDefinition, TaskLogger, TaskRegistry } from "../tasks.js";

export interface AttemptEnvironment {
  store: Store;
  clock: Clock;
  tasks: TaskRegistry;
  events: TypedEmitter<CronqEvents>;
  logger: TaskLogger;
  leaseMs: number;
}

export interface AttemptRequest {
  runId: string;
  /**
   * The run as the caller got it from the store (fired, queued), if it has it: the store may start
   * a first attempt from it without reading the run back (see StartAttemptArgs.record).
   */
  record?: RunRecord;
  /** Who executes: the lease owner. */
  owner: string;
  /** The lease token held on a `pending` run; null for a `dispatched` or `retrying` one. */
  token: number | null;
  /** Aborts the attempt from outside (cancel, shutdown). Its reason says which. */
  abort: AttemptAbort;
  /**
   * Whether a failed attempt with attempts left is retried by recording `retrying` with the backoff
   * delay (`true`), or the retry is left to someone else (a queue with its own backoff) who only
   * needs the record. @default true
   */
  scheduleRetry?: boolean;
  /** Called once the attempt has started, with its lease token (for lease renewal). */
  onStarted?: (run: RunRecord) => void;
}

/**
 * A one-shot abort switch. An AbortController costs microseconds to create and most runs are never
 * aborted, so attempts use this, and the task's AbortSignal is only made if the task reads it.
 */
export class AttemptAbort {
  #aborted = false;
  #reason: unknown = undefined;
  #listeners: Array<(reason: unknown) => void> | null = null;

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    const listeners = this.#listeners;
    this.#listeners = null;
    if (listeners) for (const listener of listeners) listener(reason);
  }

  /** Calls `listener` once on abort (at once if already aborted). Returns a function that unsubscribes. */
  onAbort(listener: (reason: unknown) => void): () => void {
    if (this.#aborted) {
      listener(this.#reason);
      return () => undefined;
    }
    (this.#listeners ??= []).push(listener);
    return () => {
      const at = this.#listeners?.indexOf(listener) ?? -1;
      if (at >= 0) this.#listeners!.splice(at, 1);
    };
  }

  /** A standard AbortSignal that follows this switch. */
  toSignal(): AbortSignal {
    if (this.#aborted) return AbortSignal.abort(this.#reason);
    const controller = new AbortController();
    this.onAbort((reason) => controller.abort(reason));
    return controller.signal;
  }
}

/** Why an attempt was aborted from outside: recorded as the run's cancel reason. */
export class CancelReason extends AbortedError {
  readonly reason: RunReason;
  constructor(reason: RunReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

/**
 * Runs one attempt. Returns the store's finish result (null when the run was not startable here or
 * its job and run were removed meanwhile, or when the lease was lost: someone else owns it now).
 */
export async function runAttempt(
  env: AttemptEnvironment,
  request: AttemptRequest,
): Promise<FinishAttemptResult | null> {
  const { store, clock, events } = env;
  const { owner } = request;
  let started: RunRecord | null;
  try {
    started = await store.startAttempt(request.runId, {
      now: clock.now(),
      owner,
      leaseMs: env.leaseMs,
      token: request.token,
      ...(request.record ? { record: request.record } : {}),
    });
  } catch (error) {
    if (error instanceof LeaseLostError) return null;
    throw error;
  }
  if (!started) return null;
  const lease = started.lease!;
  request.onStarted?.(started);
  if (events.has("run:started")) events.emit("run:started", { run: toRunInfo(started) });

  const pending = executeTask(env, started, request.abort);
  // A synchronous task (or one that threw at once) has its outcome already: no promise to wait for.
  const outcome = pending instanceof Promise ? await pending : pending;
  const now = clock.now();
  let result: FinishAttemptResult | null;
  try {
    result = await store.finishAttempt(started.id, {
      ...finishOutcome(started, lease.token, outcome, now, request.scheduleRetry !== false),
      now,
      owner,
      leaseMs: env.leaseMs,
      record: started,
    });
  } catch (error) {
    // Someone else took the run over (our lease expired while the task ran): their record wins.
    if (error instanceof LeaseLostError) {
      events.emit("lease:lost", { kind: "run", id: started.id, owner });
      return null;
    }
    throw error;
  }
  if (result) emitOutcome(events, result.run);
  return result;
}

/**
 * What to record for an attempt of `run` (started, holding `token`) that ended with `outcome`: a
 * retry time when the failure is retryable and attempts are left (and `scheduleRetry`), else final.
 */
export function finishOutcome(
  run: RunRecord,
  token: number,
  outcome: AttemptOutcome,
  now: number,
  scheduleRetry: boolean,
): FinishOutcome {
  const attempt = run.attempts.length;
  const retryable =
    (outcome.outcome === "failed" || outcome.outcome === "timed-out") &&
    outcome.reason !== "non-retryable" &&
    outcome.reason !== "task-missing" &&
    attempt < run.retry.attempts;
  return {
    token,
    outcome: outcome.outcome,
    error: outcome.error,
    reason: outcome.reason,
    retryAt: retryable && scheduleRetry ? now + retryDelayMs(run.retry, attempt + 1, run.id) : null,
  };
}

export interface AttemptOutcome {
  outcome: "succeeded" | "failed" | "timed-out" | "cancelled";
  error: SerializedError | null;
  reason: RunReason | null;
}

/**
 * Calls the task and returns its outcome: at once when the task is synchronous, otherwise a promise
 * settled by the first of the task's settlement, its timeout and an outside abort. The timer and
 * the abort listener exist only for tasks that return a promise: a synchronous task cannot be
 * interrupted anyway, and most tasks never time out.
 */
export function executeTask(
  env: AttemptEnvironment,
  run: RunRecord,
  outer: AttemptAbort,
): AttemptOutcome | Promise<AttemptOutcome> {
  const attempt = run.attempts.length;
  const task = env.tasks.get(run.taskName);
  if (!task) {
    return {
      outcome: "failed",
      error: serializeError(
        new TaskNotFoundError(
          run.taskName,
          env.tasks.list().map((t) => t.name),
        ),
        {
          stack: false,
        },
      ),
      reason: "task-missing",
    };
  }
  if (outer.aborted) return cancelled(outer.reason);
  const inner = new AttemptAbort();
  const startedAt = env.clock.now();
  let value: unknown;
  try {
    value = callTask(task.fn, run.args, new RunContext(run, attempt, inner, env.logger));
  } catch (error) {
    return failure(error);
  }
  if (!isPromiseLike(value)) return SUCCEEDED;
  const promise = value;
  return new Promise<AttemptOutcome>((resolve) => {
    let timer: Timer | undefined;
    let settled = false;
    const finish = (outcome: AttemptOutcome): void => {
      if (settled) return;
      settled = true;
      timer?.cancel();
      stopListening();
      resolve(outcome);
    };
    const stopListening = outer.onAbort((reason) => {
      inner.abort(reason);
      finish(cancelled(reason));
    });
    if (run.timeoutMs !== null && !settled) {
      const timeoutMs = run.timeoutMs;
      timer = env.clock.setTimer(
        () => {
          const error = new TimeoutError(timeoutMs);
          inner.abort(error);
          finish({ outcome: "timed-out", error: serializeError(error, { stack: false }), reason: "timeout" });
        },
        Math.max(0, timeoutMs - (env.clock.now() - startedAt)),
      );
    }
    promise.then(
      () => finish(SUCCEEDED),
      (error: unknown) => finish(failure(error)),
    );
  });
}

/**
 * `fn(...args, context)`, without the spread for the usual few arguments: a spread call with an
 * argument after it builds its list element by element, 224 bytes for one argument (measured on
 * Node 20), which at 10,000 runs a second was a sixth of what starting them allocated.
 */
export function callTask(fn: TaskDefinition["fn"], args: readonly unknown[], context: TaskContext): unknown {
  const call = fn as (...values: unknown[]) => unknown;
  switch (args.length) {
    case 0:
      return call(context);
    case 1:
      return call(args[0], context);
    case 2:
      return call(args[0], args[1], context);
    case 3:
      return call(args[0], args[1], args[2], context);
    default: {
      const values = args.slice();
      values.push(context);
      return call(...values);
    }
  }
}

function cancelled(reason: unknown): AttemptOutcome {
  return {
    outcome: "cancelled",
    error: serializeError(reason, { stack: false }),
    reason: reason instanceof CancelReason ? reason.reason : "shutdown",
  };
}

const SUCCEEDED: AttemptOutcome = Object.freeze({ outcome: "succeeded", error: null, reason: null });

/** The TaskContext: the signal, the date and the logger are made only if the task uses them. */
class RunContext implements TaskContext {
  readonly attempt: number;
  readonly #run: RunRecord;
  readonly #abort: AttemptAbort;
  readonly #baseLogger: TaskLogger;
  #signal: AbortSignal | undefined;
  #logger: TaskLogger | undefined;

  constructor(run: RunRecord, attempt: number, abort: AttemptAbort, logger: TaskLogger) {
    this.#run = run;
    this.attempt = attempt;
    this.#abort = abort;
    this.#baseLogger = logger;
  }

  // Read from the run when asked (its id, job and retry policy do not change): fewer fields to
  // fill for every run, most of which never read them.
  get runId(): string {
    return this.#run.id;
  }

  get jobId(): string {
    return this.#run.jobId;
  }

  get maxAttempts(): number {
    return this.#run.retry.attempts;
  }

  get scheduledAt(): Date {
    return new Date(this.#run.scheduledAt);
  }

  get signal(): AbortSignal {
    return (this.#signal ??= this.#abort.toSignal());
  }

  get logger(): TaskLogger {
    return (this.#logger ??= scopedLogger(this.#baseLogger, {
      runId: this.runId,
      jobId: this.jobId,
      attempt: this.attempt,
    }));
  }
}

function failure(error: unknown): AttemptOutcome {
  return {
    outcome: "failed",
    error: serializeError(error),
    reason: isNonRetryable(error) ? "non-retryable" : "error",
  };
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === "object" && value !== null && typeof (value as PromiseLike<unknown>).then === "function"
  );
}

/** Emits the event matching a run's state after an attempt was recorded. */
export function emitOutcome(events: TypedEmitter<CronqEvents>, run: RunRecord): void {
  const event =
    run.status === "succeeded"
      ? "run:succeeded"
      : run.status === "retrying"
        ? "run:retrying"
        : run.status === "cancelled"
          ? "run:cancelled"
          : "run:failed";
  if (events.has(event)) events.emit(event, { run: toRunInfo(run) });
}

function scopedLogger(base: TaskLogger, fields: Record<string, unknown>): TaskLogger {
  return {
    debug: (message, data) => base.debug(message, { ...fields, ...data }),
    info: (message, data) => base.info(message, { ...fields, ...data }),
    warn: (message, data) => base.warn(message, { ...fields, ...data }),
    error: (message, data) => base.error(message, { ...fields, ...data }),
  };
}
