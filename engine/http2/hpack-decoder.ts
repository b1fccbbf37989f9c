// An HPACK decoder (RFC 7541): turns the header blocks a client sends into fields, keeping the connection's
// dynamic table in step with the client's encoder. One decoder per connection, fed every header block in order;
// any malformed block is a COMPRESSION_ERROR for the whole connection (HpackError), because after it the two
// tables can no longer be trusted to agree.
//
// Field names and values are returned as latin1 strings: one character per octet, so binary values survive
// unchanged and ASCII (every gRPC header and metadata key, and base64 "-bin" values) reads as itself.
import { huffmanDecode } from './hpack-huffman.ts';
import { staticTable } from './hpack-static-table.ts';

/** A header block that cannot be decoded: the connection must end with COMPRESSION_ERROR (RFC 9113 4.3). */
export class HpackError extends Error {
  constructor(message: string) {
    super(`hpack: ${message}`);
    this.name = 'HpackError';
  }
}

/** One decoded field: [name, value]. */
export type HeaderField = [name: string, value: string];

/** Octets an entry takes in the dynamic table: its name, its value and 32 (RFC 7541 4.1). */
export function entrySize(name: string, value: string): number {
  return name.length + value.length + 32;
}

/** Integers beyond this are refused: no legitimate index, length or table size comes near it. */
const integerMax = 2 ** 28;

/** Decodes the header blocks of one connection. */
export class HpackDecoder {
  /** The dynamic table, oldest entry first (HPACK index 62 is the last element). */
  private readonly entries: HeaderField[] = [];
  private tableBytes = 0;
  private tableBytesMax: number;

  /**
   * `settingsTableBytesMax` is the SETTINGS_HEADER_TABLE_SIZE this side advertised: the largest table the client
   * may ask for with a size update (4096 unless the server said otherwise).
   */
  constructor(private settingsTableBytesMax = 4096) {
    this.tableBytesMax = settingsTableBytesMax;
  }

  /** Octets the dynamic table holds now (for tests and diagnostics). */
  get dynamicTableBytes(): number {
    return this.tableBytes;
  }

  /** The fields of one complete header block (the HEADERS fragment and any CONTINUATION fragments, joined). */
  decode(block: Uint8Array): HeaderField[] {
    const fields: HeaderField[] = [];
    let at = 0;
    // Size updates are allowed only before the first field of a block (RFC 7541 4.2).
    let sizeUpdateAllowed = true;
    const integer = (prefixBits: number): number => {
      if (at >= block.length) throw new HpackError('header block ends inside an integer');
      const prefixMax = (1 << prefixBits) - 1;
      let value = block[at++]! & prefixMax;
      if (value < prefixMax) return value;
      for (let shift = 0; ; shift += 7) {
        if (at >= block.length) throw new HpackError('header block ends inside an integer');
        const byte = block[at++]!;
        value += (byte & 0x7f) * 2 ** shift;
        if (value > integerMax) throw new HpackError('integer too large');
        if (byte < 0x80) return value;
      }
    };
    const string = (): string => {
      if (at >= block.length) throw new HpackError('header block ends before a string');
      const huffman = (block[at]! & 0x80) !== 0;
      const length = integer(7);
      if (at + length > block.length) throw new HpackError('string longer than the header block');
      const raw = block.subarray(at, at + length);
      at += length;
      if (!huffman) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
      const decoded = huffmanDecode(raw);
      if (decoded === undefined) throw new HpackError('invalid Huffman-coded string');
      return decoded.toString('latin1');
    };
    while (at < block.length) {
      const first = block[at]!;
      if (first & 0x80) {
        // Indexed field (6.1).
        const index = integer(7);
        if (index === 0) throw new HpackError('indexed field with index 0');
        fields.push(this.field(index));
        sizeUpdateAllowed = false;
      } else if (first & 0x40) {
        // Literal with incremental indexing (6.2.1).
        const nameIndex = integer(6);
        const name = nameIndex === 0 ? string() : this.field(nameIndex)[0];
        const value = string();
        fields.push([name, value]);
        this.insert(name, value);
        sizeUpdateAllowed = false;
      } else if (first & 0x20) {
        // Dynamic table size update (6.3).
        if (!sizeUpdateAllowed) throw new HpackError('dynamic table size update after a field');
        const size = integer(5);
        if (size > this.settingsTableBytesMax) throw new HpackError(`dynamic table size ${size} above the advertised ${this.settingsTableBytesMax}`);
        this.tableBytesMax = size;
        this.evictTo(size);
      } else {
        // Literal without indexing (6.2.2) or never indexed (6.2.3): the same layout, 4-bit prefix.
        const nameIndex = integer(4);
        const name = nameIndex === 0 ? string() : this.field(nameIndex)[0];
        fields.push([name, string()]);
        sizeUpdateAllowed = false;
      }
    }
    return fields;
  }

  /** The field at HPACK `index`: static 1-61, then dynamic, newest first. */
  private field(index: number): HeaderField {
    if (index <= staticTable.length) {
      const [name, value] = staticTable[index - 1]!;
      return [name, value];
    }
    const position = this.entries.length - (index - staticTable.length);
    if (position < 0) throw new HpackError(`index ${index} beyond the tables`);
    const [name, value] = this.entries[position]!;
    return [name, value];
  }

  private insert(name: string, value: string): void {
    const size = entrySize(name, value);
    // An entry larger than the whole table empties it and is not added (RFC 7541 4.4).
    this.evictTo(Math.max(0, this.tableBytesMax - size));
    if (size > this.tableBytesMax) return;
    this.entries.push([name, value]);
    this.tableBytes += size;
  }

  /** Evicts the oldest entries until the table holds at most `bytes`. */
  private evictTo(bytes: number): void {
    while (this.tableBytes > bytes) {
      const [name, value] = this.entries.shift()!;
      this.tableBytes -= entrySize(name, value);
    }
  }
}
