/**
 * Frozen values that records share. Jobs share a few distinct policies and triggers, and a store
 * reading thousands of jobs (claiming them, or listing a page) would otherwise parse the same JSON
 * text again and again: {@link sharedJson} parses each text once and hands out one frozen value.
 */

/** Freezes `value` and every object inside it; returns it. */
export function deepFreeze<T extends object>(value: T): T {
  for (const v of Object.values(value)) if (typeof v === "object" && v !== null) deepFreeze(v as object);
  return Object.freeze(value);
}

/** The most distinct texts kept; beyond, the cache starts over (texts are few in practice). */
const SHARED_LIMIT = 2000;
const shared = new Map<string, unknown>();

/** `JSON.parse(text)`, deep-frozen, and the same value for the same text. */
export function sharedJson<T>(text: string): T {
  let value = shared.get(text);
  if (value === undefined) {
    value = deepFreeze(JSON.parse(text) as object);
    if (shared.size >= SHARED_LIMIT) shared.clear();
    shared.set(text, value);
  }
  return value as T;
}
