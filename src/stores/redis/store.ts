/**
 * The Redis store: jobs, the next-fire index, run history and leases in Redis, shared by every
 * scheduler replica, worker and API process that uses the same prefix (`shared = true`).
 *
 * Each write is one Lua script (lua/<op>.lua), so each is atomic on the server; exactly-once
 * firing rests on the two rules of the port, enforced there: a commit is applied only with the
 * job's current claim token, and a run id is inserted at most once. Fencing tokens come from one
 * counter (`<prefix>:seq`). Leases and claims are measured on Redis's clock by default
 * (`leaseClock: "redis"`), so that a replica whose clock runs ahead cannot take over live work.
 */
import type { Redis } from "ioredis";
import type { Timer } from "../../core/clock/clock.js";
import { InvalidArgumentError, StoreUnavailableError } from "../../core/errors.js";
import { TypedEmitter } from "../../core/events.js";
import { type JobRecord, type JobStatus, type RunRecord, cancelForPause } from "../../core/jobs/job.js";
import { GroupCommit } from "../../core/stores/group-commit.js";
import {
  applyFinish,
  applyStart,
  type CancelRunArgs,
  type CancelRunResult,
  type ClaimArgs,
  type FinishAttemptArgs,
  type FinishAttemptResult,
  type FireCommit,
  type FireCommitResult,
  type JobPatch,
  type JobQuery,
  type Page,
  type RetentionPolicy,
  type RunQuery,
  type StartAttemptArgs,
  type Store,
  type StoreOpenOptions,
} from "../../core/stores/store.js";
import {
  type Hash,
  jobFields,
  jobFromHash,
  lexMember,
  patchFields,
  runFields,
  runFromHash,
  runOrNull,
  toHash,
} from "./codec.js";
import { createClient, monitorConnection, whenReady, type RedisConnectionEvents } from "./connection.js";
import { scriptError, toStoreError, type ScriptContext } from "./errors.js";
import {
  describeConnection,
  resolveRedisStoreOptions,
  type RedisStoreOptions,
  type ResolvedRedisStoreOptions,
} from "./options.js";
import * as pages from "./pages.js";
import { type ScriptName, runScript } from "./scripts.js";

const DEFAULT_RETENTION: RetentionPolicy = { maxRunsPerJob: 100, maxAgeMs: 30 * 86_400_000 };
/** Most commits per script call: a batch of 1,000 fires is a few scripts of a few ms each. */
const COMMIT_CHUNK = 250;
/** Most attempt starts or ends per script call. */
const ATTEMPT_BATCH = 200;

interface StartCall {
  runId: string;
  args: StartAttemptArgs;
}
interface FinishCall {
  runId: string;
  args: FinishAttemptArgs;
}

/**
 * The run a start may build its answer from: the caller's record of it as fired or queued, before
 * any attempt, else null and the script reads the run back (it checks the run's state itself).
 */
function firedRecord(runId: string, args: StartAttemptArgs): RunRecord | null {
  const record = args.record;
  return record && record.id === runId && record.attempts.length === 0 ? record : null;
}

/**
 * The started run a finish may build its answer from: the caller's record of this very attempt
 * (same run, running, holding the token the finish carries), else null and the script reads the run.
 */
function startedRecord(runId: string, args: FinishAttemptArgs): RunRecord | null {
  const record = args.record;
  if (!record || record.id !== runId || record.status !== "running" || record.attempts.length === 0)
    return null;
  return record.lease?.token === args.token && record.lease.owner === args.owner ? record : null;
}

/** A script item's answer other than a success: null for "no such run", else its error. */
function itemFailure(result: unknown[], runId: string, owner: string): Error | null {
  if (result[0] === 0) return null;
  return scriptError(result[0] as number, result[1], { id: runId, owner });
}

interface OpenState {
  client: Redis;
  owned: boolean;
  detach: () => void;
}

