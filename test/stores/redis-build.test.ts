import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { SCRIPT_NAMES, scripts } from "../../src/stores/redis/scripts.js";

describe("Redis store packaging", () => {
  it("ships its Lua scripts in the build: `npm run build` copies src/stores/redis/lua next to the compiled store", () => {
    // The store reads lua/<op>.lua next to its module at run time; tsc does not copy them.
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      scripts: Record<string, string>;
    };
    assert.match(pkg.scripts.build!, /cp -R src\/stores\/redis\/lua dist\/stores\/redis\//);
  });

  it("loads every script with the shared helpers, and the read-only ones flagged on their first line", () => {
    const readOnly = new Set(["next_wake_at", "list_jobs", "count_jobs", "list_runs"]);
    for (const name of SCRIPT_NAMES) {
      const { lua } = scripts().get(name)!;
      assert.ok(lua.includes("local function reindexJob"), name);
      assert.equal(lua.startsWith("#!lua flags=no-writes\n"), readOnly.has(name), name);
    }
  });
});
