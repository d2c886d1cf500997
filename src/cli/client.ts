/**
 * The CLI's HTTP client for the cronq API: one method per operation, typed with the API's own
 * response types. Errors come back as {@link ApiError} with the API's code, message and details,
 * or with a message that says what to check when the server cannot be reached.
 */
import type { Cluster, Overview, SchedulerStatus } from "../server/schemas/scheduler.js";
import type { CreateJobRequest, Job, JobDetail, JobPage, ReplaceJobRequest } from "../server/schemas/jobs.js";
import type { ErrorDetail } from "../server/schemas/common.js";
import type { Run, RunPage } from "../server/schemas/runs.js";
import type { TaskList } from "../server/schemas/tasks.js";

export const DEFAULT_URL = "http://127.0.0.1:8080";

export interface ClientOptions {
  /** Where the API answers. @default CRONQ_URL or http://127.0.0.1:8080 */
  url?: string;
  /** A bearer token. @default CRONQ_API_TOKEN */
  token?: string | undefined;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Give up on a request after this long. @default 30000 */
  timeoutMs?: number;
}

/** The API answered with an error (or could not be reached: `status` 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: readonly ErrorDetail[];

  constructor(status: number, code: string, message: string, details: readonly ErrorDetail[] = []) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export interface JobListQuery {
  status?: string[];
  task?: string;
  search?: string;
  cursor?: string;
  limit?: number;
}

export interface RunListQuery {
  job?: string;
  status?: string[];
  from?: string;
  to?: string;
  cursor?: string;
  limit?: number;
}

type Query = Record<string, string | number | string[] | undefined>;

export class ApiClient {
  readonly url: string;
  readonly #token: string | undefined;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: ClientOptions = {}) {
    const url = options.url ?? DEFAULT_URL;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ApiError(
        0,
        "INVALID_URL",
        `Expected the API URL to be like ${DEFAULT_URL}, got ${JSON.stringify(url)}.`,
      );
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new ApiError(
        0,
        "INVALID_URL",
        `Expected an http:// or https:// API URL, got ${JSON.stringify(url)}.`,
      );
    }
    this.url = url.replace(/\/+$/, "");
    this.#token = options.token === "" ? undefined : options.token;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** `--url` if given, else CRONQ_URL; CRONQ_API_TOKEN. */
  static fromEnv(env: Record<string, string | undefined>, url?: string): ApiClient {
    return new ApiClient({ url: url ?? env.CRONQ_URL ?? DEFAULT_URL, token: env.CRONQ_API_TOKEN });
  }

  listJobs(query: JobListQuery = {}): Promise<JobPage> {
    return this.request("GET", "/jobs", { query: { ...query } });
  }
  getJob(id: string, next = 10): Promise<JobDetail> {
    return this.request("GET", `/jobs/${encodeURIComponent(id)}`, { query: { next } });
  }
  createJob(body: CreateJobRequest): Promise<Job> {
    return this.request("POST", "/jobs", { body });
  }
  replaceJob(id: string, body: ReplaceJobRequest): Promise<Job> {
    return this.request("PUT", `/jobs/${encodeURIComponent(id)}`, { body });
  }
  deleteJob(id: string): Promise<void> {
    return this.request("DELETE", `/jobs/${encodeURIComponent(id)}`);
  }
  pauseJob(id: string): Promise<Job> {
    return this.request("POST", `/jobs/${encodeURIComponent(id)}/pause`);
  }
  resumeJob(id: string): Promise<Job> {
    return this.request("POST", `/jobs/${encodeURIComponent(id)}/resume`);
  }
  runJob(id: string): Promise<Run> {
    return this.request("POST", `/jobs/${encodeURIComponent(id)}/run`);
  }
  listRuns(query: RunListQuery = {}): Promise<RunPage> {
    const { job, ...rest } = query;
    return job === undefined
      ? this.request("GET", "/runs", { query: { ...rest } })
      : this.request("GET", `/jobs/${encodeURIComponent(job)}/runs`, { query: { ...rest } });
  }
  getRun(id: string): Promise<Run> {
    return this.request("GET", `/runs/${encodeURIComponent(id)}`);
  }
  cancelRun(id: string): Promise<Run> {
    return this.request("POST", `/runs/${encodeURIComponent(id)}/cancel`);
  }
  listTasks(): Promise<TaskList> {
    return this.request("GET", "/tasks");
  }
  scheduler(): Promise<SchedulerStatus> {
    return this.request("GET", "/scheduler");
  }
  cluster(): Promise<Cluster> {
    return this.request("GET", "/cluster");
  }
  overview(): Promise<Overview> {
    return this.request("GET", "/overview");
  }

  /** One request; resolves with the parsed JSON body (undefined for 204), rejects with ApiError. */
  async request<T>(
    method: string,
    path: string,
    options: { query?: Query; body?: unknown } = {},
  ): Promise<T> {
    const url = new URL(this.url + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value === undefined) continue;
      url.searchParams.set(key, Array.isArray(value) ? value.join(",") : String(value));
    }
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.#token !== undefined) headers.authorization = `Bearer ${this.#token}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw this.#unreachable(error);
    }
    const text = await response.text();
    if (response.ok) return (text === "" ? undefined : JSON.parse(text)) as T;
    throw errorFrom(response.status, text, this.#token !== undefined);
  }

  #unreachable(error: unknown): ApiError {
    const cause = (
      error as { cause?: { code?: unknown; message?: unknown; errors?: Array<{ code?: unknown }> } }
    ).cause;
    const code = cause?.code ?? cause?.errors?.[0]?.code;
    const why =
      code === "ECONNREFUSED"
        ? "connection refused"
        : code === "ENOTFOUND"
          ? "unknown host"
          : (error as { name?: unknown }).name === "TimeoutError"
            ? `no answer within ${this.#timeoutMs / 1000} s`
            : typeof code === "string"
              ? code
              : typeof cause?.message === "string"
                ? cause.message
                : "network error";
    return new ApiError(
      0,
      "UNREACHABLE",
      `Could not reach the cronq API at ${this.url} (${why}). Is \`cronq start\` running there? Point --url or CRONQ_URL at it, or read a database file directly with --db.`,
    );
  }
}

function errorFrom(status: number, text: string, hadToken: boolean): ApiError {
  let body: { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = undefined;
  }
  const error = body?.error;
  if (typeof error?.code === "string" && typeof error.message === "string") {
    let message = error.message;
    if (status === 401 && !hadToken) message += " Set CRONQ_API_TOKEN to the server's token.";
    const details = Array.isArray(error.details) ? (error.details as ErrorDetail[]) : [];
    return new ApiError(status, error.code, message, details);
  }
  return new ApiError(
    status,
    "HTTP_ERROR",
    `The server answered ${status} without a cronq error (is this a cronq API?).`,
  );
}
