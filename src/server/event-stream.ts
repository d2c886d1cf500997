/**
 * The live event stream behind `GET /events` (server-sent events).
 *
 * Every scheduler event but `error` is numbered and kept in a ring of the last `bufferSize`, so
 * that a client that reconnects with `Last-Event-ID` gets what it missed; when that is no longer in
 * the ring (or the id is from before a restart), it gets a `reset` event and should reload what it
 * shows. Payloads are serialised once, when a client first needs them.
 *
 * A slow client cannot make the server buffer without bound: past `maxBufferedBytes` waiting in its
 * socket, it is disconnected (its EventSource reconnects and catches up from the ring).
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Clock, Timer } from "../core/clock/clock.js";
import type { CronqEventName, CronqEvents } from "../core/events.js";
import type { JobInfo, RunInfo } from "../core/jobs/info.js";
import type { Scheduler } from "../core/scheduler/scheduler.js";
import { HttpError } from "./errors.js";
import { STREAMED_EVENT_NAMES, type StreamedEventName } from "./schemas/events.js";
import { toJob, toRun } from "./serialize.js";

export interface EventStreamOptions {
  /** Events kept for clients that reconnect. @default 1000 */
  bufferSize?: number;
  /** Streams open at once; more get 503. @default 100 */
  maxClients?: number;
  /** A comment line this often keeps proxies from closing idle streams. @default 15000 */
  heartbeatMs?: number;
  /** A client with more than this waiting in its socket is disconnected. @default 1 MiB */
  maxBufferedBytes?: number;
}

export interface StreamFilter {
  /** Exact names, and prefixes (`run:` from `run:*`). Null: every event. */
  names: ReadonlySet<string> | null;
  prefixes: readonly string[];
  jobId: string | null;
}

interface Entry {
  seq: number;
  name: StreamedEventName;
  payload: CronqEvents[StreamedEventName];
  jobId: string | null;
  /** The SSE frame, built on first use. */
  frame: string | null;
}

interface Client {
  res: ServerResponse;
  filter: StreamFilter;
}

const STREAMED: ReadonlySet<string> = new Set(STREAMED_EVENT_NAMES);

export class EventStream {
  /** Identifies this process's numbering: ids from another boot cannot be resumed. */
  readonly #boot = randomBytes(4).toString("hex");
  readonly #scheduler: Scheduler;
  readonly #clock: Clock;
  /** Entry `seq` lives at `seq % bufferSize`: a ring, no shifting at thousands of events per second. */
  readonly #ring: Array<Entry | undefined>;
  readonly #bufferSize: number;
  readonly #maxClients: number;
  readonly #heartbeatMs: number;
  readonly #maxBuffered: number;
  readonly #clients = new Set<Client>();
  readonly #off: () => void;
  #seq = 0;
  #heartbeat: Timer | undefined;
  #closed = false;

