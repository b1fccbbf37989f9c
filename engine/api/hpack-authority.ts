// Repairs the :authority field of an HPACK header block (RFC 7541) whose value is a URL instead of an authority.
// etcd's Go client dials each endpoint with the endpoint string as the gRPC target, so grpc-go sends
// `:authority: http://127.0.0.1:2379`. etcd (Go's HTTP/2 server) accepts that; nghttp2, inside Node, resets the
// stream before Node or grpc-js see it, and Node has no option to turn that check off. So the header block is
// walked here, without a full HPACK decoder: only the representation of each field matters, plus the name and value
// of literal :authority fields.
//
// Why the dynamic tables stay in step without tracking them: a rewritten field keeps its representation, so a
// literal with incremental indexing still adds exactly one entry to the server's table, at the same position as in
// the client's. Later requests refer to it by index and get the repaired value. The repaired entry is shorter than
// the client's (a proper suffix of the URL minus its path), so the server's table is never larger than the client's
// view of it: the server evicts no entry the client still refers to (it may keep older ones longer, which the
// client never refers to).
import { assert } from '../common/assert.ts';
import { huffmanDecode } from '../http2/hpack-huffman.ts';

/** Static table index of `:authority` (RFC 7541 Appendix A). */
const authorityStaticIndex = 1;
const authorityName = ':authority';
/** An encoded name longer than this cannot be `:authority` (10 bytes plain, fewer Huffman coded). */
const authorityNameEncodedBytesMax = authorityName.length;

/**
 * Characters nghttp2 accepts in :authority (nghttp2_check_authority: RFC 3986 unreserved, sub-delims, ':', '@',
 * '[', ']' and '%'). A value of only these is left as it is.
 */
