/**
 * The Executor port: who runs the occurrences the scheduler fires.
 *
 * The scheduler records each occurrence as a `pending` run leased to itself, then hands it to its
 * executor. The in-process executor ({@link LocalExecutor}) runs the task here with bounded
 * concurrency; the queue executor (`cronq/redis`) puts it on a BullMQ queue for `cronq worker`
 * processes. Either way the executor owns the run from then on: it records every attempt and the
 * outcome in the store, so a run is never left without a record.
 */
import type { Clock } from "../clock/clock.js";
import type { CronqEvents, TypedEmitter } from "../events.js";
import type { RunReason, RunRecord } from "../jobs/job.js";
import type { Store } from "../stores/store.js";
import type { TaskLogger, TaskRegistry } from "../tasks.js";

/** What the scheduler gives its executor at start. */
export interface ExecutorHost {
  readonly store: Store;
  readonly clock: Clock;
  readonly tasks: TaskRegistry;
  readonly events: TypedEmitter<CronqEvents>;
  /** The scheduler's id: the owner of the leases it hands over. */
  readonly owner: string;
  /** How long leases last; holders renew them every third of it. */
  readonly leaseMs: number;
  /** The logger that tasks receive in their context. */
  readonly logger: TaskLogger;
  /**
   * Tells the scheduler that the store's next wake-up time may have moved earlier (a run now
   * waits for a retry), so that it re-reads it instead of sleeping past it.
   */
  wake(): void;
  /**
   * True while the scheduler is firing (claiming and dispatching due occurrences). Work that can
   * wait a few milliseconds, such as recording finished runs, should wait while it is.
   */
  busy?(): boolean;
}

export interface Executor {
  readonly kind: string;
  /** Called by the scheduler's `start()`, before any dispatch. */
  start(host: ExecutorHost): Promise<void>;
  /**
   * Takes over `pending` runs leased to `host.owner`. Never throws and never drops a run: each is
   * executed, queued, or recorded as failed.
   */
  dispatch(runs: readonly RunRecord[]): void;
  /** Cancels a run executing or waiting for a slot here; false if it is not here. */
  cancel(runId: string, reason: RunReason): boolean;
  /** Runs executing or waiting for a slot in this process. */
  readonly load: number;
  /** Resolves when nothing is executing or waiting here. */
  onIdle(): Promise<void>;
  /**
   * Stops taking work, lets what runs finish for up to `graceMs`, then aborts it (recorded as
   * cancelled, reason `shutdown`). Idempotent.
   */
  stop(options: { graceMs: number }): Promise<void>;
}
