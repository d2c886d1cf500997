/**
 * Helpers for the trigger tests. Expected values in the tests are written as ISO 8601 text with an
 * explicit offset, read by Date.parse (never by our own code), and compared as instants.
 */
import assert from "node:assert/strict";
import type { Trigger } from "../../../src/core/triggers/index.js";
import { InvalidTriggerError } from "../../../src/core/errors.js";

/** Epoch ms of ISO text that carries an offset ("2026-03-29T03:00:00+02:00"). */
export function at(iso: string): number {
  assert.match(iso, /(?:Z|[+-]\d{2}:\d{2})$/, `test data must carry an offset: ${iso}`);
  const ms = Date.parse(iso);
  assert.ok(!Number.isNaN(ms), `unparseable test instant ${iso}`);
  return ms;
}

/** The next `count` fire times after `after`, as UTC ISO strings (null once the trigger ends). */
export function fires(trigger: Trigger, after: string | number, count: number): (string | null)[] {
  const out: (string | null)[] = [];
  let t: number | null = typeof after === "number" ? after : at(after);
  for (let i = 0; i < count; i++) {
    t = t === null ? null : trigger.nextMs(t);
    out.push(t === null ? null : new Date(t).toISOString());
  }
  return out;
}

/** The expected instants, given as ISO text with offsets, in the form `fires` returns. */
export function instants(...isos: (string | null)[]): (string | null)[] {
  return isos.map((iso) => (iso === null ? null : new Date(at(iso)).toISOString()));
}

/** Asserts that `fn` throws InvalidTriggerError for `field`, with a message matching `message`. */
export function throwsInvalid(
  fn: () => unknown,
  field: string,
  message?: RegExp | string,
): InvalidTriggerError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof InvalidTriggerError, `expected InvalidTriggerError, got ${String(caught)}`);
  assert.equal(caught.code, "INVALID_TRIGGER");
  assert.equal(caught.field, field, `field of: ${caught.message}`);
  if (typeof message === "string") assert.equal(caught.message, message);
  else if (message !== undefined) assert.match(caught.message, message);
  return caught;
}
