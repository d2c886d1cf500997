/**
 * Response headers every answer carries, and the dashboard's static files.
 *
 * The Content-Security-Policy allows scripts, styles and connections from this origin only (no
 * inline script, no eval), and `frame-ancestors 'none'` keeps any page from framing the dashboard.
 */
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { extname, resolve, sep } from "node:path";
import type { FastifyInstance, FastifyReply } from "fastify";
import { HttpError } from "./errors.js";

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
});

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

/**
 * Serves the files under `dir` at `/` (index.html) and `/<path>`, without credentials: they are the
 * dashboard's code, which holds no data (the data comes from the API, with a token). Routes that the
 * API defines win over files of the same path. Paths are resolved inside `dir` only, symlinks
 * included; anything else is a 404.
 */
export function registerStatic(app: FastifyInstance, dir: string): void {
  const root = resolve(dir);
  let realRoot: Promise<string> | undefined;
  const serve = async (path: string, reply: FastifyReply): Promise<FastifyReply> => {
    realRoot ??= realpath(root);
    const base = await realRoot;
    const relative = path === "" || path.endsWith("/") ? `${path}index.html` : path;
    if (relative.includes("\0") || relative.split("/").some((part) => part === ".." || part === "."))
      throw notFound();
    const file = resolve(base, relative);
    if (!file.startsWith(base + sep)) throw notFound();
    let real: string;
    try {
      real = await realpath(file);
      if (!real.startsWith(base + sep) || !(await stat(real)).isFile()) throw notFound();
    } catch {
      throw notFound();
    }
    const type = CONTENT_TYPES[extname(real).toLowerCase()] ?? "application/octet-stream";
    // index.html must be revalidated so a new version is picked up; other files are fingerprinted by the build.
    const cache = relative.endsWith("index.html") ? "no-cache" : "public, max-age=3600";
    return reply.header("content-type", type).header("cache-control", cache).send(createReadStream(real));
  };
  app.get("/", (_request, reply) => serve("", reply));
  app.get("/*", (request, reply) => serve((request.params as { "*": string })["*"], reply));
}

function notFound(): HttpError {
  return new HttpError(404, "NOT_FOUND", "No such file or route.");
}
