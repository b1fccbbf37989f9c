// CRC-32C (Castagnoli: reflected polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF), the checksum
// of WAL records and snapshot files, and of etcd's HashKV (which must agree with Go's crc32.Castagnoli bit for
// bit). Castagnoli rather than the zlib CRC-32 because it detects more error patterns at record lengths we
// write, and it is what etcd uses.
// Two implementations: @node-rs/crc32 uses the CPU's CRC32 instructions (about 10x faster on the megabytes of
// a snapshot transfer, where the table version was half the time), but each call into it costs ~100 ns, so
// short inputs (most WAL records are a few hundred bytes at most) stay with slicing-by-8 tables in JS. Like
// lmdb, the binding is a prebuilt N-API module for every platform the app is built for.
import { crc32c as hardwareCrc32c } from '@node-rs/crc32';

/** Below this many bytes the binding is not worth its call (measured: both cost about the same near 128 bytes). */
const hardwareBytesMin = 256;

const polynomial = 0x82f63b78;

function makeTables(): Uint32Array[] {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
  const base = tables[0]!;
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ polynomial : crc >>> 1;
    base[byte] = crc >>> 0;
  }
  for (let byte = 0; byte < 256; byte++) {
    for (let slice = 1; slice < 8; slice++) {
      const previous = tables[slice - 1]![byte]!;
      tables[slice]![byte] = ((previous >>> 8) ^ base[previous & 0xff]!) >>> 0;
    }
  }
  return tables;
}

const [t0, t1, t2, t3, t4, t5, t6, t7] = makeTables() as [
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
];

/**
 * CRC-32C of `bytes[start, end)`. Pass a previous result as `seed` to continue a checksum over several
 * ranges: `crc32c(b, 0, 10)` then `crc32c(b, 10, 20, first)` equals `crc32c(b, 0, 20)`.
 */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length, seed = 0): number {
  if (end - start >= hardwareBytesMin) return hardwareCrc32c(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end), seed);
  return crc32cTables(bytes, start, end, seed);
}

/** crc32c() with the JS tables whatever the length (exported for the test that compares both). */
export function crc32cTables(bytes: Uint8Array, start = 0, end = bytes.length, seed = 0): number {
  let crc = (seed ^ 0xffffffff) >>> 0;
  let offset = start;
  for (; offset + 8 <= end; offset += 8) {
    const low = (crc ^ (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24))) >>> 0;
    crc =
      t7[low & 0xff]! ^
      t6[(low >>> 8) & 0xff]! ^
      t5[(low >>> 16) & 0xff]! ^
      t4[low >>> 24]! ^
      t3[bytes[offset + 4]!]! ^
      t2[bytes[offset + 5]!]! ^
      t1[bytes[offset + 6]!]! ^
      t0[bytes[offset + 7]!]!;
  }
  for (; offset < end; offset++) crc = t0[(crc ^ bytes[offset]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A running CRC-32C over a sequence of writes (like Go's hash.Hash32). */
export class Crc32c {
  private value = 0;

  /** Adds `bytes` to the checksum. */
  update(bytes: Uint8Array): this {
    this.value = crc32c(bytes, 0, bytes.length, this.value);
    return this;
  }

  /** The checksum of everything written so far, as an unsigned 32-bit number. */
  digest(): number {
    return this.value;
  }
}
