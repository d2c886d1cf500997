/**
 * The dashboard's only way to the data: the REST API, with the signed-in token as a bearer token.
 * Every failure becomes an {@link ApiError} carrying the API's envelope (code, message, and for
 * validation errors the path of each field at fault), so the form can show each one at its field.
 */
import type {
  BulkJobActionRequest,
  BulkJobActionResult,
  Cluster,
  CreateJobRequest,
  ErrorDetail,
  ErrorEnvelope,
  Job,
  JobDetail,
  JobPage,
  Overview,
  ReplaceJobRequest,
  Run,
  RunPage,
  SchedulerStatus,
  Session,
  TaskList,
  TriggerInput,
  TriggerPreview,
  WhoAmI,
} from "./types.js";

export class ApiError extends Error {
  override readonly name = "ApiError";
  /** The HTTP status; 0 when the server could not be reached. */
  readonly status: number;
  readonly code: string;
  readonly details: readonly ErrorDetail[];

  constructor(status: number, code: string, message: string, details: readonly ErrorDetail[] = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type Query = Record<string, string | number | readonly string[] | null | undefined>;

function queryString(query: Query | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === "") continue;
    if (Array.isArray(value)) {
      if (value.length > 0) params.set(key, value.join(","));
    } else params.set(key, String(value));
  }
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

const e = encodeURIComponent;

export class Api {
  readonly #token: string;
  readonly #onUnauthorized: (error: ApiError) => void;

  /** `onUnauthorized` runs on every 401: the token was revoked or the server restarted with others. */
  constructor(token: string, onUnauthorized: (error: ApiError) => void = () => undefined) {
    this.#token = token;
    this.#onUnauthorized = onUnauthorized;
  }

  async request<T>(
    method: Method,
    path: string,
    options: { query?: Query; body?: unknown } = {},
  ): Promise<T> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#token}`,
      accept: "application/json",
    };
    const init: RequestInit = { method, headers, cache: "no-store" };
    if (options.body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    let response: Response;
    try {
      response = await fetch(path + queryString(options.query), init);
    } catch {
      throw new ApiError(0, "NETWORK", "The server could not be reached. Is cronq still running?");
    }
    if (response.status === 204) return undefined as T;
    let payload: unknown = null;
    const text = await response.text();
    if (text !== "") {
      try {
        payload = JSON.parse(text);
      } catch {
        payload = null;
      }
    }
    if (!response.ok) {
      const envelope = (payload as Partial<ErrorEnvelope> | null)?.error;
      const error = new ApiError(
        response.status,
        envelope?.code ?? `HTTP_${response.status}`,
        envelope?.message ?? `The server answered ${response.status} ${response.statusText}.`,
        envelope?.details ?? [],
      );
      if (response.status === 401) this.#onUnauthorized(error);
      throw error;
    }
    return payload as T;
  }

  whoAmI = () => this.request<WhoAmI>("GET", "/session");
  openSession = () => this.request<Session>("POST", "/session");
  closeSession = () => this.request<undefined>("DELETE", "/session");

  overview = () => this.request<Overview>("GET", "/overview");
  scheduler = () => this.request<SchedulerStatus>("GET", "/scheduler");
  pauseScheduler = () => this.request<SchedulerStatus>("POST", "/scheduler/pause");
  resumeScheduler = () => this.request<SchedulerStatus>("POST", "/scheduler/resume");
  cluster = () => this.request<Cluster>("GET", "/cluster");
  tasks = () => this.request<TaskList>("GET", "/tasks");

  jobs = (query: {
    status?: string | null;
    task?: string | null;
    search?: string | null;
    cursor?: string | null;
    limit?: number;
  }) => this.request<JobPage>("GET", "/jobs", { query });
  job = (id: string, next = 10) => this.request<JobDetail>("GET", `/jobs/${e(id)}`, { query: { next } });
  createJob = (body: CreateJobRequest) => this.request<Job>("POST", "/jobs", { body });
  replaceJob = (id: string, body: ReplaceJobRequest) => this.request<Job>("PUT", `/jobs/${e(id)}`, { body });
  deleteJob = (id: string) => this.request<undefined>("DELETE", `/jobs/${e(id)}`);
  pauseJob = (id: string) => this.request<Job>("POST", `/jobs/${e(id)}/pause`);
  resumeJob = (id: string) => this.request<Job>("POST", `/jobs/${e(id)}/resume`);
  runJobNow = (id: string) => this.request<Run>("POST", `/jobs/${e(id)}/run`);
  bulk = (body: BulkJobActionRequest) => this.request<BulkJobActionResult>("POST", "/jobs/bulk", { body });

  jobRuns = (id: string, query: { status?: string | null; cursor?: string | null; limit?: number }) =>
    this.request<RunPage>("GET", `/jobs/${e(id)}/runs`, { query });
  run = (id: string) => this.request<Run>("GET", `/runs/${e(id)}`);
  cancelRun = (id: string) => this.request<Run>("POST", `/runs/${e(id)}/cancel`);

  previewTrigger = (trigger: TriggerInput, count = 5) =>
    this.request<TriggerPreview>("POST", "/triggers/preview", { body: { trigger, count } });
}
