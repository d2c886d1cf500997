/**
 * Live updates: the API's event stream (`GET /events`, server-sent events), and the server's clock
 * for countdowns.
 *
 * An EventSource cannot send an Authorization header, so `POST /session` (with the bearer token)
 * sets a short-lived events cookie scoped to `/events`, and the stream is opened with that cookie:
 * the token never appears in a URL (nor in the server's request log). The cookie is renewed at
 * half its lifetime, so that the browser's own reconnections (which resume with `Last-Event-ID`)
 * always present a valid one; a wrong credential counts against the server's rate limit.
 *
 * When the stream closes for good (the server restarted, or the cookie expired while the laptop
 * slept), a new session and stream are opened with a growing delay, and every screen reloads what
 * it shows: events may have been lost meanwhile.
 */
import { ApiError, type Api } from "./api.js";
import { EVENT_NAMES, type EventName, type Job, type Run } from "./types.js";

/** An event from the stream: its name, and the job or run it carries. */
export interface LiveEvent {
  name: EventName;
  /** The job of a `job:*` event. */
  job: Job | null;
  /** The run of a `run:*` event. */
  run: Run | null;
  /** The job this event is about, when it is about one. */
  jobId: string | null;
  /**
   * Whether whatever is shown should be loaded again from the API: `hello` on a stream that did not
   * resume (events may be missing) and `reset` (the server says events were lost).
   */
  reload: boolean;
}

export type LiveStatus = "connecting" | "live" | "reconnecting" | "offline";

/**
 * The server's clock, as seen from here: countdowns and elapsed times are computed against it,
 * so that a browser whose clock is off still shows "in 3 s" when the job fires in 3 s.
 */
export class ServerClock {
  #offsetMs = 0;

  /** Now, by the server's clock (as of the last sync), in epoch milliseconds. */
  now(): number {
    return Date.now() + this.#offsetMs;
  }

  /** Takes the server's `now` from a response or event. */
  sync(serverNowIso: string): void {
    const server = Date.parse(serverNowIso);
    if (Number.isFinite(server)) this.#offsetMs = server - Date.now();
  }
}

const MAX_BACKOFF_MS = 30_000;

export class Live {
  readonly #api: Api;
  readonly #clock: ServerClock;
  readonly #onStatus: (status: LiveStatus) => void;
  readonly #listeners = new Set<(event: LiveEvent) => void>();
  #source: EventSource | null = null;
  #renewTimer: number | undefined;
  #retryTimer: number | undefined;
  #backoffMs = 1000;
  #running = false;
  #status: LiveStatus = "offline";

  constructor(api: Api, clock: ServerClock, onStatus: (status: LiveStatus) => void) {
    this.#api = api;
    this.#clock = clock;
    this.#onStatus = onStatus;
  }

  get status(): LiveStatus {
    return this.#status;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#connect();
  }

  stop(): void {
    this.#running = false;
    this.#source?.close();
    this.#source = null;
    window.clearTimeout(this.#renewTimer);
    window.clearTimeout(this.#retryTimer);
    this.#setStatus("offline");
  }

  /** Calls `listener` with every event until the returned function is called. */
  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #setStatus(status: LiveStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    this.#onStatus(status);
  }

  async #connect(): Promise<void> {
    this.#setStatus(this.#source === null ? "connecting" : "reconnecting");
    try {
      await this.#renew();
    } catch (error) {
      // 401: the token is no longer valid; the Api's handler signs out, which stops this.
      if (error instanceof ApiError && error.status === 401) return;
      this.#retryLater();
      return;
    }
    if (!this.#running) return;
    const source = new EventSource("/events");
    this.#source = source;
    source.addEventListener("open", () => {
      this.#backoffMs = 1000;
      this.#setStatus("live");
    });
    source.addEventListener("error", () => {
      if (this.#source !== source) return;
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (the server refused or went away): start over with a new session.
        source.close();
        this.#retryLater();
      } else {
        this.#setStatus("reconnecting");
      }
    });
    for (const name of EVENT_NAMES) {
      source.addEventListener(name, (message) =>
        this.#dispatch(name, (message as MessageEvent<string>).data),
      );
    }
  }

  /** POST /session: sets the events cookie; renews it again at half its lifetime. */
  async #renew(): Promise<void> {
    window.clearTimeout(this.#renewTimer);
    const session = await this.#api.openSession();
    const ttl = Date.parse(session.expiresAt) - this.#clock.now();
    const delay = Math.max(10_000, Math.min(ttl / 2, 10 * 60_000));
    this.#renewTimer = window.setTimeout(() => {
      if (!this.#running) return;
      // A failed renewal is retried at the next reconnection; the open stream is not affected.
      this.#renew().catch(() => undefined);
    }, delay);
  }

  #retryLater(): void {
    if (!this.#running) return;
    this.#setStatus("reconnecting");
    window.clearTimeout(this.#retryTimer);
    this.#retryTimer = window.setTimeout(() => void this.#connect(), this.#backoffMs);
    this.#backoffMs = Math.min(this.#backoffMs * 2, MAX_BACKOFF_MS);
  }

  #dispatch(name: EventName, text: string): void {
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    if (name === "hello" && typeof data.now === "string") this.#clock.sync(data.now);
    const job = (data.job ?? null) as Job | null;
    const run = (data.run ?? null) as Run | null;
    const event: LiveEvent = {
      name,
      job,
      run,
      jobId: job?.id ?? run?.jobId ?? (typeof data.jobId === "string" ? data.jobId : null),
      reload: name === "reset" || (name === "hello" && data.resumed !== true),
    };
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        // One screen's bug must not stop the others from updating.
        console.error("live update failed", error);
      }
    }
  }
}
