/**
 * The Lua scripts: one atomic operation per `lua/<op>.lua`, each prefixed with `lua/common.lua`,
 * run with EVALSHA and loaded with EVAL on NOSCRIPT (after a Redis restart, or on a fresh server,
 * the script cache is empty; EVAL both runs the script and caches it).
 *
 * The `.lua` files are read at first use from next to this module, in the sources and in the build
 * (the build copies them); they are read once per process.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Redis } from "ioredis";

export const SCRIPT_NAMES = [
  "insert_job",
  "update_job",
  "remove_job",
  "claim_due_jobs",
  "commit_fires",
  "release_claims",
  "insert_run",
  "claim_runs_for_dispatch",
  "mark_dispatched",
  "start_attempts",
  "finish_attempts",
  "renew_run_leases",
  "cancel_run",
  "next_wake_at",
  "list_jobs",
  "count_jobs",
  "list_runs",
  "prune_runs",
  "prune_excess",
] as const;

export type ScriptName = (typeof SCRIPT_NAMES)[number];

interface Script {
  readonly lua: string;
  readonly sha: string;
}

let loaded: Map<ScriptName, Script> | undefined;

function readLua(name: string): string {
  return readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), "utf8");
}

/** Every script's full text: the op's shebang (flags must be the first line), common.lua, the op. */
export function scripts(): ReadonlyMap<ScriptName, Script> {
  if (loaded) return loaded;
  const common = readLua("common");
  const map = new Map<ScriptName, Script>();
  for (const name of SCRIPT_NAMES) {
    const body = readLua(name);
    const shebang = body.startsWith("#!") ? body.slice(0, body.indexOf("\n") + 1) : "";
    const lua = `${shebang}${common}\n${body.slice(shebang.length)}`;
    map.set(name, { lua, sha: createHash("sha1").update(lua).digest("hex") });
  }
  loaded = map;
  return map;
}

/** Runs a script (no KEYS: see common.lua) and answers its raw reply. */
export async function runScript(
  client: Redis,
  name: ScriptName,
  args: readonly (string | number)[],
): Promise<unknown> {
  const script = scripts().get(name)!;
  try {
    return await client.evalsha(script.sha, 0, ...args);
  } catch (error) {
    // NOSCRIPT: the script did not run, so running it with EVAL cannot do anything twice.
    if (error instanceof Error && error.message.startsWith("NOSCRIPT")) {
      return client.eval(script.lua, 0, ...args);
    }
    throw error;
  }
}
