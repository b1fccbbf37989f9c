// The server side of one HTTP/2 connection (RFC 9113) on a socket the client port accepted: frames in, header
// blocks decoded, streams handed to the application, responses written within the peer's flow-control windows.
//
// Written for latency: frames produced in one turn of the event loop (a unary call's headers, message and
// trailers) go out in one socket write at the end of that turn, a DATA payload is never copied on its way out,
// and a frame that arrived whole is read in place. Receive windows are large and replenished when half used, so a
// client streaming a large request does not wait on this side.
//
// What the protocol says about errors: a connection error ends the connection with GOAWAY and its code (a bad
// preface, a malformed frame, a header block that does not decode, a window overflow); a stream error resets only
// that stream (RST_STREAM: refused, malformed request headers, DATA after END_STREAM).
import type { Duplex } from 'node:stream';
import { FrameReader } from './frame-reader.ts';
import {
  checkFrame, dataFrameHeader, ErrorCode, FrameFlag, frameBytesMaxDefault, frameBytesMaxLimit, FrameType, goAwayFrame, headersFrames,
  Http2ConnectionError, initialWindowBytes, pingAckFrame, readSettings, rstStreamFrame, Setting, settingsAckFrame, settingsFrame,
  unpaddedContent, windowBytesMax, windowUpdateFrame, type Frame,
} from './frames.ts';
import { entrySize, HpackDecoder, HpackError, type HeaderField } from './hpack-decoder.ts';
import { Http2ServerStream, type StreamOwner } from './server-stream.ts';

export interface Http2ServerOptions {
  /** SETTINGS_MAX_CONCURRENT_STREAMS: streams beyond it are refused. */
  maxConcurrentStreams: number;
  /** SETTINGS_INITIAL_WINDOW_SIZE: how much request body a stream may send ahead (at least 65,535). */
  streamWindowBytes: number;
  /** How much request body all streams together may send ahead (at least 65,535). */
  connectionWindowBytes: number;
  /** SETTINGS_MAX_HEADER_LIST_SIZE: larger request header lists are refused. */
  maxHeaderListBytes: number;
  /** A new request; set `stream.handlers` before returning to hear of its body. */
  onStream(stream: Http2ServerStream): void;
  /** The connection failed (a protocol error by the client, or the socket's error). */
  onError?(error: Error): void;
}

/** Header blocks larger than this (before decoding) end the connection: a bound on what one request may buffer. */
const headerBlockBytesMax = 1024 * 1024;
const allowedPseudoHeaders = new Set([':method', ':scheme', ':path', ':authority']);
const connectionSpecificHeaders = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/** A header block being received across HEADERS and CONTINUATION frames. */
interface PendingBlock {
  streamId: number;
  endStream: boolean;
  fragments: Buffer[];
  bytes: number;
}

export class Http2ServerConnection implements StreamOwner {
  private readonly reader = new FrameReader();
  private readonly decoder = new HpackDecoder();
  private readonly streams = new Map<number, Http2ServerStream>();
  /** Streams with DATA waiting for window. */
  private readonly blocked = new Set<Http2ServerStream>();
  private lastStreamId = 0;
  private pendingBlock: PendingBlock | undefined;
  private peerInitialWindow = initialWindowBytes;
  private peerFrameBytesMax = frameBytesMaxDefault;
  private sendWindow = initialWindowBytes;
  private receiveWindow: number;
  private receivedSinceUpdate = 0;
  private readonly out: Buffer[] = [];
  private writeScheduled = false;
  private goingAway = false;
  private closed = false;
  /** A connection error was sent: nothing more is read. */
  private failed = false;

  constructor(
    private readonly socket: Duplex,
    private readonly options: Http2ServerOptions,
  ) {
    this.receiveWindow = options.connectionWindowBytes;
  }

