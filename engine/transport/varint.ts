// Unsigned LEB128 varints over JavaScript numbers. Raft's terms and indexes are numbers below 2^53, so the codec
// works on numbers (no BigInt on the hot path); values up to 2^53 - 1 take at most 8 bytes.
import { AssertionError } from '../common/assert.ts';

/** Most bytes a varint of a safe integer takes (8 * 7 = 56 bits >= 53). */
export const varintBytesMax = 8;

/** Bytes writeVarint uses for `value`. */
export function varintBytes(value: number): number {
  if (!(Number.isSafeInteger(value) && value >= 0)) throw new AssertionError(`cannot encode ${value} as an unsigned varint`);
  let bytes = 1;
  let rest = value;
  while (rest >= 0x80) {
    rest = Math.floor(rest / 0x80);
    bytes++;
  }
  return bytes;
}

/** Writes `value` at `offset` and returns the offset after it; the caller has sized `target` with varintBytes. */
export function writeVarint(target: Uint8Array, offset: number, value: number): number {
  let at = offset;
  let rest = value;
  // Bit operations are 32-bit, so the high part uses division; most values (lengths, counts) never get there.
  while (rest > 0x7fffffff) {
    target[at++] = (rest % 0x80) | 0x80;
    rest = Math.floor(rest / 0x80);
  }
  while (rest >= 0x80) {
    target[at++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  target[at++] = rest;
  return at;
}