export class RedisStore implements Store {
  readonly kind = "redis";
  readonly shared = true;
  readonly commitsIfUnchanged = true;
  readonly options: ResolvedRedisStoreOptions;
  /** Connection trouble and recovery: `redis:down`, `redis:reconnecting`, `redis:up`. */
  readonly events = new TypedEmitter<RedisConnectionEvents>();
  /** `redis://host:port/db` without the password: for messages and logs. */
  readonly where: string;

  #state: OpenState | null = null;
  #closed = false;
  #retention: RetentionPolicy = DEFAULT_RETENTION;
  /** Attempt starts and ends go out grouped: see group-commit.ts. */
  readonly #starts = new GroupCommit<StartCall, RunRecord | null>(
    (calls) => this.#startBatch(calls),
    ATTEMPT_BATCH,
  );
  readonly #finishes = new GroupCommit<FinishCall, FinishAttemptResult | null>(
    (calls) => this.#finishBatch(calls),
    ATTEMPT_BATCH,
  );

  constructor(options: RedisStoreOptions = {}) {
    this.options = resolveRedisStoreOptions(options);
    this.where = `${describeConnection(this.options.redis)} (prefix "${this.options.prefix}")`;
  }

  get prefix(): string {
    return this.options.prefix;
  }

  /**
   * The store's connection, for the parts of a deployment that need Redis too (queues, event
   * bridge, cluster view): they share it rather than open more. Connecting starts on first use.
   */
  get client(): Redis {
    return this.#ensureState("hand out its connection").client;
  }

  /**
   * Connects, waiting up to `offlineTimeout` for Redis, and sets the retention. Idempotent; reopens
   * after close(). A store that was never opened opens itself on first use, with the default
   * retention until open() sets one: a Scheduler accepts jobs before start() opens its store.
   */
  async open(options?: StoreOpenOptions): Promise<void> {
    if (options !== undefined) this.#retention = validRetention(options.retention);
    this.#closed = false;
    const { client } = this.#ensureState("open");
    await whenReady(client, this.options.clock, this.options.offlineTimeoutMs, () =>
      this.#unreachable("open"),
    );
  }

  /** Closes the connection if the store made it. Idempotent. */
  async close(): Promise<void> {
    const state = this.#state;
    this.#state = null;
    this.#closed = true;
    if (!state) return;
    state.detach();
    if (state.owned) {
      if (state.client.status === "ready") {
        await state.client.quit().catch(() => state.client.disconnect());
      } else {
        // Not connected: quit() would wait in the offline queue for a connection that may never come.
        state.client.disconnect();
      }
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Rejects at once when the connection is down, and when Redis does not answer within 2 s. */
  async ping(): Promise<void> {
    const state = this.#ensureState("answer a ping");
    if (state.client.status !== "ready") {
      throw new StoreUnavailableError(
        `The Redis store at ${this.where} is not connected (connection ${state.client.status}).`,
      );
    }
    let timer: Timer | undefined;
    try {
      await Promise.race([
        state.client.ping(),
        new Promise<never>((_, reject) => {
          timer = this.options.clock.setTimer(
            () =>
              reject(
                new StoreUnavailableError(`Redis at ${this.where} did not answer a ping within 2000 ms.`),
              ),
            2000,
          );
        }),
      ]);
    } catch (error) {
      throw toStoreError(error, "answer a ping", this.where);
    } finally {
      timer?.cancel();
    }
  }

  /**
   * Redis's `maxmemory-policy`, or null when the server does not let clients read its config
   * (managed services often rename CONFIG). Any policy but `noeviction` may evict cronq's keys
   * under memory pressure: jobs and runs would vanish.
   */
  async evictionPolicy(): Promise<string | null> {
    const client = await this.#ready("read the eviction policy");
    try {
      const reply = (await client.config("GET", "maxmemory-policy")) as string[];
      return reply[1] ?? null;
    } catch (error) {
      if (error instanceof Error && error.name === "ReplyError") return null;
      throw toStoreError(error, "read the eviction policy", this.where);
    }
  }

  // ---- Jobs -------------------------------------------------------------------------------

  async insertJob(job: JobRecord, options: { replace: boolean; now: number }): Promise<JobRecord> {
    const reply = await this.#run("insert a job", "insert_job", { id: job.id }, [
      job.id,
      options.replace ? "1" : "0",
      options.now,
      ...jobFields(job),
    ]);
    return jobFromHash(toHash(reply[1]));
  }

  async getJob(id: string): Promise<JobRecord | null> {
    const hash = await this.#hgetall("read a job", `job:${id}`);
    return hash ? jobFromHash(hash) : null;
  }

  listJobs(query: JobQuery = {}): Promise<Page<JobRecord>> {
    return this.#guard("list jobs", (client) => pages.listJobs(client, this.prefix, query));
  }

  countJobs(): Promise<Record<Exclude<JobStatus, "missing-task">, number>> {
    return this.#guard("count jobs", (client) => pages.countJobs(client, this.prefix));
  }

  async updateJob(id: string, patch: JobPatch, now: number): Promise<JobRecord> {
    const { set, del } = patchFields(patch);
    const reply = await this.#run("update a job", "update_job", { id }, [
      id,
      now,
      set.length / 2,
      ...set,
      ...del,
    ]);
    return jobFromHash(toHash(reply[1]));
  }

  async removeJob(id: string): Promise<JobRecord | null> {
    const reply = await this.#run("remove a job", "remove_job", { id }, [id]);
    return reply[0] === 1 ? jobFromHash(toHash(reply[1])) : null;
  }

  // ---- Firing -----------------------------------------------------------------------------

  async nextWakeAt(): Promise<number | null> {
    const reply = await this.#run("compute the next wake-up", "next_wake_at", { id: "*" }, []);
    return reply[1] === "" ? null : Number(reply[1]);
  }

  async claimDueJobs(args: ClaimArgs): Promise<JobRecord[]> {
    const limit = claimLimit(args.limit);
    const reply = await this.#run("claim due jobs", "claim_due_jobs", { id: "*" }, [
      args.now,
      args.owner,
      args.leaseMs,
      limit,
      this.options.leaseClock,
    ]);
    return reply.slice(1).map((flat) => jobFromHash(toHash(flat)));
  }

  async commitFires(
    commits: readonly FireCommit[],
    args: { now: number; owner: string; leaseMs: number },
  ): Promise<FireCommitResult[]> {
    const results: FireCommitResult[] = [];
    for (let at = 0; at < commits.length; at += COMMIT_CHUNK) {
      const chunk = commits.slice(at, at + COMMIT_CHUNK);
      const reply = await this.#run("commit fires", "commit_fires", { id: chunk[0]!.jobId }, [
        args.now,
        args.owner,
        args.leaseMs,
        this.options.leaseClock,
        this.#retention.maxRunsPerJob,
        JSON.stringify(chunk.map(encodeCommit)),
      ]);
      chunk.forEach((commit, i) =>
        results.push(decodeCommitResult(commit, reply[i + 1], args.owner, args.now)),
      );
    }
    return results;
  }

  async releaseClaims(owner: string): Promise<void> {
    await this.#run("release claims", "release_claims", { id: owner }, [owner]);
  }

  // ---- Runs -------------------------------------------------------------------------------

  async insertRun(
    run: RunRecord,
    args: { now: number; owner: string; leaseMs: number },
  ): Promise<RunRecord | null | false> {
    const fields = runFields({ ...run, status: "pending", lease: null });
    const reply = await this.#run(
      "insert a run",
      "insert_run",
      { id: run.id },
      [
        run.id,
        run.jobId,
        args.now,
        args.owner,
        args.leaseMs,
        this.options.leaseClock,
        lexMember(run),
        ...fields,
      ],
      { allowDuplicate: true },
    );
    if (reply[0] === 0) return null;
    if (reply[0] !== 1) return false;
    // The store owns the record now (the port says so): it is given its lease in place.
    run.status = "pending";
    run.lease = { owner: args.owner, expiresAt: Number(reply[2]), token: Number(reply[1]) };
    return run;
  }

  async claimRunsForDispatch(args: ClaimArgs): Promise<RunRecord[]> {
    const limit = claimLimit(args.limit);
    const reply = await this.#run("claim runs for dispatch", "claim_runs_for_dispatch", { id: "*" }, [
      args.now,
      args.owner,
      args.leaseMs,
      limit,
      this.options.leaseClock,
      this.#retention.maxRunsPerJob,
    ]);
    return reply.slice(1).map((flat) => runFromHash(toHash(flat)));
  }

  async markDispatched(runIds: readonly string[], args: { now: number; owner: string }): Promise<string[]> {
    if (runIds.length === 0) return [];
    const reply = await this.#run("mark runs dispatched", "mark_dispatched", { id: runIds[0]! }, [
      args.owner,
      ...runIds,
    ]);
    return reply.slice(1).map(String);
  }

  startAttempt(runId: string, args: StartAttemptArgs): Promise<RunRecord | null> {
    return this.#starts.add({ runId, args });
  }

  finishAttempt(runId: string, args: FinishAttemptArgs): Promise<FinishAttemptResult | null> {
    return this.#finishes.add({ runId, args });
  }

  /** One script for the starts that {@link #starts} grouped. */
  async #startBatch(calls: StartCall[]): Promise<Array<RunRecord | null | Error>> {
    const argv: Array<string | number> = [this.options.leaseClock];
    const held = calls.map(({ runId, args }) => firedRecord(runId, args));
    calls.forEach(({ runId, args }, i) => {
      argv.push(
        runId,
        args.now,
        args.owner,
        args.token === null ? "" : args.token,
        args.leaseMs,
        held[i] ? "1" : "",
      );
    });
    const reply = await this.#run("start attempts", "start_attempts", { id: calls[0]!.runId }, argv);
    return calls.map(({ runId, args }, i) => {
      const result = reply[i + 1] as unknown[];
      const fired = held[i];
      if (result[0] === 2 && fired) {
        // The first attempt started: the run as fired, started as the script wrote it.
        const run: RunRecord = { ...fired, reason: null, error: null, endedAt: null, durationMs: null };
        applyStart(run, args.now, args.owner, {
          owner: args.owner,
          expiresAt: Number(result[2]),
          token: Number(result[1]),
        });
        return run;
      }
      if (result[0] === 1) return runFromHash(toHash(result[1]));
      return itemFailure(result, runId, args.owner);
    });
  }

  /** One script for the ends that {@link #finishes} grouped. */
  async #finishBatch(calls: FinishCall[]): Promise<Array<FinishAttemptResult | null | Error>> {
    const argv: Array<string | number> = [this.options.leaseClock, this.#retention.maxRunsPerJob];
    const held = calls.map(({ runId, args }) => startedRecord(runId, args));
    calls.forEach(({ runId, args }, i) => {
      argv.push(
        runId,
        args.now,
        args.owner,
        args.token,
        args.outcome,
        args.error === null ? "" : JSON.stringify(args.error),
        args.reason ?? "",
        args.retryAt ?? "",
        args.leaseMs,
        held[i] ? "1" : "",
      );
    });
    const reply = await this.#run("finish attempts", "finish_attempts", { id: calls[0]!.runId }, argv);
    return calls.map(({ runId, args }, i) => {
      const result = reply[i + 1] as unknown[];
      const started = held[i];
      if (result[0] === 2 && started) {
        // Recorded: the run is the started one with the attempt ended, as the script wrote it.
        const run = { ...started, attempts: started.attempts.map((attempt) => ({ ...attempt })) };
        applyFinish(run, args, args.now);
        return { run, promoted: runOrNull(result[1]) };
      }
      if (result[0] === 1) return { run: runFromHash(toHash(result[1])), promoted: runOrNull(result[2]) };
      return itemFailure(result, runId, args.owner);
    });
  }

  async renewRunLeases(
    runIds: readonly string[],
    args: { now: number; owner: string; leaseMs: number },
  ): Promise<string[]> {
    if (runIds.length === 0) return [];
    const reply = await this.#run("renew run leases", "renew_run_leases", { id: runIds[0]! }, [
      args.now,
      args.owner,
      args.leaseMs,
      this.options.leaseClock,
      ...runIds,
    ]);
    return reply.slice(1).map(String);
  }

  async cancelRun(runId: string, args: CancelRunArgs): Promise<CancelRunResult | null> {
    const reply = await this.#run("cancel a run", "cancel_run", { id: runId }, [
      runId,
      args.now,
      args.reason,
      this.#retention.maxRunsPerJob,
      args.owner,
      args.leaseMs,
      this.options.leaseClock,
    ]);
    if (reply[0] !== 1) return null;
    return { run: runFromHash(toHash(reply[1])), promoted: runOrNull(reply[2]) };
  }

  async getRun(id: string): Promise<RunRecord | null> {
    const hash = await this.#hgetall("read a run", `run:${id}`);
    return hash ? runFromHash(hash) : null;
  }

  listRuns(query: RunQuery = {}): Promise<Page<RunRecord>> {
    return this.#guard("list runs", (client) => pages.listRuns(client, this.prefix, query));
  }

  pruneRuns(args: { now: number }): Promise<number> {
    return this.#guard("prune runs", (client) =>
      pages.pruneRuns(
        client,
        this.prefix,
        args.now - this.#retention.maxAgeMs,
        this.#retention.maxRunsPerJob,
      ),
    );
  }

  // ---- Internals --------------------------------------------------------------------------

  #unreachable(action: string): StoreUnavailableError {
    const timeout = this.options.offlineTimeoutMs;
    return new StoreUnavailableError(
      `The Redis store at ${this.where} could not ${action}: Redis is not reachable` +
        (timeout === null ? "." : ` (waited ${timeout} ms for the connection).`),
    );
  }

  #ensureState(action: string): OpenState {
    if (this.#state) return this.#state;
    if (this.#closed) {
      throw new StoreUnavailableError(
        `The Redis store at ${this.where} is closed, so it cannot ${action}. Call open() to use it again.`,
      );
    }
    const { client, owned } = createClient(this.options.redis, `cronq:store:${this.prefix}`);
    const detach = monitorConnection(
      client,
      this.events,
      this.options.clock,
      describeConnection(this.options.redis),
    );
    this.#state = { client, owned, detach };
    // Connect now rather than on the first command; failures arrive as `redis:down` events (the
    // monitor is the client's error listener) and the client keeps reconnecting with backoff.
    if (client.status === "wait") client.connect().catch(() => undefined);
    return this.#state;
  }

  /**
   * The client, once it may be used: with `offlineTimeout` set, an operation issued while the
   * connection is down waits that long for it and then rejects without having been sent.
   */
  async #ready(action: string): Promise<Redis> {
    const state = this.#ensureState(action);
    if (state.client.status !== "ready" && this.options.offlineTimeoutMs !== null) {
      await whenReady(state.client, this.options.clock, this.options.offlineTimeoutMs, () =>
        this.#unreachable(action),
      );
    }
    return state.client;
  }

  async #guard<T>(action: string, fn: (client: Redis) => Promise<T>): Promise<T> {
    const client = await this.#ready(action);
    try {
      return await fn(client);
    } catch (error) {
      throw toStoreError(error, action, this.where);
    }
  }

  async #hgetall(action: string, suffix: string): Promise<Hash | null> {
    const hash = await this.#guard(action, (client) => client.hgetall(`${this.prefix}:${suffix}`));
    return Object.keys(hash).length === 0 ? null : hash;
  }

  /** Runs a script; a negative status becomes the error it stands for (errors.ts). */
  async #run(
    action: string,
    name: ScriptName,
    context: ScriptContext,
    args: readonly (string | number)[],
    options: { allowDuplicate?: boolean } = {},
  ): Promise<unknown[]> {
    const raw = await this.#guard(action, (client) => runScript(client, name, [this.prefix, ...args]));
    const reply = raw as unknown[];
    if (!Array.isArray(raw) || typeof reply[0] !== "number") {
      throw new Error(`The Redis script ${name} answered ${JSON.stringify(reply)}, not a status table.`);
    }
    const status = reply[0];
    if (status < 0 && !(options.allowDuplicate && status === -2))
      throw scriptError(status, reply[1], context);
    return reply;
  }
}

