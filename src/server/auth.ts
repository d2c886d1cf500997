/**
 * Who may call the API, and what they may do.
 *
 * - Bearer tokens (`Authorization: Bearer <token>`), each with a name and an access level: `read`
 *   (sees everything, changes nothing) or `full`. Tokens are compared in constant time, as SHA-256
 *   digests so that their lengths leak nothing either, and every configured token is compared on
 *   every request so that the time taken does not tell which one matched.
 * - Failed attempts (a wrong token, not a missing one) are counted per client address; past
 *   `maxFailures` in `failureWindowMs`, that address gets 429 for the rest of the window, right
 *   tokens included, so that guessing cannot go on in the background.
 * - Events tokens: a browser's EventSource cannot send headers, so `POST /session` (with a bearer
 *   token) hands out a short-lived token, signed with a key that lives and dies with this process,
 *   accepted only by `GET /events`, as `?token=` or in an HttpOnly, SameSite=Strict cookie scoped to
 *   `/events`. It cannot change anything, and it expires.
 * - Open mode: with no token configured (allowed only on a loopback address, see `startServer`),
 *   requests get full access as `anonymous`, but only when their Host is a loopback name and, if they
 *   come from a browser, from the same origin: a web page cannot reach the API through DNS
 *   rebinding or a cross-site form.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import type { Clock } from "../core/clock/clock.js";
import { InvalidOptionError } from "../core/errors.js";
import { HttpError } from "./errors.js";

/** `read`: see everything, change nothing. `full`: everything. */
export type Access = "read" | "full";

export interface ApiToken {
  /** Shown in logs and by `GET /session`; never the secret. 1 to 64 letters, digits, `_ . -`. */
  name: string;
  /** The secret: at least {@link MIN_TOKEN_LENGTH} printable ASCII characters. */
  token: string;
  access: Access;
}

export interface AuthConfig {
  /** The accepted tokens. Empty: open mode (see the module doc), which `startServer` allows on loopback only. */
  tokens: readonly ApiToken[];
  /** Wrong tokens per client address per window before it gets 429. @default 10 */
  maxFailures?: number;
  /** @default 60000 (one minute) */
  failureWindowMs?: number;
  /** How long an events token (`POST /session`) stays valid. @default 600000 (ten minutes) */
  eventsTokenTtlMs?: number;
}

/** How a route may be called: without credentials, with any valid token, or with a `full` one. */
export type RouteAccess = "public" | "read" | "write";

/** Where a route looks for credentials. Only `GET /events` accepts the query and cookie forms. */
export type CredentialSource = "bearer" | "query" | "cookie";

export interface Principal {
  name: string;
  access: Access;
  via: CredentialSource | "open";
}

export const MIN_TOKEN_LENGTH = 16;
export const EVENTS_COOKIE = "cronq_events";
const TOKEN_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const TOKEN_TEXT = /^[\x21-\x7e]+$/;

/**
 * The tokens from the environment:
 * - `CRONQ_API_TOKEN=<secret>`: one token named `default` with full access;
 * - `CRONQ_API_TOKENS=<name>:<read|full>:<secret>,...`: several named tokens, separated by commas,
 *   spaces or newlines (a secret cannot contain those; it may contain `:`).
 * Both may be set. Throws InvalidOptionError naming the variable for anything malformed.
 */
export function authFromEnv(env: Record<string, string | undefined>): AuthConfig {
  const tokens: ApiToken[] = [];
  const single = env.CRONQ_API_TOKEN;
  if (single !== undefined && single.trim() !== "") {
    tokens.push(checkToken({ name: "default", access: "full", token: single.trim() }, "CRONQ_API_TOKEN"));
  }
  const list = env.CRONQ_API_TOKENS;
  if (list !== undefined && list.trim() !== "") tokens.push(...parseTokenList(list, "CRONQ_API_TOKENS"));
  return { tokens: validateTokens(tokens) };
}

/** Parses `name:access:secret` entries separated by commas or whitespace. */
export function parseTokenList(text: string, source = "tokens"): ApiToken[] {
  return text
    .split(/[\s,]+/)
    .filter((entry) => entry !== "")
    .map((entry, i) => {
      const first = entry.indexOf(":");
      const second = first < 0 ? -1 : entry.indexOf(":", first + 1);
      if (first <= 0 || second < 0) {
        throw new InvalidOptionError(
          `${source}[${i}]`,
          'an entry "<name>:<read|full>:<secret>", like "grafana:read:<secret>"',
          redact(entry),
        );
      }
      const access = entry.slice(first + 1, second);
      if (access !== "read" && access !== "full") {
        throw new InvalidOptionError(`${source}[${i}]`, 'an access level of "read" or "full"', access);
      }
      return checkToken(
        { name: entry.slice(0, first), access, token: entry.slice(second + 1) },
        `${source}[${i}]`,
      );
    });
}