const validAuthority = /^[A-Za-z0-9\-._~!$&'()*+,;=:@[\]%]*$/;

/**
 * The authority part of `value` when `value` is not a valid :authority but a URL ("http://127.0.0.1:2379/" ->
 * "127.0.0.1:2379"), or undefined when it needs no change or cannot be repaired (then nghttp2 rejects it as before).
 */
export function repairAuthority(value: string): string | undefined {
  if (validAuthority.test(value)) return undefined;
  const schemeEnd = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(value);
  const rest = schemeEnd ? value.slice(schemeEnd[0].length) : value;
  const pathStart = rest.search(/[/?#]/);
  const repaired = pathStart < 0 ? rest : rest.slice(0, pathStart);
  // An empty authority would be no better than the URL; such values are left for nghttp2 to reject as before.
  return repaired !== '' && repaired !== value && validAuthority.test(repaired) ? repaired : undefined;
}

/** A cursor over a header block; `position` is -1 once a read ran past the end or met an oversized integer. */
interface Cursor {
  block: Uint8Array;
  position: number;
}

/** Reads an HPACK integer with an N-bit prefix (RFC 7541 5.1). */
function readInteger(cursor: Cursor, prefixBits: number): number {
  const { block } = cursor;
  if (cursor.position < 0 || cursor.position >= block.length) return fail(cursor);
  const mask = (1 << prefixBits) - 1;
  let value = block[cursor.position++] & mask;
  if (value < mask) return value;
  // Header blocks are bounded far below 2^28, so more continuation bytes than that mean garbage.
  for (let shift = 0; shift <= 21; shift += 7) {
    if (cursor.position >= block.length) return fail(cursor);
    const byte = block[cursor.position++];
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return value;
  }
  return fail(cursor);
}

function fail(cursor: Cursor): number {
  cursor.position = -1;
  return 0;
}

/** A string literal's place in the block (RFC 7541 5.2): where its length prefix starts, where its bytes are. */
interface StringSpan {
  start: number;
  dataStart: number;
  end: number;
  huffman: boolean;
}

function readString(cursor: Cursor): StringSpan | undefined {
  const start = cursor.position;
  if (start < 0 || start >= cursor.block.length) return undefined;
  const huffman = (cursor.block[start] & 0x80) !== 0;
  const length = readInteger(cursor, 7);
  if (cursor.position < 0 || cursor.position + length > cursor.block.length) return undefined;
  const dataStart = cursor.position;
  cursor.position += length;
  return { start, dataStart, end: cursor.position, huffman };
}

function stringBytes(block: Uint8Array, span: StringSpan): Buffer | undefined {
  const data = block.subarray(span.dataStart, span.end);
  return span.huffman ? huffmanDecode(data) : Buffer.from(data.buffer, data.byteOffset, data.length);
}

function isAuthorityName(block: Uint8Array, span: StringSpan): boolean {
  if (span.end - span.dataStart > authorityNameEncodedBytesMax) return false;
  return stringBytes(block, span)?.toString('latin1') === authorityName;
}

/** Encodes `text` as a plain (not Huffman coded) HPACK string literal. */
function plainString(text: string): Buffer {
  const data = Buffer.from(text, 'latin1');
  const prefix: number[] = [];
  if (data.length < 0x7f) {
    prefix.push(data.length);
  } else {
    prefix.push(0x7f);
    let rest = data.length - 0x7f;
    while (rest >= 0x80) {
      prefix.push((rest & 0x7f) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    prefix.push(rest);
  }
  return Buffer.concat([Buffer.from(prefix), data]);
}

/** One replaced value: block bytes [start, end) become `bytes`. */
interface Edit {
  start: number;
  end: number;
  bytes: Buffer;
}

/** Reads one literal field (after its first byte's kind is known) and returns an edit if it must change. */
function readLiteral(cursor: Cursor, prefixBits: number): Edit | undefined {
  const nameIndex = readInteger(cursor, prefixBits);
  let authority = nameIndex === authorityStaticIndex;
  if (nameIndex === 0) {
    const name = readString(cursor);
    if (!name) {
      fail(cursor);
      return undefined;
    }
    authority = isAuthorityName(cursor.block, name);
  }
  if (cursor.position < 0) return undefined;
  const value = readString(cursor);
  if (!value) {
    fail(cursor);
    return undefined;
  }
  if (!authority) return undefined;
  const text = stringBytes(cursor.block, value)?.toString('latin1');
  const repaired = text === undefined ? undefined : repairAuthority(text);
  if (repaired === undefined) return undefined;
  // The dynamic tables stay in step only if the server's entry is never larger than the client's (see the top).
  assert(repaired.length < text!.length, 'a repaired :authority must be shorter than the original');
  return { start: value.start, end: value.end, bytes: plainString(repaired) };
}

/**
 * Walks a complete header block and returns a copy with every :authority URL value replaced by its authority, or
 * undefined when nothing needs to change or the block cannot be parsed (it is then passed on untouched, and
 * nghttp2 treats it as it did before).
 */
export function repairAuthorityInHeaderBlock(block: Uint8Array): Buffer | undefined {
  const cursor: Cursor = { block, position: 0 };
  const edits: Edit[] = [];
  while (cursor.position >= 0 && cursor.position < block.length) {
    const first = block[cursor.position];
    let edit: Edit | undefined;
    if (first & 0x80) readInteger(cursor, 7); // indexed field
    else if (first & 0x40) edit = readLiteral(cursor, 6); // literal with incremental indexing
    else if (first & 0x20) readInteger(cursor, 5); // dynamic table size update
    else edit = readLiteral(cursor, 4); // literal without indexing (0000) or never indexed (0001)
    if (edit) edits.push(edit);
  }
  if (cursor.position < 0 || edits.length === 0) return undefined;
  const parts: Uint8Array[] = [];
  let copied = 0;
  for (const edit of edits) {
    parts.push(block.subarray(copied, edit.start), edit.bytes);
    copied = edit.end;
  }
  parts.push(block.subarray(copied));
  return Buffer.concat(parts);
}