function encodeCommit(commit: FireCommit): unknown {
  return {
    job: commit.jobId,
    token: String(commit.claimToken),
    version: String(commit.jobVersion),
    next: commit.nextRunAt === null ? "" : String(commit.nextRunAt),
    active: commit.plannedActiveRuns === undefined ? undefined : String(commit.plannedActiveRuns),
    runs: commit.runs.map((run) => {
      const live =
        run.status === "pending" ||
        run.status === "waiting" ||
        run.status === "dispatched" ||
        run.status === "running" ||
        run.status === "retrying";
      return {
        id: run.id,
        status: run.status,
        due: String(run.dueAt),
        ended: String(run.endedAt ?? run.firedAt),
        count: String(run.coalesced?.count ?? 1),
        lex: lexMember(run),
        live: live ? "1" : "0",
        fields: runFields({ ...run, lease: null }),
      };
    }),
  };
}

const COMMIT_STATUS = { 1: "ok", 2: "lease-lost", 3: "job-gone", 4: "changed" } as const;

/** The script's answer for one commit: the inserted runs get their leases, in place (the store owns them). */
function decodeCommitResult(commit: FireCommit, raw: unknown, owner: string, now: number): FireCommitResult {
  const reply = raw as unknown[];
  const status = COMMIT_STATUS[reply[0] as 1 | 2 | 3 | 4];
  if (status !== "ok") return { jobId: commit.jobId, status, inserted: [] };
  const byId = new Map(commit.runs.map((run) => [run.id, run]));
  const inserted: RunRecord[] = [];
  for (let i = 1; i + 2 < reply.length; i += 3) {
    const run = byId.get(String(reply[i]));
    if (!run) continue;
    const token = String(reply[i + 1]);
    if (token === "paused") cancelForPause(run, now);
    run.lease =
      token === "" || token === "paused"
        ? null
        : { owner, expiresAt: Number(reply[i + 2]), token: Number(token) };
    inserted.push(run);
  }
  return { jobId: commit.jobId, status, inserted };
}

function claimLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 0)
    throw new InvalidArgumentError("limit", "a non-negative integer", limit);
  return limit;
}

function validRetention(retention: RetentionPolicy): RetentionPolicy {
  if (typeof retention !== "object" || retention === null) {
    throw new InvalidArgumentError("retention", "an object with maxRunsPerJob and maxAgeMs", retention);
  }
  const { maxRunsPerJob, maxAgeMs } = retention;
  if (!Number.isInteger(maxRunsPerJob) || maxRunsPerJob < 0) {
    throw new InvalidArgumentError("retention.maxRunsPerJob", "a non-negative integer", maxRunsPerJob);
  }
  if (typeof maxAgeMs !== "number" || !(maxAgeMs >= 0)) {
    throw new InvalidArgumentError("retention.maxAgeMs", "a non-negative number of milliseconds", maxAgeMs);
  }
  return { maxRunsPerJob, maxAgeMs };
}