  /** Starts serving; `received` are bytes the listener already read from the socket (the preface, usually). */
  start(received?: Buffer): void {
    this.emit(settingsFrame([
      [Setting.MaxConcurrentStreams, this.options.maxConcurrentStreams],
      [Setting.InitialWindowSize, this.options.streamWindowBytes],
      [Setting.MaxHeaderListSize, this.options.maxHeaderListBytes],
    ]));
    if (this.options.connectionWindowBytes > initialWindowBytes) this.emit(windowUpdateFrame(0, this.options.connectionWindowBytes - initialWindowBytes));
    this.socket.on('data', (chunk: Buffer) => this.onBytes(chunk));
    this.socket.on('error', (error: Error) => this.options.onError?.(error));
    this.socket.on('close', () => this.onSocketClosed());
    if (received && received.length > 0) this.onBytes(received);
  }

  /** Stops taking new streams (GOAWAY with NO_ERROR) and closes once the open ones are done. */
  close(): void {
    if (this.closed || this.goingAway) return;
    this.goingAway = true;
    this.emit(goAwayFrame(this.lastStreamId, ErrorCode.NoError));
    this.endIfIdle();
  }

  /** Closes at once: open streams are aborted. */
  destroy(): void {
    this.socket.destroy();
  }

  /** Open streams (for tests and metrics). */
  get streamCount(): number {
    return this.streams.size;
  }

  flushStream(stream: Http2ServerStream): void {
    if (stream.closed) return;
    if (stream.pendingHeaders !== undefined) {
      const onlyHeaders = stream.localEnded && stream.pendingDataBytes === 0 && stream.pendingTrailers === undefined;
      this.emit(headersFrames(stream.id, stream.pendingHeaders, onlyHeaders, this.peerFrameBytesMax));
      stream.markHeadersSent();
    }
    let sent = false;
    while (stream.pendingData.length > 0 && this.sendWindow > 0 && stream.sendWindow > 0) {
      const first = stream.pendingData[0]!;
      const bytes = Math.min(first.length, this.sendWindow, stream.sendWindow, this.peerFrameBytesMax);
      const payload = bytes === first.length ? first : first.subarray(0, bytes);
      if (bytes === first.length) stream.pendingData.shift();
      else stream.pendingData[0] = first.subarray(bytes);
      stream.pendingDataBytes -= bytes;
      this.sendWindow -= bytes;
      stream.sendWindow -= bytes;
      const last = stream.localEnded && stream.pendingDataBytes === 0 && stream.pendingTrailers === undefined;
      this.emit(dataFrameHeader(stream.id, bytes, last));
      this.emit(payload);
      sent = true;
    }
    if (stream.pendingData.length > 0) {
      this.blocked.add(stream);
    } else {
      this.blocked.delete(stream);
      if (stream.pendingTrailers !== undefined) {
        this.emit(headersFrames(stream.id, stream.pendingTrailers, true, this.peerFrameBytesMax));
        stream.pendingTrailers = undefined;
      }
    }
    if (stream.localEnded && stream.pendingDataBytes === 0 && stream.pendingTrailers === undefined && stream.pendingHeaders === undefined) {
      // The response is complete. A client still sending is told to stop, as grpc-go does.
      if (!stream.remoteEnded) this.emit(rstStreamFrame(stream.id, ErrorCode.NoError));
      this.forget(stream);
    }
    if (sent) stream.noteDataSent();
  }

  resetStream(stream: Http2ServerStream, code: number): void {
    if (stream.closed) return;
    this.emit(rstStreamFrame(stream.id, code));
    this.forget(stream);
  }

  private forget(stream: Http2ServerStream): void {
    stream.closed = true;
    this.streams.delete(stream.id);
    this.blocked.delete(stream);
    this.endIfIdle();
  }

  private endIfIdle(): void {
    if (this.goingAway && this.streams.size === 0 && !this.closed) {
      this.closed = true;
      this.writeOut();
      this.socket.end();
    }
  }

  /** Queues bytes for the socket; everything queued in one turn goes out in one write. */
  private emit(bytes: Buffer): void {
    this.out.push(bytes);
    if (!this.writeScheduled) {
      this.writeScheduled = true;
      queueMicrotask(() => this.writeOut());
    }
  }