  constructor(scheduler: Scheduler, options: EventStreamOptions = {}) {
    this.#scheduler = scheduler;
    this.#clock = scheduler.options.clock;
    this.#bufferSize = options.bufferSize ?? 1000;
    this.#maxClients = options.maxClients ?? 100;
    this.#heartbeatMs = options.heartbeatMs ?? 15_000;
    this.#maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
    this.#ring = new Array<Entry | undefined>(this.#bufferSize);
    this.#off = scheduler.events.onAny((name, payload) => this.#record(name, payload));
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  /**
   * Takes over a response and streams events to it until the client goes away or the stream is
   * closed. Writes the head itself: the caller has hijacked the reply.
   */
  /** Throws a 503 when no stream may be opened now: call before taking over the reply. */
  checkCapacity(): void {
    if (this.#closed) throw new HttpError(503, "UNAVAILABLE", "The server is shutting down.");
    if (this.#clients.size >= this.#maxClients) {
      throw new HttpError(
        503,
        "TOO_MANY_STREAMS",
        `At most ${this.#maxClients} event streams may be open at once.`,
        {
          headers: { "retry-after": "10" },
        },
      );
    }
  }

  attach(
    req: IncomingMessage,
    res: ServerResponse,
    filter: StreamFilter,
    headers: Record<string, string>,
  ): void {
    res.writeHead(200, {
      ...headers,
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      // nginx and similar proxies would otherwise buffer the stream.
      "x-accel-buffering": "no",
    });
    const client: Client = { res, filter };
    this.#clients.add(client);
    const detach = (): void => {
      this.#clients.delete(client);
      if (this.#clients.size === 0) this.#stopHeartbeat();
    };
    req.once("close", detach);
    res.once("close", detach);

    let out = "retry: 3000\n\n";
    const lastId = header(req.headers["last-event-id"]);
    let resumed = false;
    if (lastId !== null) {
      const replay = this.#since(lastId);
      if (replay === "server-restarted" || replay === "too-old") {
        out += frame("reset", null, { reason: replay });
      } else {
        for (const entry of replay) if (matches(entry, filter)) out += this.#frameOf(entry);
        resumed = true;
      }
    }
    out += frame("hello", null, {
      now: new Date(this.#clock.now()).toISOString(),
      schedulerId: this.#scheduler.id,
      resumed,
    });
    this.#write(client, out);
    this.#startHeartbeat();
  }

  /** Ends every stream and stops listening. */
  close(): void {
    this.#closed = true;
    this.#off();
    this.#stopHeartbeat();
    for (const client of this.#clients) client.res.end();
    this.#clients.clear();
  }

  #record(name: CronqEventName, payload: CronqEvents[CronqEventName]): void {
    if (!STREAMED.has(name)) return;
    const event = name as StreamedEventName;
    const entry: Entry = {
      seq: ++this.#seq,
      name: event,
      payload: payload as CronqEvents[StreamedEventName],
      jobId: jobIdOf(payload),
      frame: null,
    };
    this.#ring[entry.seq % this.#bufferSize] = entry;
    for (const client of this.#clients) {
      if (matches(entry, client.filter)) this.#write(client, this.#frameOf(entry));
    }
  }

  #since(lastId: string): Entry[] | "too-old" | "server-restarted" {
    const [boot, seqText] = lastId.split("-");
    const seq = Number(seqText);
    if (boot !== this.#boot || !Number.isSafeInteger(seq) || seq > this.#seq) return "server-restarted";
    const oldest = Math.max(1, this.#seq - this.#bufferSize + 1);
    // Everything after `seq` must still be in the ring.
    if (seq + 1 < oldest) return "too-old";
    const out: Entry[] = [];
    for (let s = seq + 1; s <= this.#seq; s++) out.push(this.#ring[s % this.#bufferSize]!);
    return out;
  }

  #frameOf(entry: Entry): string {
    entry.frame ??= frame(entry.name, `${this.#boot}-${entry.seq}`, dataOf(entry.name, entry.payload));
    return entry.frame;
  }

  #write(client: Client, text: string): void {
    const { res } = client;
    if (res.writableEnded || res.destroyed) return;
    if (res.writableLength > this.#maxBuffered) {
      // Too far behind: drop it; its EventSource reconnects and resumes from the ring.
      this.#clients.delete(client);
      res.destroy();
      return;
    }
    res.write(text);
  }

  #startHeartbeat(): void {
    if (this.#heartbeat || this.#closed) return;
    this.#heartbeat = this.#clock.setTimer(() => {
      this.#heartbeat = undefined;
      for (const client of this.#clients) this.#write(client, ": ping\n\n");
      if (this.#clients.size > 0) this.#startHeartbeat();
    }, this.#heartbeatMs);
  }

  #stopHeartbeat(): void {
    this.#heartbeat?.cancel();
    this.#heartbeat = undefined;
  }
}

/** Parses `?types=run:*,job:removed`; throws a 400 naming an unknown event. */
export function parseStreamFilter(types: string | undefined, jobId: string | undefined): StreamFilter {
  let names: Set<string> | null = null;
  const prefixes: string[] = [];
  if (types !== undefined) {
    names = new Set();
    for (const part of types.split(",")) {
      if (part === "") continue;
      if (part.endsWith("*")) {
        const prefix = part.slice(0, -1);
        if (!STREAMED_EVENT_NAMES.some((n) => n.startsWith(prefix))) throw unknownEvent(part);
        prefixes.push(prefix);
      } else {
        if (!STREAMED.has(part)) throw unknownEvent(part);
        names.add(part);
      }
    }
  }
  return { names, prefixes, jobId: jobId ?? null };
}

function unknownEvent(part: string): HttpError {
  return new HttpError(
    400,
    "INVALID_ARGUMENT",
    `Unknown event \`${part}\` in \`types\`; events are ${STREAMED_EVENT_NAMES.join(", ")}.`,
    {
      details: [
        {
          path: "types",
          expected: `event names or prefixes (${STREAMED_EVENT_NAMES.join(", ")})`,
          received: JSON.stringify(part),
        },
      ],
    },
  );
}

function matches(entry: Entry, filter: StreamFilter): boolean {
  if (filter.jobId !== null && entry.jobId !== filter.jobId) return false;
  if (filter.names === null) return true;
  return filter.names.has(entry.name) || filter.prefixes.some((p) => entry.name.startsWith(p));
}

function jobIdOf(payload: unknown): string | null {
  const p = payload as { job?: { id?: unknown }; run?: { jobId?: unknown }; jobId?: unknown };
  const id = p.job?.id ?? p.run?.jobId ?? p.jobId;
  return typeof id === "string" ? id : null;
}

/** The event's data as the API's types: jobs and runs as in REST responses (runs without stacks). */
function dataOf(name: StreamedEventName, payload: CronqEvents[StreamedEventName]): unknown {
  const p = payload as { job?: JobInfo; run?: RunInfo; lateMs?: number };
  if (name.startsWith("run:") && p.run) {
    const run = toRun(p.run, { stacks: false });
    return name === "run:fired" ? { run, lateMs: p.lateMs ?? 0 } : { run };
  }
  if (p.job) return { job: toJob(p.job) };
  return payload;
}

function frame(event: string, id: string | null, data: unknown): string {
  return `${id === null ? "" : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function header(value: string | string[] | undefined): string | null {
  const text = Array.isArray(value) ? value[0] : value;
  return typeof text === "string" && text.length > 0 && text.length <= 100 ? text : null;
}
