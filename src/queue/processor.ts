/**
 * What a worker does with one queue job: run one attempt of its run through the shared attempt
 * runner (core/executors/attempt.ts), so that runs are recorded exactly as in embedded mode, then
 * tell BullMQ what became of it.
 *
 * | store outcome                         | BullMQ job                                             |
 * |---------------------------------------|--------------------------------------------------------|
 * | succeeded, cancelled                  | completed                                              |
 * | retrying (attempt failed, more left)  | failed with {@link RetryAttemptError}: BullMQ retries  |
 * |                                       | it after the delay the ledger recorded (cronq backoff) |
 * | failed, timed-out (no attempt left)   | failed with UnrecoverableError: no BullMQ retry        |
 * | not started: the run is pending under | moved to delayed for a moment: the lease holder is     |
 * | someone else's lease, or Redis failed | queueing it and marks it dispatched (dispatch.ts)      |
 * | not started: running elsewhere, final | completed (nothing to do: a duplicate of a queued job) |
 * | lease lost while running              | completed (whoever took the run over records it)       |
 *
 * The processor never lets any other error fail the job: a run marked dispatched whose queue job
 * BullMQ dropped would wait forever (the queue executor's reconciler is the last resort).
 */
import { DelayedError, type Job, UnrecoverableError } from "bullmq";
import type { Clock } from "../core/clock/clock.js";
import type { AttemptEnvironment } from "../core/executors/attempt.js";
import { AttemptAbort, runAttempt } from "../core/executors/attempt.js";
import type { RunRecord } from "../core/jobs/job.js";
import { type Dispatcher, type QueueJobData, queuedRun } from "./dispatch.js";

/** A failed attempt with attempts left: BullMQ retries the job after `delayMs` (see {@link cronqBackoff}). */
export class RetryAttemptError extends Error {
  readonly delayMs: number;
  constructor(run: RunRecord, delayMs: number) {
    super(
      `Attempt ${run.attempts.length} of run ${run.id} failed (${run.error?.message ?? run.reason ?? "error"}); ` +
        `the next starts at ${new Date(run.nextAttemptAt ?? 0).toISOString()}.`,
    );
    this.name = "RetryAttemptError";
    this.delayMs = delayMs;
  }
}

/**
 * BullMQ's custom backoff strategy for cronq jobs: the delay the worker computed with
 * `retryDelayMs` (policies.ts) and recorded as the run's nextAttemptAt, so that BullMQ's retry and
 * the ledger agree to the millisecond.
 */
export function cronqBackoff(_attemptsMade: number, _type?: string, error?: Error): number {
  return error instanceof RetryAttemptError ? error.delayMs : 1000;
}

/** How long a job whose run is not startable yet waits before it looks again. */
const RECHECK_MS = 250;
/** How long a job waits after Redis failed it before it tries again. */
const FAILURE_RETRY_MS = 1000;
/** Re-checks before a job gives up on a run that stays under someone else's dispatch lease. */
const MAX_RECHECKS = 1200;

export interface ProcessorEnvironment extends AttemptEnvironment {
  owner: string;
  clock: Clock;
  dispatcher: Dispatcher;
  /** A slot of the worker's concurrency; resolves false when the worker is stopping instead. */
  acquire(): Promise<boolean>;
  release(): void;
  /** Called when the attempt started (to renew its lease and route cancels), and when it ended. */
  track(run: RunRecord, abort: AttemptAbort): () => void;
}

export type ProcessResult =
  | { runId: string; status: RunRecord["status"] }
  | { runId: string; skipped: "not-startable" | "lease-lost" | "unrecorded"; status?: string };

export async function processJob(
  env: ProcessorEnvironment,
  job: Job<QueueJobData>,
  lockToken: string | undefined,
): Promise<ProcessResult> {
  const { runId, token } = job.data;
  if (!(await env.acquire())) {
    // Stopping: hand the job back unstarted, for another worker.
    return later(env, job, lockToken, 0);
  }
  let untrack: (() => void) | undefined;
  let started = false;
  try {
    const abort = new AttemptAbort();
    let result;
    try {
      const record = queuedRun(job.data);
      result = await runAttempt(env, {
        runId,
        ...(record ? { record } : {}),
        owner: env.owner,
        token,
        abort,
        scheduleRetry: true,
        onStarted: (run) => {
          started = true;
          untrack = env.track(run, abort);
        },
      });
    } catch (error) {
      env.events.emit("error", { error: asError(error), context: `run ${runId}: attempt` });
      if (!started) return later(env, job, lockToken, FAILURE_RETRY_MS);
      // Started, but its end could not be recorded: its lease expires and a replica takes it over.
      return { runId, skipped: "unrecorded" };
    }
    if (!started) return notStarted(env, job, lockToken);
    if (!result) return { runId, skipped: "lease-lost" };
    if (result.promoted) {
      await env.dispatcher.dispatch([result.promoted]).catch((error: unknown) =>
        env.events.emit("error", {
          error: asError(error),
          context: `run ${result.promoted!.id}: queueing`,
        }),
      );
    }
    const run = result.run;
    if (run.status === "retrying") {
      throw new RetryAttemptError(run, Math.max(0, (run.nextAttemptAt ?? 0) - env.clock.now()));
    }
    if (run.status === "failed" || run.status === "timed-out") {
      throw new UnrecoverableError(`Run ${run.id} ${run.status}: ${run.error?.message ?? run.reason ?? ""}`);
    }
    return { runId, status: run.status };
  } finally {
    untrack?.();
    env.release();
  }
}

/** The attempt did not start: wait if the run is about to be startable, else drop the job. */
async function notStarted(
  env: ProcessorEnvironment,
  job: Job<QueueJobData>,
  lockToken: string | undefined,
): Promise<ProcessResult> {
  const { runId } = job.data;
  let run: RunRecord | null;
  try {
    run = await env.store.getRun(runId);
  } catch (error) {
    env.events.emit("error", { error: asError(error), context: `run ${runId}: reading it` });
    return later(env, job, lockToken, FAILURE_RETRY_MS);
  }
  const soon = run?.status === "pending" || run?.status === "dispatched" || run?.status === "retrying";
  if (soon && job.attemptsStarted < MAX_RECHECKS) return later(env, job, lockToken, RECHECK_MS);
  if (soon) {
    env.events.emit("error", {
      error: new Error(
        `Run ${runId} stayed ${run!.status} under another process's lease; its queue job gives up.`,
      ),
      context: `run ${runId}`,
    });
  }
  return { runId, skipped: "not-startable", status: run?.status ?? "missing" };
}

/** Moves the job to delayed for `ms` (DelayedError: BullMQ neither completes it nor counts an attempt). */
async function later(
  env: ProcessorEnvironment,
  job: Job<QueueJobData>,
  lockToken: string | undefined,
  ms: number,
): Promise<never> {
  await job.moveToDelayed(env.clock.now() + ms, lockToken);
  throw new DelayedError();
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