  private writeOut(): void {
    this.writeScheduled = false;
    if (this.out.length === 0 || this.socket.destroyed || !this.socket.writable) {
      this.out.length = 0;
      return;
    }
    if (this.out.length === 1) this.socket.write(this.out[0]);
    else {
      this.socket.cork();
      for (const bytes of this.out) this.socket.write(bytes);
      this.socket.uncork();
    }
    this.out.length = 0;
  }

  private onBytes(chunk: Buffer): void {
    if (this.failed) return;
    try {
      for (const frame of this.reader.push(chunk)) {
        this.onFrame(frame);
        if (this.socket.destroyed) return;
      }
    } catch (error) {
      if (error instanceof Http2ConnectionError) this.fail(error.code, error.message);
      else if (error instanceof HpackError) this.fail(ErrorCode.CompressionError, error.message);
      else throw error;
    }
  }

  /** A connection error: GOAWAY with `code`, then the socket ends and every stream is aborted. */
  private fail(code: number, message: string): void {
    if (this.failed) return;
    this.failed = true;
    this.closed = true;
    this.goingAway = true;
    this.options.onError?.(new Http2ConnectionError(code, message));
    this.emit(goAwayFrame(this.lastStreamId, code, message));
    this.writeOut();
    this.socket.end();
    this.abortAll(code);
  }

  private onSocketClosed(): void {
    this.closed = true;
    this.abortAll(ErrorCode.Cancel);
  }

  private abortAll(code: number): void {
    for (const stream of [...this.streams.values()]) {
      stream.closed = true;
      this.streams.delete(stream.id);
      stream.handlers.onAbort?.(code);
    }
    this.blocked.clear();
  }

  private onFrame(frame: Frame): void {
    checkFrame(frame);
    const pending = this.pendingBlock;
    if (pending && (frame.type !== FrameType.Continuation || frame.streamId !== pending.streamId)) {
      throw new Http2ConnectionError(ErrorCode.ProtocolError, 'a header block was interrupted by another frame');
    }
    switch (frame.type) {
      case FrameType.Data:
        return this.onData(frame);
      case FrameType.Headers:
        return this.onHeaders(frame);
      case FrameType.Continuation:
        return this.onContinuation(frame);
      case FrameType.RstStream:
        return this.onRstStream(frame);
      case FrameType.Settings:
        return this.onSettings(frame);
      case FrameType.Ping:
        if (!(frame.flags & FrameFlag.Ack)) this.emit(pingAckFrame(frame.payload));
        return;
      case FrameType.GoAway:
        // The client will open no more streams; the open ones still finish.
        this.goingAway = true;
        this.endIfIdle();
        return;
      case FrameType.WindowUpdate:
        return this.onWindowUpdate(frame);
      default:
        // PRIORITY and unknown frame types are ignored (RFC 9113 5.5, 5.3.2).
        return;
    }
  }

  private onData(frame: Frame): void {
    const bytes = frame.payload.length;
    if (bytes > this.receiveWindow) throw new Http2ConnectionError(ErrorCode.FlowControlError, 'DATA beyond the connection window');
    this.receiveWindow -= bytes;
    this.replenishConnection(bytes);
    const stream = this.streams.get(frame.streamId);
    if (!stream) {
      if (frame.streamId > this.lastStreamId) throw new Http2ConnectionError(ErrorCode.ProtocolError, `DATA on idle stream ${frame.streamId}`);
      // A stream this side reset or finished: the client may not know yet (RFC 9113 5.1, "closed").
      return;
    }
    if (stream.remoteEnded) {
      this.resetStream(stream, ErrorCode.StreamClosed);
      stream.handlers.onAbort?.(ErrorCode.StreamClosed);
      return;
    }
    if (bytes > stream.receiveWindow) {
      this.resetStream(stream, ErrorCode.FlowControlError);
      stream.handlers.onAbort?.(ErrorCode.FlowControlError);
      return;
    }
    stream.receiveWindow -= bytes;
    const content = unpaddedContent(frame);
    const endStream = (frame.flags & FrameFlag.EndStream) !== 0;
    if (!endStream && stream.receiveWindow <= this.options.streamWindowBytes / 2) {
      this.emit(windowUpdateFrame(stream.id, this.options.streamWindowBytes - stream.receiveWindow));
      stream.receiveWindow = this.options.streamWindowBytes;
    }
    if (content.length > 0) stream.handlers.onData?.(content);
    if (endStream && !stream.closed) this.onRemoteEnd(stream);
  }

