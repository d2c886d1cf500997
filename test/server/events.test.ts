import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FakeClock } from "../../src/core/clock/fake-clock.js";
import { Scheduler } from "../../src/core/scheduler/scheduler.js";
import { type RunningServer, startServer } from "../../src/server/index.js";
import { EVENT_DATA_SCHEMAS, type ServerEventName } from "../../src/server/schemas/events.js";
import { FULL, READ, T0, TOKENS, testTasks } from "./helpers.js";

interface SseEvent {
  id: string | null;
  event: string;
  data: unknown;
}

/** Reads an SSE response until `until` says it has what it wants (or 5 s pass), then closes it. */
async function collect(
  url: string,
  init: RequestInit,
  until: (events: SseEvent[]) => boolean,
  onHello?: () => Promise<void>,
): Promise<{ status: number; headers: Headers; events: SseEvent[] }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5000);
  const res = await fetch(url, { ...init, signal: controller.signal });
  const events: SseEvent[] = [];
  if (res.status !== 200 || !res.body) {
    clearTimeout(timer);
    return { status: res.status, headers: res.headers, events };
  }
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(
          block
            .split("\n")
            .filter((line) => !line.startsWith(":") && line.includes(": "))
            .map((line) => [line.slice(0, line.indexOf(": ")), line.slice(line.indexOf(": ") + 2)]),
        ) as Record<string, string>;
        if (fields.event === undefined) continue;
        const event = {
          id: fields.id ?? null,
          event: fields.event,
          data: JSON.parse(fields.data ?? "null") as unknown,
        };
        // Every event's data matches its documented schema.
        EVENT_DATA_SCHEMAS[event.event as ServerEventName].parse(event.data);
        events.push(event);
        // Act only once the stream is open, so that nothing the action causes can be missed.
        if (event.event === "hello" && onHello) await onHello();
      }
      if (until(events)) break;
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return { status: res.status, headers: res.headers, events };
}

