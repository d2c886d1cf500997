/**
 * Serving the API and dashboard from a cronq process (`cronq start`, `cronq serve`): host and port
 * from flags, config or environment, tokens from the environment, and a token made up for this run
 * when none is set, so that the API is never open, not even on 127.0.0.1.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import { InvalidOptionError } from "../core/errors.js";
import type { Scheduler } from "../core/scheduler/scheduler.js";
import {
  authFromEnv,
  startServer,
  type AuthConfig,
  type ClusterView,
  type RunningServer,
} from "../server/index.js";

export type ServedApi = RunningServer;

export interface ServeApiOptions {
  scheduler: Scheduler;
  logger: Logger;
  /** From a flag or the config; else CRONQ_HOST; else 127.0.0.1. */
  host?: string | undefined;
  /** From a flag or the config; else CRONQ_PORT; else 8080. */
  port?: string | number | undefined;
  cluster?: ClusterView;
  env?: Record<string, string | undefined>;
}

/**
 * Where the built dashboard lives: `dist-dashboard/` at the package root, which is two levels up
 * from this file both in the sources (`src/cli/`) and in the build (`dist/cli/`).
 */
export function dashboardDir(): string | undefined {
  const dir = fileURLToPath(new URL("../../dist-dashboard/", import.meta.url));
  return existsSync(dir) ? dir : undefined;
}

export async function serveApi(options: ServeApiOptions): Promise<ServedApi> {
  const env = options.env ?? process.env;
  const host = options.host ?? env.CRONQ_HOST ?? "127.0.0.1";
  const port = parsePort(options.port ?? env.CRONQ_PORT ?? 8080);
  let auth: AuthConfig = authFromEnv(env);
  let generated: string | undefined;
  if (auth.tokens.length === 0) {
    generated = randomBytes(24).toString("base64url");
    auth = { ...auth, tokens: [{ name: "generated", token: generated, access: "full" }] };
  }
  const staticDir = dashboardDir();
  const server = await startServer({
    scheduler: options.scheduler,
    host,
    port,
    auth,
    logger: options.logger,
    ...(options.cluster ? { cluster: options.cluster } : {}),
    ...(staticDir ? { staticDir } : {}),
  });
  options.logger.info({ url: server.url }, `API and dashboard on ${server.url}`);
  if (generated) {
    options.logger.warn(
      { url: server.url },
      `No CRONQ_API_TOKEN is set, so this run made one up. Sign in to ${server.url} with: ${generated}`,
    );
  }
  return server;
}

function parsePort(value: string | number): number {
  const port = typeof value === "number" ? value : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidOptionError("port", "an integer from 0 to 65535 (0: any free port)", value);
  }
  return port;
}
