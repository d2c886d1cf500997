import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { authFromEnv, parseTokenList } from "../../src/server/auth.js";
import { WhoAmISchema, SessionSchema } from "../../src/server/schemas/session.js";
import { FULL, READ, TOKENS, errorOf, parse, testApi } from "./helpers.js";

/** Every route the router knows, from its own listing: `[method, path]`. */
function registeredRoutes(app: FastifyInstance): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split("\n")) {
    const match = /^(.*?)(?:└── |├── )(.+?) \(([A-Z, ]+)\)$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    const path = (stack[depth - 1] ?? "") + match[2]!;
    stack[depth] = path;
    for (const method of match[3]!.split(", ")) out.push([method, path]);
  }
  return out;
}

const PUBLIC = new Set(["GET /healthz", "GET /readyz"]);
/** The dashboard's files: code without data, served without a token so that the sign-in page loads. */
const STATIC = new Set(["GET /", "GET /*"]);

describe("authentication on every route", () => {
  // Hundreds of wrong tokens on purpose here: the rate limit is tested on its own below.
  const api = testApi({
    staticDir: new URL("./fixtures/static/", import.meta.url).pathname,
    auth: { tokens: TOKENS, maxFailures: 1_000_000 },
  });
  before(async () => {
    await api.request("POST", "/jobs", { id: "existing", task: "echo", trigger: { interval: 60 } });
    await api.app.ready();
  });
  after(() => api.close());

  it("finds every route the API defines in the router, and nothing else but the static files", () => {
    const routes = registeredRoutes(api.app).map(([m, p]) => `${m} ${p}`);
    const defined = api.app.cronqRoutes.map((r) => `${r.method} ${r.url}`);
    assert.deepEqual([...routes].sort(), [...defined, ...STATIC].sort());
    assert.ok(routes.length >= 30, `${routes.length} routes`);
  });

  it("rejects a request without a token, or with a wrong one, on every route but /healthz and /readyz", async () => {
    for (const [method, path] of registeredRoutes(api.app)) {
      const key = `${method} ${path}`;
      if (STATIC.has(key)) continue;
      const url = path.replace(":id", "existing");
      for (const token of [null, "wrong-token-0123456789", FULL.slice(0, -1)]) {
        const res = await api.app.inject({
          method: method as "GET",
          url,
          headers: token === null ? {} : { authorization: `Bearer ${token}` },
        });
        if (PUBLIC.has(key)) {
          assert.equal(res.statusCode, 200, key);
        } else {
          assert.equal(res.statusCode, 401, `${key} with ${token ?? "no token"}: ${res.body}`);
          assert.equal(errorOf(res).code, "UNAUTHORIZED");
        }
      }
      // Other ways of sending a token count only on GET /events.
      if (!PUBLIC.has(key) && key !== "GET /events") {
        const res = await api.app.inject({
          method: method as "GET",
          url: `${url}?token=${FULL}`,
          headers: {
            cookie: `cronq_events=${FULL}`,
            authorization: `Basic ${Buffer.from(`x:${FULL}`).toString("base64")}`,
          },
        });
        assert.equal(res.statusCode, 401, `${key} with a token outside the Authorization header`);
      }
    }
  });

  it("lets read-only tokens read everything and change nothing", async () => {
    const bodies: Record<string, unknown> = {
      "POST /jobs": { id: "new", task: "echo", trigger: { interval: 5 } },
      "PUT /jobs/:id": { task: "echo", trigger: { interval: 7 } },
      "PATCH /jobs/:id": { description: "changed" },
      "POST /jobs/bulk": { action: "delete", ids: ["existing"] },
      "POST /triggers/preview": { trigger: { interval: 5 } },
    };
    const run = await api.request("POST", "/jobs/existing/run");
    const runId = encodeURIComponent((JSON.parse(run.body) as { id: string }).id);
    const before = JSON.stringify(await api.scheduler.listJobs({ limit: 1000 }));
    const ranBefore = JSON.stringify(await api.scheduler.listRuns({ limit: 1000 }));
    for (const route of api.app.cronqRoutes) {
      if (route.url === "/events") continue;
      const key = `${route.method} ${route.url}`;
      const url = route.url.replace(":id", route.url.startsWith("/runs") ? runId : "existing");
      const res = await api.request(route.method, url, bodies[key], { token: READ });
      if (route.access === "write") {
        assert.equal(res.statusCode, 403, `${key}: ${res.body}`);
        assert.equal(errorOf(res).code, "FORBIDDEN");
      } else {
        assert.ok(
          res.statusCode < 400,
          `${key} is readable with a read-only token: ${res.statusCode} ${res.body}`,
        );
        assert.ok(
          route.method === "GET" ||
            ["POST /triggers/preview", "POST /session", "DELETE /session"].includes(key),
          key,
        );
      }
    }
    assert.equal(JSON.stringify(await api.scheduler.listJobs({ limit: 1000 })), before, "jobs unchanged");
    assert.equal(JSON.stringify(await api.scheduler.listRuns({ limit: 1000 })), ranBefore, "runs unchanged");
    assert.equal(api.scheduler.state, "idle", "scheduler state unchanged");
  });

  it("tells each token its name and access", async () => {
    assert.deepEqual(parse(await api.request("GET", "/session", undefined, { token: READ }), WhoAmISchema), {
      name: "viewer",
      access: "read",
    });
    assert.deepEqual(parse(await api.request("GET", "/session"), WhoAmISchema), {
      name: "admin",
      access: "full",
    });
  });
});

