// A bounds-checked cursor over bytes received from a peer. Every read checks what is left first, so truncated
// input is a MessageCodecError naming the field, and counts are checked against the bytes left before anything
// is allocated, so a forged count cannot make the receiver allocate gigabytes.
import { MessageCodecError } from './message-codec-error.ts';
import { varintBytesMax } from './varint.ts';

/** Reads fields from `data` in order, refusing to read past the end. */
export class ByteReader {
  private position = 0;
  private readonly view: DataView;

  constructor(private readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  /** Whether every byte has been read. */
  done(): boolean {
    return this.position === this.data.length;
  }

  /** Bytes not read yet. */
  remaining(): number {
    return this.data.length - this.position;
  }

  /** One byte. */
  u8(field: string): number {
    this.need(1, field);
    return this.data[this.position++]!;
  }

  /** An unsigned 64-bit big-endian integer. */
  u64(field: string): bigint {
    this.need(8, field);
    const value = this.view.getBigUint64(this.position);
    this.position += 8;
    return value;
  }

  /** An unsigned varint that must fit in a safe integer. */
  varint(field: string): number {
    let value = 0;
    let scale = 1;
    for (let length = 1; length <= varintBytesMax; length++) {
      if (this.position >= this.data.length) throw new MessageCodecError(`truncated ${field}`);
      const byte = this.data[this.position++]!;
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        if (!Number.isSafeInteger(value)) throw new MessageCodecError(`${field} ${value} is out of range`);
        return value;
      }
      scale *= 0x80;
    }
    throw new MessageCodecError(`${field} varint is longer than ${varintBytesMax} bytes`);
  }

  /** A count of items that take at least `itemBytesMin` bytes each, checked against the bytes left. */
  count(field: string, itemBytesMin: number): number {
    const count = this.varint(field);
    if (count * itemBytesMin > this.remaining()) throw new MessageCodecError(`${field} ${count} exceeds the ${this.remaining()} bytes left`);
    return count;
  }

  /** A varint length, then that many bytes, copied. */
  bytes(field: string): Uint8Array {
    const length = this.varint(`${field} length`);
    this.need(length, field);
    // A copy in a plain Uint8Array: Buffer#slice would return a view that keeps the network buffer alive.
    const copy = new Uint8Array(length);
    copy.set(this.data.subarray(this.position, this.position + length));
    this.position += length;
    return copy;
  }

  /** A count, then that many u64 IDs. */
  ids(field: string): bigint[] {
    const count = this.count(`${field} count`, 8);
    const ids: bigint[] = [];
    for (let position = 0; position < count; position++) ids.push(this.u64(field));
    return ids;
  }

  private need(length: number, field: string): void {
    if (length > this.remaining()) throw new MessageCodecError(`truncated ${field}: needs ${length} bytes, ${this.remaining()} left`);
  }
}
