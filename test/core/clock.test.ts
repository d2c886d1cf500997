import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_SLEEP_CHUNK_MS, sleepUntil } from "../../src/core/clock/clock.js";
import { FakeClock } from "../../src/core/clock/fake-clock.js";
import { SystemClock } from "../../src/core/clock/system-clock.js";
import { InvalidArgumentError } from "../../src/core/errors.js";

describe("FakeClock", () => {
  it("fires timers in due order, each at its own time", async () => {
    const clock = new FakeClock("2026-01-01T00:00:00Z");
    const seen: Array<[string, number]> = [];
    clock.setTimer(() => seen.push(["b", clock.now()]), 200);
    clock.setTimer(() => seen.push(["a", clock.now()]), 100);
    clock.setTimer(() => seen.push(["c", clock.now()]), 200);
    await clock.advance(250);
    const t0 = Date.parse("2026-01-01T00:00:00Z");
    assert.deepEqual(seen, [
      ["a", t0 + 100],
      ["b", t0 + 200],
      ["c", t0 + 200],
    ]);
    assert.equal(clock.now(), t0 + 250);
  });

  it("fires timers that fired callbacks set, when they fall due within the advance", async () => {
    const clock = new FakeClock(0);
    let ticks = 0;
    const tick = (): void => {
      ticks++;
      clock.setTimer(tick, 10);
    };
    clock.setTimer(tick, 10);
    await clock.advance("1s");
    assert.equal(ticks, 100);
  });

  it("does not fire cancelled timers", async () => {
    const clock = new FakeClock(0);
    let fired = false;
    clock.setTimer(() => (fired = true), 10).cancel();
    await clock.advance(100);
    assert.equal(fired, false);
    assert.equal(clock.pendingTimers, 0);
  });

  it("jumps backwards without firing anything and forwards firing what is due, late", async () => {
    const clock = new FakeClock(1000);
    const seen: number[] = [];
    clock.setTimer(() => seen.push(clock.now()), 500);
    await clock.jumpTo(0);
    assert.deepEqual(seen, []);
    await clock.jumpTo(10_000);
    assert.deepEqual(seen, [10_000]);
  });

  it("rejects bad inputs", async () => {
    assert.throws(() => new FakeClock("yesterday"), InvalidArgumentError);
    const clock = new FakeClock(100);
    await assert.rejects(clock.advance(-1), InvalidArgumentError);
    await assert.rejects(clock.advanceTo(50), InvalidArgumentError);
  });
});

describe("sleepUntil", () => {
  it("wakes at least every chunk, so a jump of the wall clock is noticed", async () => {
    const clock = new FakeClock(0);
    let done = false;
    void sleepUntil(clock, 10 * MAX_SLEEP_CHUNK_MS).then(() => (done = true));
    await clock.flush();
    assert.equal(clock.pendingTimers, 1);
    // The wall clock jumps past the target: the sleeper notices at its next chunk, not 10 chunks later.
    await clock.jumpTo(10 * MAX_SLEEP_CHUNK_MS + 1);
    assert.equal(done, true);
    assert.equal(clock.pendingTimers, 0);
  });

  it("rejects when its signal aborts", async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const sleeping = sleepUntil(clock, 1000, controller.signal);
    controller.abort(new Error("stop"));
    await assert.rejects(sleeping, /stop/);
  });
});

describe("SystemClock", () => {
  const clock = new SystemClock({ keepAlive: true });
  const fire = (delayMs: number, precise: boolean): Promise<{ dueAt: number; firedAt: number }> => {
    const dueAt = Date.now() + delayMs;
    return new Promise((resolve) => {
      clock.setTimer(() => resolve({ dueAt, firedAt: Date.now() }), delayMs, { precise });
    });
  };

  it("fires a precise timer at or after its due time, never before", async () => {
    for (const delay of [0, 1, 3, 10, 60, 120]) {
      const { dueAt, firedAt } = await fire(delay, true);
      assert.ok(firedAt >= dueAt, `delay ${delay}: fired at ${firedAt}, due at ${dueAt}`);
    }
  });

  it("never calls back synchronously, precise or not", async () => {
    for (const precise of [true, false]) {
      let called = false;
      const done = new Promise<void>((resolve) =>
        clock.setTimer(
          () => {
            called = true;
            resolve();
          },
          0,
          { precise },
        ),
      );
      assert.equal(called, false);
      await done;
    }
  });

  it("cancels a precise timer, whether it is a plain one (short waits) or sleeps before polling", async () => {
    for (const delay of [5, 100]) {
      let called = false;
      const timer = clock.setTimer(() => (called = true), delay, { precise: true });
      timer.cancel();
      // A later timer: had the cancelled one fired, it would have fired first.
      await fire(delay + 10, false);
      assert.equal(called, false, `delay ${delay}`);
    }
  });
});