describe("rate limiting of failed attempts", () => {
  it("refuses an address after 10 wrong tokens for the rest of the minute, right tokens too", async () => {
    const api = testApi();
    try {
      for (let i = 0; i < 9; i++) {
        assert.equal(
          (await api.request("GET", "/jobs", undefined, { token: `wrong-${i}-0123456789abcdef` })).statusCode,
          401,
        );
      }
      // Missing credentials are not attempts: they do not count.
      assert.equal((await api.request("GET", "/jobs", undefined, { token: null })).statusCode, 401);
      assert.equal(
        (await api.request("GET", "/jobs", undefined, { token: "wrong-9-0123456789abcdef" })).statusCode,
        401,
      );
      const limited = await api.request("GET", "/jobs");
      assert.equal(limited.statusCode, 429);
      assert.equal(errorOf(limited).code, "RATE_LIMITED");
      assert.equal(limited.headers["retry-after"], "60");
      const other = await api.app.inject({
        method: "GET",
        url: "/jobs",
        remoteAddress: "10.0.0.2",
        headers: { authorization: `Bearer ${FULL}` },
      });
      assert.equal(other.statusCode, 200, "another address is not affected");
      await api.clock.advance(30_000);
      assert.equal((await api.request("GET", "/jobs")).headers["retry-after"], "30");
      await api.clock.advance(30_000);
      assert.equal((await api.request("GET", "/jobs")).statusCode, 200);
      assert.equal((await api.request("GET", "/healthz", undefined, { token: "wrong" })).statusCode, 200);
    } finally {
      await api.close();
    }
  });
});

describe("events tokens", () => {
  it("are issued for a bearer token only, open nothing but /events, and expire", async () => {
    const api = testApi();
    try {
      const res = await api.request("POST", "/session", undefined, { token: READ });
      const session = parse(res, SessionSchema);
      assert.equal(session.access, "read");
      assert.equal(session.expiresAt, "2026-03-02T00:10:00.000Z");
      const cookie = String(res.headers["set-cookie"]);
      assert.match(cookie, /^cronq_events=v1\.[^;]+; Path=\/events; Max-Age=600; HttpOnly; SameSite=Strict$/);
      // As a bearer token, or on another route, it is not valid.
      assert.equal(
        (await api.request("GET", "/jobs", undefined, { token: session.eventsToken })).statusCode,
        401,
      );
      const renew = await api.app.inject({
        method: "POST",
        url: "/session",
        headers: { cookie: cookie.split(";")[0]! },
      });
      assert.equal(renew.statusCode, 401, "the cookie cannot renew itself");
      const tampered = session.eventsToken.replace(/\.[^.]+$/, ".AAAA");
      const bad = await api.app.inject({ method: "GET", url: `/events?token=${tampered}` });
      assert.equal(bad.statusCode, 401);
      await api.clock.advance(600_000);
      const expired = await api.app.inject({ method: "GET", url: `/events?token=${session.eventsToken}` });
      assert.equal(expired.statusCode, 401);
      assert.match(errorOf(expired).message, /expired/);
      const cleared = await api.request("DELETE", "/session");
      assert.equal(cleared.statusCode, 204);
      assert.match(String(cleared.headers["set-cookie"]), /Max-Age=0/);
    } finally {
      await api.close();
    }
  });
});

