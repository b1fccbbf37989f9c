// An incremental parser for the client->server bytes of a plaintext HTTP/2 connection (RFC 9113) that passes every
// byte on unchanged, except header blocks whose :authority is a URL (see hpack-authority.ts): those are re-emitted
// with the value repaired, as one HEADERS frame with END_HEADERS. It sits in front of nghttp2, which resets such
// streams before Node can see them.
//
// Cost matters because every gRPC request goes through here: frame headers are parsed in place, passed-through
// bytes are handed on as slices of the chunk they arrived in (one slice per chunk in the common case), and a HEADERS
// frame that arrives whole is examined in place; only a block that must change, or one split across chunks or
// CONTINUATION frames, is copied. Anything the parser does not understand is passed on as it is, so nghttp2 rejects
// it exactly as it did before.
import { http2HeaderBlockBytesMax } from '../common/limits.ts';
import { repairAuthorityInHeaderBlock } from './hpack-authority.ts';

/** The client connection preface (RFC 9113 3.4); the client's first frame follows it. */
const clientPreface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const frameHeaderBytes = 9;
const frameTypeHeaders = 0x1;
const frameTypeContinuation = 0x9;
const flagEndStream = 0x1;
const flagEndHeaders = 0x4;
const flagPadded = 0x8;
const flagPriority = 0x20;
const priorityFieldBytes = 5;
/** SETTINGS_MAX_FRAME_SIZE's initial value: the largest frame a server always accepts (RFC 9113 6.5.2). */
const frameBytesMaxDefault = 16_384;

/** A header block being reassembled from a HEADERS frame and its CONTINUATION frames. */
interface PendingBlock {
  streamId: number;
  /** Flags of the HEADERS frame that must survive the rewrite. */
  flags: number;
  priority: Buffer | undefined;
  /** Every byte of every frame of the block as received, to pass on when nothing changes. */
  raw: Buffer[];
  rawBytes: number;
  fragments: Buffer[];
}

/** The header and payload-so-far of a frame of a pending block. */
interface CollectedFrame {
  type: number;
  flags: number;
  length: number;
  payload: Buffer[];
}

/** The parts of a HEADERS frame payload (RFC 9113 6.2), or undefined when the padding does not fit. */
export function splitHeadersPayload(payload: Buffer, flags: number): { priority: Buffer | undefined; fragment: Buffer } | undefined {
  let start = 0;
  let padding = 0;
  if (flags & flagPadded) {
    if (payload.length < 1) return undefined;
    padding = payload[0];
    start = 1;
  }
  let priority: Buffer | undefined;
  if (flags & flagPriority) {
    priority = payload.subarray(start, start + priorityFieldBytes);
    start += priorityFieldBytes;
  }
  const end = payload.length - padding;
  if (start > end) return undefined;
  return { priority, fragment: payload.subarray(start, end) };
}

/**
 * The frames that carry `block` for `streamId`: one HEADERS frame with END_HEADERS when it fits the default
 * maximum frame size, else HEADERS plus CONTINUATION frames (merging CONTINUATIONs must not make a frame larger
 * than the server accepts).
 */
export function headersFrames(streamId: number, flags: number, priority: Buffer | undefined, block: Buffer): Buffer {
  const keptFlags = (flags & flagEndStream) | (priority ? flagPriority : 0);
  const prefix = priority ?? Buffer.alloc(0);
  const frames: Buffer[] = [];
  let offset = 0;
  let first = true;
  do {
    const room = frameBytesMaxDefault - (first ? prefix.length : 0);
    const fragment = block.subarray(offset, offset + room);
    offset += fragment.length;
    const last = offset >= block.length;
    const header = Buffer.alloc(frameHeaderBytes);
    const length = fragment.length + (first ? prefix.length : 0);
    header.writeUIntBE(length, 0, 3);
    header[3] = first ? frameTypeHeaders : frameTypeContinuation;
    header[4] = (first ? keptFlags : 0) | (last ? flagEndHeaders : 0);
    header.writeUInt32BE(streamId, 5);
    frames.push(header, ...(first ? [prefix] : []), fragment);
    first = false;
  } while (offset < block.length);
  return Buffer.concat(frames);
}

/** Parses client->server HTTP/2 bytes chunk by chunk and hands on the (possibly repaired) bytes. */
export class Http2RequestFilter {
  private prefaceMatched = 0;
  /** Set when the input is not HTTP/2 as expected: everything from then on is passed on untouched. */
  private passAll = false;
  private readonly header = Buffer.alloc(frameHeaderBytes);
  private headerFilled = 0;
  /** Bytes of the current frame's payload still to come. */
  private payloadRemaining = 0;
  private pending: PendingBlock | undefined;
  private collected: CollectedFrame | undefined;

  /** `emit` receives the bytes to hand on, in order; it may keep them (they are never reused). */
  constructor(private readonly emit: (bytes: Buffer) => void) {}