  private replenishConnection(bytes: number): void {
    this.receivedSinceUpdate += bytes;
    if (this.receivedSinceUpdate >= this.options.connectionWindowBytes / 2) {
      this.emit(windowUpdateFrame(0, this.receivedSinceUpdate));
      this.receiveWindow += this.receivedSinceUpdate;
      this.receivedSinceUpdate = 0;
    }
  }

  private onRemoteEnd(stream: Http2ServerStream): void {
    stream.remoteEnded = true;
    stream.handlers.onEnd?.();
  }

  private onHeaders(frame: Frame): void {
    const content = unpaddedContent(frame);
    const endStream = (frame.flags & FrameFlag.EndStream) !== 0;
    if (frame.flags & FrameFlag.EndHeaders) this.onHeaderBlock(frame.streamId, content, endStream);
    else this.pendingBlock = { streamId: frame.streamId, endStream, fragments: [content], bytes: content.length };
  }

  private onContinuation(frame: Frame): void {
    const pending = this.pendingBlock;
    if (!pending) throw new Http2ConnectionError(ErrorCode.ProtocolError, 'CONTINUATION without a header block');
    pending.fragments.push(frame.payload);
    pending.bytes += frame.payload.length;
    if (pending.bytes > headerBlockBytesMax) throw new Http2ConnectionError(ErrorCode.EnhanceYourCalm, 'header block too large');
    if (!(frame.flags & FrameFlag.EndHeaders)) return;
    this.pendingBlock = undefined;
    this.onHeaderBlock(pending.streamId, Buffer.concat(pending.fragments, pending.bytes), pending.endStream);
  }

  private onHeaderBlock(streamId: number, block: Buffer, endStream: boolean): void {
    // Decoded first, whatever happens to the stream: the dynamic table must follow every block.
    const fields = this.decoder.decode(block);
    const existing = this.streams.get(streamId);
    if (existing) {
      // Trailers from the client: they must end its side.
      if (!endStream || existing.remoteEnded) {
        this.resetStream(existing, ErrorCode.ProtocolError);
        existing.handlers.onAbort?.(ErrorCode.ProtocolError);
      } else this.onRemoteEnd(existing);
      return;
    }
    if (streamId <= this.lastStreamId) throw new Http2ConnectionError(ErrorCode.StreamClosed, `HEADERS on closed stream ${streamId}`);
    if (streamId % 2 === 0) throw new Http2ConnectionError(ErrorCode.ProtocolError, `client stream ${streamId} has an even number`);
    this.lastStreamId = streamId;
    if (this.goingAway || this.streams.size >= this.options.maxConcurrentStreams) {
      this.emit(rstStreamFrame(streamId, ErrorCode.RefusedStream));
      return;
    }
    if (!isWellFormedRequest(fields) || headerListBytes(fields) > this.options.maxHeaderListBytes) {
      this.emit(rstStreamFrame(streamId, ErrorCode.ProtocolError));
      return;
    }
    const stream = new Http2ServerStream(streamId, fields, this, this.peerInitialWindow, this.options.streamWindowBytes);
    this.streams.set(streamId, stream);
    this.options.onStream(stream);
    if (endStream && !stream.closed) this.onRemoteEnd(stream);
  }

