// Splits the bytes a client sends into HTTP/2 frames, chunk by chunk as the socket delivers them: first the client
// connection preface, then frames of at most the SETTINGS_MAX_FRAME_SIZE this side advertised. A frame that arrives
// whole inside one chunk is handed on as a view of that chunk (no copy); only bytes split across chunks are
// joined. Violations are Http2ConnectionError (the connection answers with GOAWAY).
import { clientPreface, ErrorCode, frameBytesMaxDefault, frameHeaderBytes, Http2ConnectionError, type Frame } from './frames.ts';

export class FrameReader {
  private pending: Buffer | undefined;
  private prefaceSeen = false;

  /** `frameBytesMax`: the SETTINGS_MAX_FRAME_SIZE this side advertised (frames above it are FRAME_SIZE_ERROR). */
  constructor(private readonly frameBytesMax = frameBytesMaxDefault) {}

  /** The frames completed by `chunk`, in order. */
  push(chunk: Buffer): Frame[] {
    let data = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = undefined;
    if (!this.prefaceSeen) {
      const compared = Math.min(data.length, clientPreface.length);
      if (!data.subarray(0, compared).equals(clientPreface.subarray(0, compared))) {
        throw new Http2ConnectionError(ErrorCode.ProtocolError, 'the connection does not start with the HTTP/2 client preface');
      }
      if (data.length < clientPreface.length) {
        this.pending = data;
        return [];
      }
      this.prefaceSeen = true;
      data = data.subarray(clientPreface.length);
    }
    const frames: Frame[] = [];
    let at = 0;
    while (data.length - at >= frameHeaderBytes) {
      const length = data.readUIntBE(at, 3);
      if (length > this.frameBytesMax) {
        throw new Http2ConnectionError(ErrorCode.FrameSizeError, `a ${length}-byte frame exceeds the maximum frame size ${this.frameBytesMax}`);
      }
      if (data.length - at < frameHeaderBytes + length) break;
      frames.push({
        type: data[at + 3]!,
        flags: data[at + 4]!,
        // The reserved bit is ignored on receipt (RFC 9113 4.1).
        streamId: data.readUInt32BE(at + 5) & 0x7fff_ffff,
        payload: data.subarray(at + frameHeaderBytes, at + frameHeaderBytes + length),
      });
      at += frameHeaderBytes + length;
    }
    // A copy of the rest: keeping a view would pin the whole chunk until the frame completes.
    if (at < data.length) this.pending = Buffer.from(data.subarray(at));
    return frames;
  }
}
