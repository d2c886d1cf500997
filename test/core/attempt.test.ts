import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { callTask } from "../../src/core/executors/attempt.js";
import type { TaskContext } from "../../src/core/tasks.js";

describe("callTask: a task is called as fn(...args, context)", () => {
  const context = { runId: "job@2026-03-02T00:00:00.000Z" } as TaskContext;

  for (let count = 0; count <= 6; count++) {
    it(`with ${count} argument(s), then the context`, () => {
      const args = Array.from({ length: count }, (_, i) => ({ i }));
      let seen: unknown[] = [];
      const thisValues: unknown[] = [];
      const result = callTask(
        function (this: unknown, ...values: unknown[]) {
          thisValues.push(this);
          seen = values;
          return "value";
        },
        args,
        context,
      );
      assert.equal(result, "value");
      assert.deepEqual(thisValues, [undefined]);
      assert.equal(seen.length, count + 1);
      for (let i = 0; i < count; i++) assert.equal(seen[i], args[i], `argument ${i} passed as is`);
      assert.equal(seen[count], context);
      assert.equal(args.length, count, "the job's args are left alone");
    });
  }

  it("passes what the task throws on", () => {
    assert.throws(
      () =>
        callTask(
          () => {
            throw new Error("boom");
          },
          [1],
          context,
        ),
      /boom/,
    );
  });
});