describe("open mode (no tokens, loopback only)", () => {
  const api = testApi({ auth: { tokens: [] } });
  after(() => api.close());

  it("gives full access to requests addressed to a loopback host", async () => {
    for (const host of ["127.0.0.1:8080", "localhost:8080", "[::1]:8080", "localhost"]) {
      const res = await api.request("GET", "/session", undefined, { token: null, headers: { host } });
      assert.deepEqual(parse(res, WhoAmISchema), { name: "anonymous", access: "full" }, host);
    }
  });

  it("refuses other Host names (DNS rebinding) and cross-site browser requests", async () => {
    const rebind = await api.request("POST", "/jobs/x/pause", undefined, {
      token: null,
      headers: { host: "attacker.example" },
    });
    assert.equal(rebind.statusCode, 401);
    const crossOrigin = await api.request("POST", "/jobs/x/pause", undefined, {
      token: null,
      headers: { host: "127.0.0.1:8080", origin: "http://attacker.example" },
    });
    assert.equal(crossOrigin.statusCode, 403);
    const fetchSite = await api.request("DELETE", "/jobs/x", undefined, {
      token: null,
      headers: { host: "127.0.0.1:8080", "sec-fetch-site": "cross-site" },
    });
    assert.equal(fetchSite.statusCode, 403);
    const sameOrigin = await api.request("GET", "/jobs", undefined, {
      token: null,
      headers: { host: "127.0.0.1:8080", origin: "http://127.0.0.1:8080", "sec-fetch-site": "same-origin" },
    });
    assert.equal(sameOrigin.statusCode, 200);
  });
});

describe("tokens from the environment", () => {
  it("reads CRONQ_API_TOKEN as one full token and CRONQ_API_TOKENS as named ones", () => {
    const auth = authFromEnv({
      CRONQ_API_TOKEN: "  s3cret-s3cret-s3cret  ",
      CRONQ_API_TOKENS: "grafana:read:0123456789abcdef0123,\nci:full:abc:def:0123456789abcdef",
    });
    assert.deepEqual(auth.tokens, [
      { name: "default", access: "full", token: "s3cret-s3cret-s3cret" },
      { name: "grafana", access: "read", token: "0123456789abcdef0123" },
      { name: "ci", access: "full", token: "abc:def:0123456789abcdef" },
    ]);
    assert.deepEqual(authFromEnv({}).tokens, []);
    assert.deepEqual(authFromEnv({ CRONQ_API_TOKEN: "", CRONQ_API_TOKENS: " " }).tokens, []);
  });

  it("refuses malformed entries with the variable, and never echoes a whole secret", () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ CRONQ_API_TOKEN: "short" }, /`CRONQ_API_TOKEN` to be a secret of at least 16/],
      [
        { CRONQ_API_TOKENS: "grafana:0123456789abcdef0123" },
        /`CRONQ_API_TOKENS\[0\]` to be an entry "<name>:<read\|full>:<secret>"/,
      ],
      [{ CRONQ_API_TOKENS: "grafana:admin:0123456789abcdef0123" }, /access level of "read" or "full"/],
      [{ CRONQ_API_TOKENS: "a b:read:0123456789abcdef0123" }, /CRONQ_API_TOKENS\[0\]/],
      [
        { CRONQ_API_TOKENS: "x:read:0123456789abcdef0123,x:full:0123456789abcdef0124" },
        /a name no other token has/,
      ],
      [
        { CRONQ_API_TOKEN: "0123456789abcdef0123", CRONQ_API_TOKENS: "x:read:0123456789abcdef0123" },
        /a secret no other token has/,
      ],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => authFromEnv(env),
        (e: Error) => message.test(e.message) && !e.message.includes("0123456789abcdef0123"),
        JSON.stringify(env),
      );
    }
    assert.throws(() => parseTokenList("nocolon"), /"<name>:<read\|full>:<secret>"/);
  });
});

describe("behind a reverse proxy", () => {
  it("limits failed attempts per client address from X-Forwarded-For when the proxy is trusted", async () => {
    const api = testApi({ trustProxy: "127.0.0.1" });
    try {
      for (let i = 0; i < 10; i++) {
        await api.request("GET", "/jobs", undefined, {
          token: `wrong-${i}-0123456789abcdef`,
          headers: { "x-forwarded-for": "203.0.113.7" },
        });
      }
      const attacker = await api.request("GET", "/jobs", undefined, {
        headers: { "x-forwarded-for": "203.0.113.7" },
      });
      assert.equal(attacker.statusCode, 429);
      const someoneElse = await api.request("GET", "/jobs", undefined, {
        headers: { "x-forwarded-for": "198.51.100.2" },
      });
      assert.equal(someoneElse.statusCode, 200, "the proxy itself is not locked out");
    } finally {
      await api.close();
    }
  });
});