  /** Feeds the next chunk received from the client. */
  write(chunk: Buffer): void {
    if (this.passAll) {
      this.emit(chunk);
      return;
    }
    // [passStart, offset) is a run of this chunk to pass on untouched, emitted as one slice when it ends.
    let passStart = 0;
    let offset = 0;
    const flushPass = (end: number): void => {
      if (end > passStart) this.emit(passStart === 0 && end === chunk.length ? chunk : chunk.subarray(passStart, end));
      passStart = end;
    };
    while (offset < chunk.length && !this.passAll) {
      if (this.prefaceMatched < clientPreface.length) {
        // Routing checked only the preface's start; anything else after it is not ours to parse.
        if (chunk[offset] === clientPreface[this.prefaceMatched]) this.prefaceMatched++;
        else this.passAll = true;
        offset++;
        continue;
      }
      if (this.payloadRemaining > 0) {
        const take = Math.min(this.payloadRemaining, chunk.length - offset);
        if (this.collected) this.collected.payload.push(chunk.subarray(offset, offset + take));
        offset += take;
        this.payloadRemaining -= take;
        if (this.collected) {
          passStart = offset;
          if (this.payloadRemaining === 0) this.finishCollectedFrame();
        }
        continue;
      }
      const headerStart = offset - this.headerFilled; // negative when the header began in an earlier chunk
      const take = Math.min(frameHeaderBytes - this.headerFilled, chunk.length - offset);
      chunk.copy(this.header, this.headerFilled, offset, offset + take);
      this.headerFilled += take;
      offset += take;
      if (this.headerFilled < frameHeaderBytes) {
        // The header's first bytes are held back until we know whether its frame passes through.
        flushPass(headerStart);
        return;
      }
      this.headerFilled = 0;
      const length = this.header.readUIntBE(0, 3);
      const whole = headerStart >= 0 && offset + length <= chunk.length && this.header[3] === frameTypeHeaders;
      const fastPath = whole ? this.rewriteWholeFrame(chunk.subarray(offset, offset + length), () => flushPass(headerStart)) : 'reassemble';
      if (fastPath === 'rewritten') {
        offset += length;
        passStart = offset;
        continue;
      }
      if (fastPath === 'reassemble' && this.collectFrame(length)) {
        if (headerStart >= 0) flushPass(headerStart);
        passStart = offset;
        if (length === 0) this.finishCollectedFrame();
      } else {
        this.payloadRemaining = length;
        // The held-back start of this header goes first; the rest of it is at the start of this chunk's run.
        if (headerStart < 0) this.emit(Buffer.from(this.header.subarray(0, -headerStart)));
      }
    }
    flushPass(chunk.length);
  }

  /**
   * The fast path for the common case, a HEADERS frame with END_HEADERS that arrived whole in one chunk: its block
   * is examined in place. When it must change, `beforeEmit` flushes what precedes it and the repaired frame is
   * emitted ('rewritten'); 'unchanged' frames pass through as they are; other frames take the general path.
   */
  private rewriteWholeFrame(payload: Buffer, beforeEmit: () => void): 'rewritten' | 'unchanged' | 'reassemble' {
    const flags = this.header[4];
    if (this.header[3] !== frameTypeHeaders || this.pending || !(flags & flagEndHeaders)) return 'reassemble';
    const parts = splitHeadersPayload(payload, flags);
    const repaired = parts && repairAuthorityInHeaderBlock(parts.fragment);
    if (!repaired) return 'unchanged';
    beforeEmit();
    this.emit(headersFrames(this.header.readUInt32BE(5) & 0x7fffffff, flags, parts.priority, repaired));
    return 'rewritten';
  }

  /**
   * Decides whether the frame whose header was just read belongs to a header block to reassemble (a HEADERS frame
   * that did not arrive whole, or a CONTINUATION of one). Returns true when the frame, header included, is collected.
   */
  private collectFrame(length: number): boolean {
    const type = this.header[3];
    const flags = this.header[4];
    const streamId = this.header.readUInt32BE(5) & 0x7fffffff;
    const pending = this.pending;
    const continues = pending !== undefined && type === frameTypeContinuation && streamId === pending.streamId;
    if (pending && !continues) this.abandonPending(); // a protocol error nghttp2 will report; not ours to fix
    const starts = type === frameTypeHeaders && !this.pending;
    if (!starts && !continues) return false;
    if ((this.pending?.rawBytes ?? 0) + frameHeaderBytes + length > http2HeaderBlockBytesMax) {
      this.abandonPending();
      return false;
    }
    const block = this.pending ?? { streamId, flags, priority: undefined, raw: [], rawBytes: 0, fragments: [] };
    this.pending = block;
    block.raw.push(Buffer.from(this.header));
    block.rawBytes += frameHeaderBytes + length;
    this.collected = { type, flags, length, payload: [] };
    this.payloadRemaining = length;
    return true;
  }

  /** Called when a collected frame's payload is complete: adds its fragment, and ends the block on END_HEADERS. */
  private finishCollectedFrame(): void {
    const frame = this.collected!;
    const pending = this.pending!;
    this.collected = undefined;
    const payload = frame.payload.length === 1 ? frame.payload[0] : Buffer.concat(frame.payload);
    pending.raw.push(payload);
    if (frame.type === frameTypeHeaders) {
      const parts = splitHeadersPayload(payload, frame.flags);
      if (!parts) {
        this.abandonPending();
        return;
      }
      pending.priority = parts.priority;
      pending.fragments.push(parts.fragment);
    } else {
      pending.fragments.push(payload);
    }
    if (!(frame.flags & flagEndHeaders)) return;
    const block = pending.fragments.length === 1 ? pending.fragments[0] : Buffer.concat(pending.fragments);
    const repaired = repairAuthorityInHeaderBlock(block);
    if (!repaired) {
      this.abandonPending();
      return;
    }
    this.pending = undefined;
    this.emit(headersFrames(pending.streamId, pending.flags, pending.priority, repaired));
  }

  /** Passes a pending block's frames on exactly as they were received. */
  private abandonPending(): void {
    const pending = this.pending;
    this.pending = undefined;
    if (pending) for (const part of pending.raw) this.emit(part);
  }
}
