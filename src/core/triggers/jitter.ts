/**
 * Jitter: a bounded offset added to a fire time to spread load ("every hour, give or take 5
 * minutes"), chosen by hashing the job id and the scheduled instant instead of by Math.random, so
 * that every scheduler process (and a restarted one) computes the same jittered time for the same
 * occurrence, and the occurrence keeps its identity `${jobId}@${scheduledAt}`.
 *
 * The hash is FNV-1a over the UTF-16 code units of the id and the 8 bytes of the instant, mixed by
 * two rounds of the murmur3 finaliser into 53 bits. Only integer operations are used, so the result
 * is the same on every platform and Node version.
 */
import { InvalidArgumentError } from "../errors.js";

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const TWO_POW_32 = 4_294_967_296;
const TWO_POW_21 = 2_097_152;
const TWO_POW_53 = 9_007_199_254_740_992;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function fnvByte(h: number, byte: number): number {
  return Math.imul(h ^ byte, FNV_PRIME);
}

function fnvWord(h: number, word: number): number {
  h = fnvByte(h, word & 0xff);
  h = fnvByte(h, (word >>> 8) & 0xff);
  h = fnvByte(h, (word >>> 16) & 0xff);
  return fnvByte(h, word >>> 24);
}

/**
 * The jitter of one occurrence: an integer from 0 to `maxJitterMs` (inclusive), uniformly spread
 * and a pure function of its arguments. Add it to `scheduledAtMs` to get the time to run at.
 */
export function jitterOffsetMs(jobId: string, scheduledAtMs: number, maxJitterMs: number): number {
  if (typeof jobId !== "string") throw new InvalidArgumentError("jobId", "a string", jobId);
  if (!Number.isSafeInteger(scheduledAtMs)) {
    throw new InvalidArgumentError("scheduledAtMs", "epoch milliseconds (a safe integer)", scheduledAtMs);
  }
  if (!Number.isSafeInteger(maxJitterMs) || maxJitterMs < 0) {
    throw new InvalidArgumentError("maxJitterMs", "a whole number of milliseconds, 0 or more", maxJitterMs);
  }
  if (maxJitterMs === 0) return 0;
  let h = FNV_OFFSET;
  for (let i = 0; i < jobId.length; i++) {
    const c = jobId.charCodeAt(i);
    h = fnvByte(fnvByte(h, c & 0xff), c >>> 8);
  }
  // The instant as two 32-bit halves (negative instants wrap consistently).
  const high = Math.floor(scheduledAtMs / TWO_POW_32);
  const low = scheduledAtMs - high * TWO_POW_32;
  h = fnvWord(h, low >>> 0);
  h = fnvWord(h, high >>> 0);
  const a = fmix32(h);
  const b = fmix32(a ^ 0x9e3779b9);
  // 53 random bits, as a fraction in [0, 1).
  const fraction = ((a >>> 0) * TWO_POW_21 + (b >>> 11)) / TWO_POW_53;
  return Math.floor(fraction * (maxJitterMs + 1));
}
