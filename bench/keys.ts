// Keys and values of benchmark requests. A key is the decimal index of a slot in the key space, zero-padded to
// the key size, so every key of a run has the same length (etcd's tool encodes the index in binary instead).

/** The key of slot `index`, `keySizeBytes` long. */
export function benchKey(index: number, keySizeBytes: number, prefix = ''): Buffer {
  const digits = String(index);
  const width = keySizeBytes - prefix.length;
  if (digits.length > width) throw new Error(`key size ${keySizeBytes} B is too small for key index ${index}`);
  return Buffer.from(prefix + digits.padStart(width, '0'));
}

/** A value of `valueSizeBytes` bytes (shared: requests do not modify it). */
export function benchValue(valueSizeBytes: number): Buffer {
  return Buffer.alloc(valueSizeBytes, 'v');
}

/** A random slot of a key space of `keySpaceSize` slots. */
export function randomSlot(keySpaceSize: number): number {
  return Math.floor(Math.random() * keySpaceSize);
}
