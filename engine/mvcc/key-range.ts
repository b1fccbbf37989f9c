// Keys inside the MVCC index are latin1 strings: each byte becomes one UTF-16 code unit of the same value, so
// JavaScript's string order is exactly unsigned byte order (Buffer.compare), Map lookups hash them natively,
// and a short key costs a few dozen bytes of heap instead of a Uint8Array's ~100. Range ends follow etcd: no
// end reads one key, and an end of [0] (or an empty end, as etcd's mvcc layer receives it) reads every key
// from `key` on, which is represented by a sentinel greater than every latin1 string.

/** A key as a latin1 string (one code unit per byte). */
export type KeyString = string;

/** Greater than every latin1 string (its first code unit, 0x100, exceeds every byte value). */
export const keyStringInfinity: KeyString = '\u0100';

/** The index form of a key. */
export function keyToString(key: Uint8Array): KeyString {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}

/** The bytes of an index key. */
export function keyFromString(key: KeyString): Uint8Array {
  return Buffer.from(key, 'latin1');
}

/**
 * The index form of a range end: undefined for a single key, `keyStringInfinity` for "every key >= key"
 * (an end of [0] or an empty end), else the end itself.
 */
export function rangeEndToString(end: Uint8Array | undefined): KeyString | undefined {
  if (end === undefined) return undefined;
  if (end.length === 0 || (end.length === 1 && end[0] === 0)) return keyStringInfinity;
  return keyToString(end);
}
