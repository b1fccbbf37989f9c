// The keys and values the backend crash test writes: key n is n as 4 big-endian bytes, its value derives from n.

/** The meta key holding the last key written. */
export const lastKey = new TextEncoder().encode('last');

/** Key number `n`. */
export function crashKey(n: number): Uint8Array {
  const key = new Uint8Array(4);
  new DataView(key.buffer).setUint32(0, n);
  return key;
}

/** The value written under key number `n`. */
export function crashValue(n: number): Uint8Array {
  return new Uint8Array(16 + (n % 300)).fill(n & 0xff);
}