describe("GET /events on a real server", () => {
  const clock = new FakeClock(T0);
  const scheduler = new Scheduler({ clock, timezone: "UTC", tasks: testTasks() });
  let server: RunningServer;
  const bearer = { headers: { authorization: `Bearer ${FULL}` } };

  before(async () => {
    server = await startServer({ scheduler, port: 0, auth: { tokens: TOKENS }, logger: false });
    await scheduler.start();
  });
  after(async () => {
    await server.close();
    await scheduler.stop();
  });

  async function post(path: string, body?: unknown): Promise<Response> {
    return fetch(server.url + path, {
      method: "POST",
      headers: { authorization: `Bearer ${FULL}`, ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  }

  it("opens with hello, then streams job and run events as they happen", async () => {
    const { status, headers, events } = await collect(
      `${server.url}/events`,
      bearer,
      (events) => events.some((e) => e.event === "run:succeeded"),
      async () => {
        assert.equal(
          (await post("/jobs", { id: "live", task: "echo", trigger: { interval: 1 } })).status,
          201,
        );
        await clock.advance(1000);
      },
    );
    assert.equal(status, 200);
    assert.match(String(headers.get("content-type")), /^text\/event-stream/);
    assert.match(String(headers.get("content-security-policy")), /frame-ancestors 'none'/);
    const names = events.map((e) => e.event);
    assert.equal(names[0], "hello");
    assert.deepEqual(
      names.filter((n) => n !== "hello"),
      ["job:added", "run:fired", "run:started", "run:succeeded"],
    );
    const added = events.find((e) => e.event === "job:added")!.data as {
      job: { id: string; schedule: string };
    };
    assert.equal(added.job.id, "live");
    assert.equal(added.job.schedule, "every second");
    assert.match(events[1]!.id ?? "", /^[0-9a-f]{8}-\d+$/);
  });

  it("filters by event type and job, and resumes after Last-Event-ID", async () => {
    await post("/jobs", { id: "other", task: "echo", trigger: { interval: 1 } });
    const { events } = await collect(
      `${server.url}/events?types=run:succeeded&job=other`,
      bearer,
      (events) => events.filter((e) => e.event === "run:succeeded").length >= 2,
      () => clock.advance(2000),
    );
    const runs = events.filter((e) => e.event !== "hello");
    assert.ok(
      runs.every(
        (e) => e.event === "run:succeeded" && (e.data as { run: { jobId: string } }).run.jobId === "other",
      ),
    );
    const lastId = runs[0]!.id!;
    const resumed = await collect(
      `${server.url}/events?types=run:succeeded&job=other`,
      { headers: { ...bearer.headers, "last-event-id": lastId } },
      (events) => events.some((e) => e.event === "hello"),
    );
    assert.equal(resumed.events.at(-1)!.event, "hello");
    assert.equal((resumed.events.at(-1)!.data as { resumed: boolean }).resumed, true);
    assert.equal(resumed.events[0]!.id, runs[1]!.id, "replays what came after the last id seen");
    const foreign = await collect(
      `${server.url}/events`,
      { headers: { ...bearer.headers, "last-event-id": "00000000-5" } },
      (events) => events.some((e) => e.event === "hello"),
    );
    assert.deepEqual(foreign.events[0], { id: null, event: "reset", data: { reason: "server-restarted" } });
  });

  it("accepts an events token in the query or the cookie, as EventSource needs", async () => {
    const session = await fetch(`${server.url}/session`, {
      method: "POST",
      headers: { authorization: `Bearer ${READ}` },
    });
    const { eventsToken } = (await session.json()) as { eventsToken: string };
    const cookie = session.headers.get("set-cookie")!.split(";")[0]!;
    const byQuery = await collect(`${server.url}/events?token=${eventsToken}`, {}, (e) => e.length > 0);
    assert.equal(byQuery.status, 200);
    const byCookie = await collect(`${server.url}/events`, { headers: { cookie } }, (e) => e.length > 0);
    assert.equal(byCookie.status, 200);
    const none = await collect(`${server.url}/events`, {}, () => true);
    assert.equal(none.status, 401);
    const badType = await collect(`${server.url}/events?types=run:exploded`, bearer, () => true);
    assert.equal(badType.status, 400);
  });

  it("ends open streams when the server closes, so closing never hangs", async () => {
    const other = await startServer({ scheduler, port: 0, auth: { tokens: TOKENS }, logger: false });
    const res = await fetch(`${other.url}/events`, bearer);
    const reader = res.body!.getReader();
    await reader.read();
    await other.close();
    let done = false;
    while (!done) done = (await reader.read()).done;
    assert.ok(done);
  });
});

describe("startServer", () => {
  const scheduler = new Scheduler({ clock: new FakeClock(T0), timezone: "UTC" });

  it("listens on 127.0.0.1 and a free port, and closes idempotently", async () => {
    const server = await startServer({ scheduler, port: 0, auth: { tokens: [] }, logger: false });
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${server.url}/session`);
      assert.deepEqual(await res.json(), { name: "anonymous", access: "full" });
    } finally {
      await server.close();
      await server.close();
    }
  });

  it("refuses a non-loopback address without a token, with a clear message", async () => {
    for (const host of ["0.0.0.0", "::", "192.168.1.10"]) {
      await assert.rejects(
        startServer({ scheduler, host, port: 0, auth: { tokens: [] }, logger: false }),
        (e: Error) =>
          e.message.startsWith(`Refusing to listen on ${host} without an API token`) &&
          /CRONQ_API_TOKEN/.test(e.message),
      );
    }
    const server = await startServer({
      scheduler,
      host: "0.0.0.0",
      port: 0,
      auth: { tokens: TOKENS },
      logger: false,
    });
    await server.close();
  });

  it("takes its tokens from CRONQ_API_TOKEN when none are given", async () => {
    const saved = process.env.CRONQ_API_TOKEN;
    process.env.CRONQ_API_TOKEN = FULL;
    try {
      const server = await startServer({ scheduler, port: 0, logger: false });
      try {
        assert.equal((await fetch(`${server.url}/jobs`)).status, 401);
        assert.equal(
          (await fetch(`${server.url}/jobs`, { headers: { authorization: `Bearer ${FULL}` } })).status,
          200,
        );
      } finally {
        await server.close();
      }
    } finally {
      if (saved === undefined) delete process.env.CRONQ_API_TOKEN;
      else process.env.CRONQ_API_TOKEN = saved;
    }
  });
});
