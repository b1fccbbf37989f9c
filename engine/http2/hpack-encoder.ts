// An HPACK encoder (RFC 7541) for the header blocks a server sends. It never adds to the dynamic table: every
// field is either a fully indexed static entry or a literal "without indexing" (naming a static entry when it
// can), so the client's decoding table never changes and no state has to be kept per connection. gRPC responses
// repeat a handful of fields (":status: 200", "content-type", "grpc-status"), which callers encode once and reuse.
// Strings are sent as they are, not Huffman-coded: every decoder must accept both, and ours are short.
import { staticFieldIndex, staticNameIndex } from './hpack-static-table.ts';

/** Bytes of an HPACK integer with a `prefixBits`-bit prefix whose high bits are `flags` (RFC 7541 5.1). */
function integerBytes(value: number, prefixBits: number, flags: number): number[] {
  const prefixMax = (1 << prefixBits) - 1;
  if (value < prefixMax) return [flags | value];
  const bytes = [flags | prefixMax];
  let rest = value - prefixMax;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return bytes;
}

/** A string literal: its length (7-bit prefix, H = 0) and its octets. */
function stringBytes(text: string): Buffer {
  const octets = Buffer.from(text, 'latin1');
  return Buffer.concat([Buffer.from(integerBytes(octets.length, 7, 0)), octets]);
}

/**
 * The header block of `fields` ([name, value] pairs, names in lower case as HTTP/2 requires; values as latin1
 * strings, one character per octet).
 */
export function encodeHeaderBlock(fields: Iterable<readonly [string, string]>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of fields) {
    const fullIndex = staticFieldIndex.get(`${name}\0${value}`);
    if (fullIndex !== undefined) {
      parts.push(Buffer.from(integerBytes(fullIndex, 7, 0x80)));
      continue;
    }
    const nameIndex = staticNameIndex.get(name);
    if (nameIndex !== undefined) parts.push(Buffer.from(integerBytes(nameIndex, 4, 0x00)));
    else parts.push(Buffer.from([0x00]), stringBytes(name));
    parts.push(stringBytes(value));
  }
  return Buffer.concat(parts);
}
