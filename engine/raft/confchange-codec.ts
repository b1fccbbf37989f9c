// Protobuf bytes of membership changes, as they travel inside log entries. The field numbers are raftpb's (and
// cairnraft's), so these bytes decode with the server's generated codec too; the core needs its own tiny codec
// because it must read conf change entries (pending-change checks) without depending on the proto layer.
import { ConfChangeError } from './errors.ts';
import type { ConfChange, ConfChangeSingle, ConfChangeV2 } from './types.ts';

const wireVarint = 0;
const wireFixed64 = 1;
const wireBytes = 2;
const wireFixed32 = 5;

/** Bytes of a single-step change (an EntryType.ConfChange entry's data). */
export function encodeConfChange(change: ConfChange): Uint8Array {
  const writer = new Writer();
  if (change.id !== 0n) writer.tag(1, wireVarint).varint(change.id);
  if (change.type !== 0) writer.tag(2, wireVarint).varint(BigInt(change.type));
  if (change.nodeId !== 0n) writer.tag(3, wireVarint).varint(change.nodeId);
  if (change.context && change.context.length > 0) writer.tag(4, wireBytes).bytes(change.context);
  return writer.finish();
}

/** A single-step change from an entry's data. */
export function decodeConfChange(data: Uint8Array): ConfChange {
  const change: ConfChange = { id: 0n, type: 0, nodeId: 0n };
  const reader = new Reader(data);
  while (!reader.done()) {
    const { field, wire } = reader.tag();
    if (field === 1 && wire === wireVarint) change.id = reader.varint();
    else if (field === 2 && wire === wireVarint) change.type = Number(reader.varint());
    else if (field === 3 && wire === wireVarint) change.nodeId = reader.varint();
    else if (field === 4 && wire === wireBytes) change.context = reader.bytes();
    else reader.skip(wire);
  }
  return change;
}

/** Bytes of a joint-consensus change (an EntryType.ConfChangeV2 entry's data); the empty change encodes to nothing. */
export function encodeConfChangeV2(change: ConfChangeV2): Uint8Array {
  const writer = new Writer();
  if (change.transition !== 0) writer.tag(1, wireVarint).varint(BigInt(change.transition));
  for (const single of change.changes) {
    const inner = new Writer();
    if (single.type !== 0) inner.tag(1, wireVarint).varint(BigInt(single.type));
    if (single.nodeId !== 0n) inner.tag(2, wireVarint).varint(single.nodeId);
    writer.tag(2, wireBytes).bytes(inner.finish());
  }
  if (change.context && change.context.length > 0) writer.tag(3, wireBytes).bytes(change.context);
  return writer.finish();
}

/** A joint-consensus change from an entry's data. */
export function decodeConfChangeV2(data: Uint8Array): ConfChangeV2 {
  const change: ConfChangeV2 = { transition: 0, changes: [] };
  const reader = new Reader(data);
  while (!reader.done()) {
    const { field, wire } = reader.tag();
    if (field === 1 && wire === wireVarint) change.transition = Number(reader.varint());
    else if (field === 2 && wire === wireBytes) change.changes.push(decodeSingle(reader.bytes()));
    else if (field === 3 && wire === wireBytes) change.context = reader.bytes();
    else reader.skip(wire);
  }
  return change;
}

function decodeSingle(data: Uint8Array): ConfChangeSingle {
  const single: ConfChangeSingle = { type: 0, nodeId: 0n };
  const reader = new Reader(data);
  while (!reader.done()) {
    const { field, wire } = reader.tag();
    if (field === 1 && wire === wireVarint) single.type = Number(reader.varint());
    else if (field === 2 && wire === wireVarint) single.nodeId = reader.varint();
    else reader.skip(wire);
  }
  return single;
}

class Writer {
  private readonly chunks: number[] = [];
  private readonly parts: Uint8Array[] = [];

  tag(field: number, wire: number): this {
    return this.varint(BigInt((field << 3) | wire));
  }

  varint(value: bigint): this {
    // uint64 semantics: negative int32 enums would be sign-extended, but raft enums are never negative.
    let rest = BigInt.asUintN(64, value);
    while (rest >= 0x80n) {
      this.chunks.push(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    this.chunks.push(Number(rest));
    return this;
  }

  bytes(value: Uint8Array): this {
    this.varint(BigInt(value.length));
    this.flush();
    this.parts.push(value);
    return this;
  }

  finish(): Uint8Array {
    this.flush();
    let length = 0;
    for (const part of this.parts) length += part.length;
    const out = new Uint8Array(length);
    let offset = 0;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }

  private flush(): void {
    if (this.chunks.length === 0) return;
    this.parts.push(Uint8Array.from(this.chunks));
    this.chunks.length = 0;
  }
}

class Reader {
  private position = 0;
  constructor(private readonly data: Uint8Array) {}

  done(): boolean {
    return this.position >= this.data.length;
  }

  tag(): { field: number; wire: number } {
    const value = Number(this.varint());
    return { field: value >>> 3, wire: value & 7 };
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.position >= this.data.length) throw new ConfChangeError('truncated varint');
      const byte = this.data[this.position++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
      if (shift > 63n) throw new ConfChangeError('varint too long');
    }
  }

  bytes(): Uint8Array {
    const length = Number(this.varint());
    if (this.position + length > this.data.length) throw new ConfChangeError('truncated bytes field');
    const value = this.data.slice(this.position, this.position + length);
    this.position += length;
    return value;
  }

  skip(wire: number): void {
    if (wire === wireVarint) this.varint();
    else if (wire === wireBytes) this.bytes();
    else if (wire === wireFixed64) this.position += 8;
    else if (wire === wireFixed32) this.position += 4;
    else throw new ConfChangeError(`unsupported wire type ${wire}`);
    if (this.position > this.data.length) throw new ConfChangeError('truncated field');
  }
}
