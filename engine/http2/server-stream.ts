// One HTTP/2 stream as the server sees it: the request's headers and body as they arrive, and the response as the
// application writes it (headers, DATA within the peer's flow-control windows, trailers). The connection
// (server-connection.ts) owns the socket and the windows; a stream only queues its output and asks the
// connection to send it.
import type { HeaderField } from './hpack-decoder.ts';

/** What a stream needs from its connection. */
export interface StreamOwner {
  /** Sends whatever of the stream's queued output the windows allow. */
  flushStream(stream: Http2ServerStream): void;
  /** Sends RST_STREAM with `code` and forgets the stream. */
  resetStream(stream: Http2ServerStream, code: number): void;
}

/** The application's side of a stream: set these to hear of the request. */
export interface StreamHandlers {
  /** A chunk of the request body (DATA payload without padding). */
  onData?(chunk: Buffer): void;
  /** The client finished its side (END_STREAM). */
  onEnd?(): void;
  /** The stream ended before the response did: reset by the client (`code`) or the connection went away. */
  onAbort?(code: number): void;
  /** Queued output fell below the high-water mark again after write() returned false. */
  onDrain?(): void;
}

/** Queued response bytes above which write() asks the writer to wait for onDrain. */
export const streamHighWaterBytes = 64 * 1024;

export class Http2ServerStream {
  handlers: StreamHandlers = {};
  /** Bytes the peer lets this stream send (its SETTINGS_INITIAL_WINDOW_SIZE plus WINDOW_UPDATEs, minus DATA sent). */
  sendWindow: number;
  /** Bytes of DATA the peer may still send on this stream before this side must send a WINDOW_UPDATE. */
  receiveWindow: number;
  /** The client sent END_STREAM. */
  remoteEnded = false;
  /** The response's trailers (or headers with END_STREAM) are queued: nothing more may be written. */
  localEnded = false;
  /** Reset by either side, or finished: the stream is gone from the connection. */
  closed = false;
  /** Header block of the response, queued until sent (first, before any DATA). */
  pendingHeaders: Buffer | undefined;
  /** DATA payloads waiting for flow-control window, in order. */
  readonly pendingData: Buffer[] = [];
  pendingDataBytes = 0;
  /** Trailer block to send after the last DATA, with END_STREAM. */
  pendingTrailers: Buffer | undefined;
  private headersSent = false;
  private needsDrain = false;

  constructor(
    readonly id: number,
    readonly headers: HeaderField[],
    private readonly owner: StreamOwner,
    sendWindow: number,
    receiveWindow: number,
  ) {
    this.sendWindow = sendWindow;
    this.receiveWindow = receiveWindow;
  }

  /** The first value of request header `name` (lower case), if present. */
  header(name: string): string | undefined {
    for (const [key, value] of this.headers) if (key === name) return value;
    return undefined;
  }

  /** Every value of request header `name`, in order. */
  headerValues(name: string): string[] {
    return this.headers.filter(([key]) => key === name).map(([, value]) => value);
  }

  /** Sends the response headers (an encoded header block); with `endStream` they are the whole response. */
  respond(block: Buffer, endStream = false): void {
    if (this.closed || this.headersSent || this.pendingHeaders !== undefined) return;
    this.pendingHeaders = block;
    if (endStream) this.localEnded = true;
    this.owner.flushStream(this);
  }

  /** Queues `data` as DATA (after respond()); false when the writer should wait for onDrain before writing more. */
  write(data: Buffer): boolean {
    this.requireResponded('write');
    if (this.closed || this.localEnded) return false;
    if (data.length > 0) {
      this.pendingData.push(data);
      this.pendingDataBytes += data.length;
    }
    this.owner.flushStream(this);
    const below = this.pendingDataBytes < streamHighWaterBytes;
    if (!below) this.needsDrain = true;
    return below;
  }

  /** Ends the response with the trailer block `block` (sent after every queued DATA; after respond()). */
  end(block: Buffer): void {
    this.requireResponded('end');
    if (this.closed || this.localEnded) return;
    this.pendingTrailers = block;
    this.localEnded = true;
    this.owner.flushStream(this);
  }

  /** Nothing may precede the response headers (a response without a body is respond(block, true)). */
  private requireResponded(operation: string): void {
    if (!this.responded) throw new Error(`http2: stream ${this.id}: ${operation}() before respond()`);
  }

  /** Abandons the stream with RST_STREAM `code`. */
  reset(code: number): void {
    if (!this.closed) this.owner.resetStream(this, code);
  }

  /** Called by the connection when headers went out. */
  markHeadersSent(): void {
    this.headersSent = true;
    this.pendingHeaders = undefined;
  }

  /** Called by the connection after it sent queued DATA: tells a waiting writer it may go on. */
  noteDataSent(): void {
    if (this.needsDrain && this.pendingDataBytes < streamHighWaterBytes) {
      this.needsDrain = false;
      this.handlers.onDrain?.();
    }
  }

  /** Whether headers were sent or queued. */
  get responded(): boolean {
    return this.headersSent || this.pendingHeaders !== undefined;
  }
}