function checkToken(token: ApiToken, where: string): ApiToken {
  if (!TOKEN_NAME.test(token.name)) {
    throw new InvalidOptionError(`${where}.name`, "1 to 64 letters, digits, '_', '.' or '-'", token.name);
  }
  if (token.token.length < MIN_TOKEN_LENGTH || !TOKEN_TEXT.test(token.token)) {
    throw new InvalidOptionError(
      where,
      `a secret of at least ${MIN_TOKEN_LENGTH} printable characters without spaces (generate one with \`openssl rand -hex 32\`)`,
      redact(token.token),
    );
  }
  return token;
}

/** Checks a token list: well-formed entries, unique names, unique secrets. Returns it frozen. */
export function validateTokens(tokens: readonly ApiToken[]): readonly ApiToken[] {
  const names = new Set<string>();
  const secrets = new Set<string>();
  tokens.forEach((token, i) => {
    if (typeof token !== "object" || token === null)
      throw new InvalidOptionError(`tokens[${i}]`, "{ name, token, access }", token);
    checkToken(token, `tokens[${i}]`);
    if (token.access !== "read" && token.access !== "full") {
      throw new InvalidOptionError(`tokens[${i}].access`, '"read" or "full"', token.access);
    }
    if (names.has(token.name))
      throw new InvalidOptionError(`tokens[${i}].name`, "a name no other token has", token.name);
    if (secrets.has(token.token)) {
      throw new InvalidOptionError(`tokens[${i}].token`, "a secret no other token has", redact(token.token));
    }
    names.add(token.name);
    secrets.add(token.token);
  });
  return Object.freeze(tokens.map((t) => Object.freeze({ ...t })));
}

function redact(secret: string): string {
  return secret.length <= 4 ? "****" : `${secret.slice(0, 2)}...(${secret.length} characters)`;
}

interface StoredToken {
  name: string;
  access: Access;
  digest: Buffer;
}

interface FailureWindow {
  count: number;
  startedAt: number;
}

/** At most this many client addresses are tracked; beyond it, the oldest windows are dropped first. */
const MAX_TRACKED_ADDRESSES = 10_000;

export class Authenticator {
  readonly open: boolean;
  readonly #tokens: StoredToken[];
  readonly #clock: Clock;
  readonly #maxFailures: number;
  readonly #windowMs: number;
  readonly #ttlMs: number;
  readonly #failures = new Map<string, FailureWindow>();
  /** Signs events tokens; a new process has a new key, so a restart revokes them all. */
  readonly #key = randomBytes(32);

  constructor(config: AuthConfig, clock: Clock) {
    const tokens = validateTokens(config.tokens);
    this.open = tokens.length === 0;
    this.#tokens = tokens.map((t) => ({ name: t.name, access: t.access, digest: digest(t.token) }));
    this.#clock = clock;
    this.#maxFailures = positive(config.maxFailures ?? 10, "auth.maxFailures");
    this.#windowMs = positive(config.failureWindowMs ?? 60_000, "auth.failureWindowMs");
    this.#ttlMs = positive(config.eventsTokenTtlMs ?? 600_000, "auth.eventsTokenTtlMs");
  }

  /** The principal of a request to a route with `access`, or an HttpError (401, 403, 429). */
  authenticate(
    request: FastifyRequest,
    access: RouteAccess,
    sources: readonly CredentialSource[],
  ): Principal | null {
    if (access === "public") return null;
    const principal = this.open ? this.#openPrincipal(request) : this.#tokenPrincipal(request, sources);
    if (access === "write" && principal.access !== "full") {
      throw new HttpError(
        403,
        "FORBIDDEN",
        `The token "${principal.name}" is read-only; this request changes something and needs a token with full access.`,
      );
    }
    return principal;
  }

  /** A signed events token for `principal`, valid for the configured TTL. */
  issueEventsToken(principal: Principal): { token: string; expiresAt: number; ttlMs: number } {
    const expiresAt = this.#clock.now() + this.#ttlMs;
    const payload = Buffer.from(
      JSON.stringify({ n: principal.name, a: principal.access, e: expiresAt, s: "events" }),
    ).toString("base64url");
    return { token: `v1.${payload}.${this.#sign(payload)}`, expiresAt, ttlMs: this.#ttlMs };
  }

  #openPrincipal(request: FastifyRequest): Principal {
    if (!isLoopbackHost(request.headers.host)) {
      throw new HttpError(
        401,
        "UNAUTHORIZED",
        "This server has no API tokens, so it answers only requests addressed to a loopback host (127.0.0.1, localhost, [::1]). Set CRONQ_API_TOKEN to use it from elsewhere.",
      );
    }
    if (isCrossSite(request)) {
      throw new HttpError(
        403,
        "FORBIDDEN",
        "Cross-origin requests are refused by a server without API tokens.",
      );
    }
    return { name: "anonymous", access: "full", via: "open" };
  }

