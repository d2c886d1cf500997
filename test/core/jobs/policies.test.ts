import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError, InvalidOptionError } from "../../../src/core/errors.js";
import { DEFAULT_JOB_POLICY, resolveJobPolicy, retryDelayMs } from "../../../src/core/jobs/policies.js";

describe("resolveJobPolicy", () => {
  it("fills every field with its documented default", () => {
    assert.deepEqual(resolveJobPolicy({}), {
      overlap: "skip",
      maxConcurrent: null,
      maxQueued: 10,
      misfireGraceMs: 1000,
      catchUp: "latest",
      catchUpLimit: 100,
      retry: { attempts: 1, backoff: "exponential", delayMs: 1000, maxDelayMs: 3_600_000, jitter: true },
      timeoutMs: null,
      jitterMs: 0,
      group: "default",
    });
  });

  it("converts durations to milliseconds, reads a retry count, and freezes the result", () => {
    const policy = resolveJobPolicy({
      misfireGrace: "30s",
      timeout: "PT5M",
      jitter: 2,
      retry: 3,
      overlap: "queue",
    });
    assert.equal(policy.misfireGraceMs, 30_000);
    assert.equal(policy.timeoutMs, 300_000);
    assert.equal(policy.jitterMs, 2000);
    assert.equal(policy.retry.attempts, 3);
    assert.ok(Object.isFrozen(policy) && Object.isFrozen(policy.retry));
  });

  it("merges over a base without touching it or the caller's object", () => {
    const options = { retry: { delay: "5s" } };
    const base = resolveJobPolicy({ retry: 4 });
    const merged = resolveJobPolicy(options, base);
    assert.equal(merged.retry.attempts, 4);
    assert.equal(merged.retry.delayMs, 5000);
    assert.equal(base.retry.delayMs, 1000);
    assert.deepEqual(options, { retry: { delay: "5s" } });
  });

  it("accepts null for no limit", () => {
    const policy = resolveJobPolicy({ misfireGrace: null, timeout: null, maxConcurrent: null });
    assert.equal(policy.misfireGraceMs, null);
    assert.equal(policy.timeoutMs, null);
  });

  const bad: Array<[object, string]> = [
    [{ overlap: "never" }, "overlap"],
    [{ catchUp: "some" }, "catchUp"],
    [{ maxConcurrent: 0 }, "maxConcurrent"],
    [{ maxQueued: -1 }, "maxQueued"],
    [{ catchUpLimit: 1.5 }, "catchUpLimit"],
    [{ retry: 0 }, "retry"],
    [{ retry: "3" }, "retry"],
    [{ retry: { attempts: 2, tries: 3 } }, "retry.tries"],
    [{ retry: { backoff: "linear" } }, "retry.backoff"],
    [{ retry: { delay: "10s", maxDelay: "1s" } }, "retry.maxDelay"],
    [{ retry: { jitter: "yes" } }, "retry.jitter"],
    [{ timeout: 0 }, "timeout"],
    [{ misfireGrace: "late" }, "misfireGrace"],
    [{ group: "has space" }, "group"],
  ];
  for (const [options, field] of bad) {
    it(`names \`${field}\` when given ${JSON.stringify(options)}`, () => {
      assert.throws(
        () => resolveJobPolicy(options, DEFAULT_JOB_POLICY, "jobDefaults."),
        (error: unknown) =>
          (error instanceof InvalidOptionError || error instanceof InvalidArgumentError) &&
          error.field === `jobDefaults.${field}` &&
          error.message.includes(`jobDefaults.${field}`),
      );
    });
  }
});

describe("retryDelayMs", () => {
  const retry = {
    attempts: 10,
    backoff: "exponential" as const,
    delayMs: 1000,
    maxDelayMs: 10_000,
    jitter: false,
  };

  it("doubles the delay per retry up to the maximum", () => {
    assert.deepEqual(
      [2, 3, 4, 5, 6, 7].map((n) => retryDelayMs(retry, n, "r")),
      [1000, 2000, 4000, 8000, 10_000, 10_000],
    );
  });

  it("keeps a fixed delay fixed", () => {
    assert.deepEqual(
      [2, 3, 4].map((n) => retryDelayMs({ ...retry, backoff: "fixed" }, n, "r")),
      [1000, 1000, 1000],
    );
  });

  it("with jitter, picks a reproducible delay between half and all of it", () => {
    const jittered = { ...retry, jitter: true };
    for (let n = 2; n < 8; n++) {
      const full = retryDelayMs(retry, n, "job@x");
      const d = retryDelayMs(jittered, n, "job@x");
      assert.ok(d >= full / 2 && d <= full, `${d} within [${full / 2}, ${full}]`);
      assert.equal(retryDelayMs(jittered, n, "job@x"), d);
    }
    const spread = new Set(Array.from({ length: 50 }, (_, i) => retryDelayMs(jittered, 3, `run${i}`)));
    assert.ok(spread.size > 10);
  });
});
