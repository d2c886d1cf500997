/**
 * `cronq/server`: the HTTP API, its OpenAPI document, metrics and event stream.
 *
 * `buildApp()` builds it without listening (tests inject requests); `startServer()` listens, and
 * refuses a non-loopback address unless API tokens are configured.
 */
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { InvalidOptionError } from "../core/errors.js";
import { type BuildAppOptions, buildApp } from "./app.js";
import { type AuthConfig, authFromEnv, isLoopbackAddress } from "./auth.js";

export interface StartServerOptions extends Omit<BuildAppOptions, "auth"> {
  /** @default "127.0.0.1" */
  host?: string;
  /** 0 for any free port. @default 8080 */
  port?: number;
  /** @default authFromEnv(process.env): CRONQ_API_TOKEN and CRONQ_API_TOKENS */
  auth?: AuthConfig;
}

export interface RunningServer {
  /** `http://127.0.0.1:8080`: where the API answers. */
  url: string;
  host: string;
  port: number;
  app: FastifyInstance;
  /** Stops listening, ends event streams, waits for requests in flight. Idempotent. */
  close(): Promise<void>;
}

/**
 * Builds the API and makes it listen. Throws InvalidOptionError, before listening, for a
 * non-loopback host without tokens: an API that changes jobs is never open to a network by default.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { host = "127.0.0.1", port = 8080, auth: given, ...rest } = options;
  const auth = given ?? authFromEnv(process.env);
  if (typeof host !== "string" || host === "")
    throw new InvalidOptionError("host", "a host name or IP address", host);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidOptionError("port", "an integer from 0 to 65535", port);
  if (auth.tokens.length === 0 && !isLoopbackAddress(host)) {
    throw new InvalidOptionError(
      "host",
      "a loopback address (127.0.0.1, ::1, localhost) when no API token is set",
      host,
      {
        message: `Refusing to listen on ${host} without an API token: anyone who can reach it could change your jobs. Set CRONQ_API_TOKEN (or CRONQ_API_TOKENS), or listen on 127.0.0.1.`,
      },
    );
  }
  const app = buildApp({ ...rest, auth });
  await app.listen({ host, port });
  const address = app.server.address() as AddressInfo;
  const shown =
    address.family === "IPv6" || address.address.includes(":") ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shown}:${address.port}`,
    host: address.address,
    port: address.port,
    app,
    close: () => (closing ??= app.close()),
  };
}

export { buildApp, DEFAULT_BODY_LIMIT } from "./app.js";
export type { BuildAppOptions } from "./app.js";
export {
  authFromEnv,
  parseTokenList,
  validateTokens,
  isLoopbackAddress,
  MIN_TOKEN_LENGTH,
  EVENTS_COOKIE,
} from "./auth.js";
export type { Access, ApiToken, AuthConfig, Principal } from "./auth.js";
export { embeddedCluster } from "./cluster.js";
export type { ClusterSnapshot, ClusterView, ReplicaState, RunningRunState, WorkerState } from "./cluster.js";
export type { EventStreamOptions } from "./event-stream.js";
export type { MetricsOptions } from "./metrics.js";
export { ApiMetrics } from "./metrics.js";
export { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from "./security.js";
