// Protobuf varints of 64-bit values, computed on two unsigned 32-bit halves: number arithmetic, cheaper than
// bigint shifts on the hot paths that write messages by hand (log entries, Put responses).

/** A 64-bit value's bits as unsigned 32-bit halves. */
export interface Uint64Halves {
  low: number;
  high: number;
}

const low32 = 0xffffffffn;

/** The halves of `value`'s 64 bits (an int64 as its two's complement). */
export function uint64Halves(value: bigint): Uint64Halves {
  return { low: Number(value & low32), high: Number((value >> 32n) & low32) };
}

/** Bytes of the varint of the 64-bit value (`low`, `high`). */
export function varint64Length(low: number, high: number): number {
  let length = 1;
  while (high !== 0) {
    low = ((low >>> 7) | (high << 25)) >>> 0;
    high >>>= 7;
    length++;
  }
  while (low > 0x7f) {
    low >>>= 7;
    length++;
  }
  return length;
}

/** Writes the varint of (`low`, `high`) at `at`; returns the offset after it. */
export function writeVarint64(out: Uint8Array, at: number, low: number, high: number): number {
  while (high !== 0) {
    out[at++] = (low & 0x7f) | 0x80;
    low = ((low >>> 7) | (high << 25)) >>> 0;
    high >>>= 7;
  }
  while (low > 0x7f) {
    out[at++] = (low & 0x7f) | 0x80;
    low >>>= 7;
  }
  out[at++] = low;
  return at;
}
