/**
 * Typed, namespaced events. Listeners run synchronously in registration order; a listener that
 * throws (or returns a rejected promise) cannot break the scheduler: its error is delivered to the
 * `error` event with `context: "listener"`, and an error thrown by an `error` listener itself
 * becomes a process warning (`process.emitWarning`), the one channel left that cannot recurse.
 */
import type { JobInfo, RunInfo } from "./jobs/info.js";

export interface CronqEvents {
  "scheduler:started": { schedulerId: string };
  "scheduler:stopped": { schedulerId: string };
  "scheduler:paused": { schedulerId: string };
  "scheduler:resumed": { schedulerId: string };
  "job:added": { job: JobInfo };
  "job:updated": { job: JobInfo };
  "job:removed": { jobId: string };
  "job:paused": { job: JobInfo };
  "job:resumed": { job: JobInfo };
  /** A stored job's task is not registered in this process: the job is kept, its status is `missing-task`. */
  "job:task-missing": { jobId: string; taskName: string };
  /** An occurrence was recorded and handed to the executor (`lateMs`: how late the scheduler fired it). */
  "run:fired": { run: RunInfo; lateMs: number };
  /** Overlap `queue`: the occurrence waits for the running one. */
  "run:waiting": { run: RunInfo };
  /** An attempt started. */
  "run:started": { run: RunInfo };
  "run:succeeded": { run: RunInfo };
  /** The run failed or timed out (see `run.status`), with no attempt left. */
  "run:failed": { run: RunInfo };
  /** An attempt failed or timed out; the next one starts at `run.nextAttemptAt`. */
  "run:retrying": { run: RunInfo };
  "run:skipped": { run: RunInfo };
  "run:missed": { run: RunInfo };
  "run:cancelled": { run: RunInfo };
  /**
   * This process lost a claim on a job or a lease on a run (another replica or worker took it over
   * after the lease expired): its late write was refused and the other's record stands.
   */
  "lease:lost": { kind: "job" | "run"; id: string; owner: string };
  /** Something went wrong inside cronq (a store write failed, a listener threw); work goes on. */
  error: { error: Error; context: string };
}

export type CronqEventName = keyof CronqEvents;

type Listener<T> = (payload: T) => unknown;
type AnyListener<E> = <K extends keyof E>(event: K, payload: E[K]) => unknown;

export class TypedEmitter<E extends { error: { error: Error; context: string } }> {
  readonly #listeners = new Map<keyof E, Set<Listener<never>>>();
  readonly #any = new Set<AnyListener<E>>();

  /** Subscribes; returns a function that unsubscribes. */
  on<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => this.off(event, listener);
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): void {
    this.#listeners.get(event)?.delete(listener);
  }

  /** Every event, with its name: for logs, metrics and event streams. Returns an unsubscribe function. */
  onAny(listener: AnyListener<E>): () => void {
    this.#any.add(listener);
    return () => this.#any.delete(listener);
  }

  /**
   * The next `event` whose payload passes `filter`. Rejects with the signal's reason when `signal`
   * aborts first.
   */
  once<K extends keyof E>(
    event: K,
    options: { filter?: (payload: E[K]) => boolean; signal?: AbortSignal } = {},
  ): Promise<E[K]> {
    return new Promise<E[K]>((resolve, reject) => {
      const { signal, filter } = options;
      if (signal?.aborted) {
        reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
        return;
      }
      const onAbort = (): void => {
        off();
        reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
      };
      const off = this.on(event, (payload) => {
        if (filter && !filter(payload)) return;
        off();
        signal?.removeEventListener("abort", onAbort);
        resolve(payload);
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Whether anyone listens to `event`: lets hot paths skip building payloads nobody reads. */
  has(event: keyof E): boolean {
    return this.#any.size > 0 || (this.#listeners.get(event)?.size ?? 0) > 0;
  }

  emit<K extends keyof E>(event: K, payload: E[K]): void {
    const set = this.#listeners.get(event);
    if (set) {
      for (const listener of [...set]) this.#call(event, () => (listener as Listener<E[K]>)(payload));
    }
    for (const listener of [...this.#any]) this.#call(event, () => listener(event, payload));
  }

  #call(event: keyof E, invoke: () => unknown): void {
    try {
      const result = invoke();
      if (result instanceof Promise) result.catch((error: unknown) => this.#listenerFailed(event, error));
    } catch (error) {
      this.#listenerFailed(event, error);
    }
  }

  #listenerFailed(event: keyof E, error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error));
    if (event === "error" || !this.has("error")) {
      process.emitWarning(err, {
        type: "CronqListenerWarning",
        detail: `A listener for "${String(event)}" threw.`,
      });
      return;
    }
    this.emit("error", { error: err, context: `listener:${String(event)}` });
  }
}