  #tokenPrincipal(request: FastifyRequest, sources: readonly CredentialSource[]): Principal {
    const address = request.ip;
    const now = this.#clock.now();
    const window = this.#failures.get(address);
    if (window && now - window.startedAt >= this.#windowMs) this.#failures.delete(address);
    else if (window && window.count >= this.#maxFailures) {
      const retryAfter = Math.max(1, Math.ceil((window.startedAt + this.#windowMs - now) / 1000));
      throw new HttpError(
        429,
        "RATE_LIMITED",
        `Too many failed authentication attempts from this address; try again in ${retryAfter} s.`,
        {
          headers: { "retry-after": String(retryAfter) },
        },
      );
    }

    const bearer = bearerToken(request);
    if (bearer !== null && sources.includes("bearer")) {
      const match = this.#match(bearer);
      if (match) return { name: match.name, access: match.access, via: "bearer" };
      this.#fail(address, now);
      throw unauthorized("The bearer token is not valid.");
    }
    if (bearer === null) {
      for (const source of sources) {
        if (source === "bearer") continue;
        const text = source === "query" ? queryToken(request) : cookieToken(request);
        if (text === null) continue;
        const principal = this.#verifyEventsToken(text, now);
        if (principal) return { ...principal, via: source };
        this.#fail(address, now);
        throw unauthorized("The events token is not valid or has expired; get a new one from POST /session.");
      }
    }
    throw unauthorized(
      sources.length > 1
        ? "This route needs `Authorization: Bearer <token>`, or an events token from POST /session."
        : "This route needs `Authorization: Bearer <token>` (CRONQ_API_TOKEN).",
    );
  }

  #match(presented: string): StoredToken | null {
    const candidate = digest(presented);
    let found: StoredToken | null = null;
    // No early exit: every token is compared, so the time taken does not depend on which matched.
    for (const token of this.#tokens) {
      if (timingSafeEqual(candidate, token.digest) && found === null) found = token;
    }
    return found;
  }

  #verifyEventsToken(text: string, now: number): Omit<Principal, "via"> | null {
    const parts = text.split(".");
    if (parts.length !== 3 || parts[0] !== "v1") return null;
    const [, payload, signature] = parts as [string, string, string];
    const expected = Buffer.from(this.#sign(payload));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    let claims: { n?: unknown; a?: unknown; e?: unknown; s?: unknown };
    try {
      claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as typeof claims;
    } catch {
      return null;
    }
    if (claims.s !== "events" || typeof claims.e !== "number" || claims.e <= now) return null;
    // The token it was issued for must still exist with (at least) that access.
    const token = this.#tokens.find((t) => t.name === claims.n);
    if (!token) return null;
    const access: Access = claims.a === "full" && token.access === "full" ? "full" : "read";
    return { name: token.name, access };
  }

  #sign(payload: string): string {
    return createHmac("sha256", this.#key).update(payload).digest("base64url");
  }

  #fail(address: string, now: number): void {
    const window = this.#failures.get(address);
    if (window) {
      window.count++;
      return;
    }
    if (this.#failures.size >= MAX_TRACKED_ADDRESSES) {
      for (const [key, value] of this.#failures) {
        if (now - value.startedAt >= this.#windowMs || this.#failures.size >= MAX_TRACKED_ADDRESSES)
          this.#failures.delete(key);
        if (this.#failures.size < MAX_TRACKED_ADDRESSES / 2) break;
      }
    }
    this.#failures.set(address, { count: 1, startedAt: now });
  }
}

function unauthorized(message: string): HttpError {
  return new HttpError(401, "UNAUTHORIZED", message, {
    headers: { "www-authenticate": 'Bearer realm="cronq"' },
  });
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

function positive(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1) throw new InvalidOptionError(field, "a positive integer", value);
  return value;
}

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== "string") return null;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  // A malformed header counts as a wrong token (it was an attempt), never as "no credentials".
  return match ? match[1]! : header;
}

function queryToken(request: FastifyRequest): string | null {
  const query = request.query as Record<string, unknown> | undefined;
  const token = query?.token;
  return typeof token === "string" && token !== "" ? token : null;
}

function cookieToken(request: FastifyRequest): string | null {
  const header = request.headers.cookie;
  if (typeof header !== "string") return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === EVENTS_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return value === "" ? null : value;
    }
  }
  return null;
}

/** Whether a Host header names a loopback address: `localhost`, `127.x.x.x`, `[::1]`, with any port. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (typeof host !== "string") return false;
  const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.replace(/:\d*$/, "");
  return isLoopbackAddress(name.replace(/^\[|\]$/g, ""));
}

/** Whether an address or host name is loopback: `localhost`, `127.0.0.0/8`, `::1`. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase();
  return (
    a === "localhost" ||
    a.endsWith(".localhost") ||
    a === "::1" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a) ||
    /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a)
  );
}

/** A browser request from another site: by `Sec-Fetch-Site`, or an `Origin` whose host is not ours. */
function isCrossSite(request: FastifyRequest): boolean {
  const site = request.headers["sec-fetch-site"];
  if (site === "cross-site" || site === "same-site") return true;
  const origin = request.headers.origin;
  if (typeof origin !== "string" || origin === "") return false;
  if (origin === "null") return true;
  try {
    return new URL(origin).host !== request.headers.host;
  } catch {
    return true;
  }
}
