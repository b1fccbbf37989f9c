// Builders for HPACK header blocks and HTTP/2 frames, byte by byte as RFC 7541 and RFC 9113 lay them out, for the
// tests of the :authority repair and of engine/http2. Kept apart from the code under test so that the tests do not
// check the code against itself (except Huffman strings, which use the decoder's table, itself checked against RFC
// examples).
import { huffmanCode } from '../http2/hpack-huffman.ts';

/** The client connection preface. */
export const clientPrefaceForTest = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** An HPACK integer with the given prefix size, `flags` in the bits above the prefix (RFC 7541 5.1). */
export function hpackInteger(value: number, prefixBits: number, flags = 0): Buffer {
  const max = (1 << prefixBits) - 1;
  if (value < max) return Buffer.from([flags | value]);
  const bytes = [flags | max];
  let rest = value - max;
  while (rest >= 128) {
    bytes.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** Huffman-encodes bytes with RFC 7541's code, padding with ones. */
export function huffmanEncode(text: Uint8Array): Buffer {
  const out: number[] = [];
  let accumulator = 0n;
  let bits = 0n;
  for (const byte of text) {
    const [code, length] = huffmanCode(byte);
    accumulator = (accumulator << BigInt(length)) | BigInt(code);
    bits += BigInt(length);
    while (bits >= 8n) {
      bits -= 8n;
      out.push(Number((accumulator >> bits) & 0xffn));
    }
  }
  if (bits > 0n) out.push(Number(((accumulator << (8n - bits)) | ((1n << (8n - bits)) - 1n)) & 0xffn));
  return Buffer.from(out);
}

/** An HPACK string literal, plain or Huffman coded (RFC 7541 5.2). */
export function hpackString(text: string, huffman = false): Buffer {
  const data = huffman ? huffmanEncode(Buffer.from(text, 'latin1')) : Buffer.from(text, 'latin1');
  return Buffer.concat([hpackInteger(data.length, 7, huffman ? 0x80 : 0), data]);
}

/** The literal representations of RFC 7541 6.2, by the bits of their first byte. */
export type LiteralKind = 'incremental' | 'without-indexing' | 'never-indexed';

const literalFormat: Record<LiteralKind, { flags: number; prefixBits: number }> = {
  incremental: { flags: 0x40, prefixBits: 6 },
  'without-indexing': { flags: 0x00, prefixBits: 4 },
  'never-indexed': { flags: 0x10, prefixBits: 4 },
};

/** A literal header field; `name` is a table index or a literal name. */
export function hpackLiteral(kind: LiteralKind, name: number | string, value: string, huffman = { name: false, value: false }): Buffer {
  const { flags, prefixBits } = literalFormat[kind];
  const namePart = typeof name === 'number'
    ? hpackInteger(name, prefixBits, flags)
    : Buffer.concat([Buffer.from([flags]), hpackString(name, huffman.name)]);
  return Buffer.concat([namePart, hpackString(value, huffman.value)]);
}

/** An indexed header field (RFC 7541 6.1). */
export function hpackIndexed(index: number): Buffer {
  return hpackInteger(index, 7, 0x80);
}

/** One HTTP/2 frame. */
export function frame(type: number, flags: number, streamId: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId, 5);
  return Buffer.concat([header, payload]);
}
