/**
 * Tasks: the functions jobs run.
 *
 * A job refers to its task by name, so that a job stored on disk or in Redis can be run by any
 * process that registered the same task. `defineTask(name, fn)` makes a named task; a plain function
 * passed to `addJob` is registered under its own name (or, when anonymous, under the job's own
 * name, see {@link jobTaskName}). Registries are per scheduler or worker, never module-level.
 */
import { createHash } from "node:crypto";
import { DuplicateTaskError, InvalidArgumentError, InvalidOptionError, TaskNotFoundError } from "./errors.js";

/** What a task receives after its arguments. */
export interface TaskContext {
  /** The occurrence id, `jobId@scheduledAt`: use it as an idempotency key. */
  readonly runId: string;
  readonly jobId: string;
  /** The nominal time of the occurrence (for a manual run, when it was asked for). */
  readonly scheduledAt: Date;
  /** 1 for the first attempt, 2 for the first retry... */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Aborts on timeout (reason: TimeoutError), on shutdown after the grace period, on cancel. */
  readonly signal: AbortSignal;
  readonly logger: TaskLogger;
}

export interface TaskLogger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** A task function: its own arguments, then optionally the {@link TaskContext}. */
export type TaskFunction<Args extends unknown[] = unknown[]> = (...args: Args) => unknown;

/** The arguments of a task function without a trailing TaskContext parameter. */
export type TaskArgs<F> = F extends (...args: infer A) => unknown
  ? A extends [...infer Head, TaskContext]
    ? Head
    : A extends [...infer Head, TaskContext?]
      ? Head
      : A
  : unknown[];

/**
 * Describes the task's arguments for validation and for the API's task list. Any object with a
 * zod-like `safeParse` works; a `jsonSchema` is published as-is.
 */
export interface ArgsSchema {
  safeParse(value: unknown): { success: true } | { success: false; error: { message: string } };
}

export interface TaskDefinition<Args extends unknown[] = unknown[]> {
  readonly name: string;
  /** Called as `fn(...args, context)`. */
  readonly fn: (...args: never[]) => unknown;
  /** Type-level only: the task's arguments, so that `addJob` can check `args`. Never set. */
  readonly argsType?: Args;
  readonly description: string | null;
  /** Validates a job's args (an array) when the job is added or modified. */
  readonly argsSchema: ArgsSchema | null;
  /** The JSON Schema of the args array, shown by the API and the dashboard's form. */
  readonly jsonSchema: Record<string, unknown> | null;
}

export interface DefineTaskOptions {
  description?: string;
  argsSchema?: ArgsSchema;
  jsonSchema?: Record<string, unknown>;
}

const TASK_NAME = /^[A-Za-z0-9_.:/-]{1,128}$/;

/** Hex digits of the id's SHA-256 in {@link jobTaskName}: 64 bits. */
const JOB_TASK_HASH_LENGTH = 16;

/**
 * The task name of a job's anonymous function: `job:<id>` when that is a valid task name, else
 * `job:<the id's valid characters, shortened>:<16 hex digits of the id's SHA-256>` (an id with a
 * space or a letter outside ASCII, or longer than 124 characters). Each job id has its own, and
 * the same one in every process.
 */
export function jobTaskName(jobId: string): string {
  const plain = `job:${jobId}`;
  if (TASK_NAME.test(plain)) return plain;
  const hash = createHash("sha256").update(jobId).digest("hex").slice(0, JOB_TASK_HASH_LENGTH);
  const readable = jobId.replace(/[^A-Za-z0-9_.:/-]+/g, "-").slice(0, 128 - "job::".length - hash.length);
  return `job:${readable}:${hash}`;
}

/** Names a task so that stored jobs can refer to it: `defineTask("sendReport", sendReport)`. */
export function defineTask<F extends (...args: never[]) => unknown>(
  name: string,
  fn: F,
  options: DefineTaskOptions = {},
): TaskDefinition<TaskArgs<F>> {
  if (typeof name !== "string" || !TASK_NAME.test(name)) {
    throw new InvalidArgumentError("name", "1 to 128 letters, digits or any of _ . : / -", name);
  }
  if (typeof fn !== "function") {
    throw new InvalidArgumentError("fn", "a function", fn);
  }
  return Object.freeze({
    name,
    fn,
    description: options.description ?? null,
    argsSchema: options.argsSchema ?? null,
    jsonSchema: options.jsonSchema ?? null,
  });
}

export function isTaskDefinition(value: unknown): value is TaskDefinition {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as TaskDefinition).name === "string" &&
    typeof (value as TaskDefinition).fn === "function"
  );
}

/** The tasks one scheduler or worker can run, by name. */
export class TaskRegistry {
  readonly #tasks = new Map<string, TaskDefinition>();

  constructor(tasks: Iterable<TaskDefinition> = []) {
    for (const task of tasks) this.register(task);
  }

  /** Adds a task. Registering the same definition (or function) twice is fine; a different one under the same name is not. */
  register(task: TaskDefinition): void {
    const existing = this.#tasks.get(task.name);
    if (existing && existing !== task && existing.fn !== task.fn) throw new DuplicateTaskError(task.name);
    if (!existing) this.#tasks.set(task.name, task);
  }

  /** Registers `task` in place of any task of the same name; returns the one it replaced. */
  replace(task: TaskDefinition): TaskDefinition | undefined {
    const existing = this.#tasks.get(task.name);
    this.#tasks.set(task.name, task);
    return existing;
  }

  delete(name: string): void {
    this.#tasks.delete(name);
  }

  get(name: string): TaskDefinition | undefined {
    return this.#tasks.get(name);
  }

  /** The task, or TaskNotFoundError listing the registered names. */
  require(name: string): TaskDefinition {
    const task = this.#tasks.get(name);
    if (!task) throw new TaskNotFoundError(name, [...this.#tasks.keys()]);
    return task;
  }

  has(name: string): boolean {
    return this.#tasks.has(name);
  }

  list(): TaskDefinition[] {
    return [...this.#tasks.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

/** The tasks a scheduler or worker is given: `defineTask()` results, or an object of functions by name. */
export type TaskList = Iterable<TaskDefinition> | Record<string, (...args: never[]) => unknown>;

/** Validates a {@link TaskList} (option `tasks`) into definitions, naming the entry at fault. */
export function resolveTasks(tasks: TaskList | undefined): TaskDefinition[] {
  if (tasks === undefined) return [];
  if (typeof tasks !== "object" || tasks === null) {
    throw new InvalidOptionError(
      "tasks",
      "an array of defineTask() results or an object of functions",
      tasks,
    );
  }
  if (Symbol.iterator in tasks) {
    return [...tasks].map((task, i) => {
      if (!isTaskDefinition(task)) throw new InvalidOptionError(`tasks[${i}]`, "a defineTask() result", task);
      return task;
    });
  }
  return Object.entries(tasks).map(([name, fn]) => {
    if (typeof fn !== "function") throw new InvalidOptionError(`tasks.${name}`, "a function", fn);
    return defineTask(name, fn);
  });
}

/** A logger that drops everything: the library never writes to the console by itself. */
export const silentLogger: TaskLogger = Object.freeze({
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
});