  private onRstStream(frame: Frame): void {
    if (frame.streamId > this.lastStreamId) throw new Http2ConnectionError(ErrorCode.ProtocolError, `RST_STREAM on idle stream ${frame.streamId}`);
    const stream = this.streams.get(frame.streamId);
    if (!stream) return;
    stream.closed = true;
    this.streams.delete(stream.id);
    this.blocked.delete(stream);
    stream.handlers.onAbort?.(frame.payload.readUInt32BE(0));
    this.endIfIdle();
  }

  private onSettings(frame: Frame): void {
    if (frame.flags & FrameFlag.Ack) return;
    for (const [identifier, value] of readSettings(frame.payload)) {
      if (identifier === Setting.EnablePush && value > 1) throw new Http2ConnectionError(ErrorCode.ProtocolError, 'SETTINGS_ENABLE_PUSH above 1');
      if (identifier === Setting.InitialWindowSize) {
        if (value > windowBytesMax) throw new Http2ConnectionError(ErrorCode.FlowControlError, 'SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1');
        const delta = value - this.peerInitialWindow;
        this.peerInitialWindow = value;
        for (const stream of this.streams.values()) {
          stream.sendWindow += delta;
          if (stream.sendWindow > windowBytesMax) throw new Http2ConnectionError(ErrorCode.FlowControlError, 'a stream window above 2^31-1');
        }
      }
      if (identifier === Setting.MaxFrameSize) {
        if (value < frameBytesMaxDefault || value > frameBytesMaxLimit) throw new Http2ConnectionError(ErrorCode.ProtocolError, `SETTINGS_MAX_FRAME_SIZE ${value}`);
        this.peerFrameBytesMax = value;
      }
    }
    this.emit(settingsAckFrame);
    this.flushBlocked();
  }

  private onWindowUpdate(frame: Frame): void {
    const increment = frame.payload.readUInt32BE(0) & 0x7fff_ffff;
    if (frame.streamId === 0) {
      if (increment === 0) throw new Http2ConnectionError(ErrorCode.ProtocolError, 'WINDOW_UPDATE of 0 on the connection');
      this.sendWindow += increment;
      if (this.sendWindow > windowBytesMax) throw new Http2ConnectionError(ErrorCode.FlowControlError, 'connection window above 2^31-1');
      this.flushBlocked();
      return;
    }
    if (frame.streamId > this.lastStreamId) throw new Http2ConnectionError(ErrorCode.ProtocolError, `WINDOW_UPDATE on idle stream ${frame.streamId}`);
    const stream = this.streams.get(frame.streamId);
    if (!stream) return;
    if (increment === 0 || stream.sendWindow + increment > windowBytesMax) {
      const code = increment === 0 ? ErrorCode.ProtocolError : ErrorCode.FlowControlError;
      this.resetStream(stream, code);
      stream.handlers.onAbort?.(code);
      return;
    }
    stream.sendWindow += increment;
    this.flushStream(stream);
  }

  private flushBlocked(): void {
    for (const stream of [...this.blocked]) {
      if (this.sendWindow <= 0) return;
      this.flushStream(stream);
    }
  }
}

/** The size of a header list as SETTINGS_MAX_HEADER_LIST_SIZE counts it. */
function headerListBytes(fields: HeaderField[]): number {
  let bytes = 0;
  for (const [name, value] of fields) bytes += entrySize(name, value);
  return bytes;
}

/**
 * Whether request headers are well formed (RFC 9113 8.2, 8.3): lower-case names, the request pseudo-headers once
 * each and before the others, :method, :scheme and :path present (no CONNECT), no connection-specific fields.
 */
function isWellFormedRequest(fields: HeaderField[]): boolean {
  const seen = new Set<string>();
  let regular = false;
  for (const [name, value] of fields) {
    if (name.length === 0 || /[A-Z]/.test(name)) return false;
    if (name.startsWith(':')) {
      if (regular || !allowedPseudoHeaders.has(name) || seen.has(name)) return false;
      seen.add(name);
      continue;
    }
    regular = true;
    if (connectionSpecificHeaders.has(name) || (name === 'te' && value !== 'trailers')) return false;
  }
  return seen.has(':method') && seen.has(':scheme') && seen.has(':path');
}
