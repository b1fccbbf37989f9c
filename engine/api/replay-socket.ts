// A socket whose first bytes were already read (to choose a protocol) must hand them to the next owner.
// Node's HTTP/2 sessions read the native socket handle directly and never see bytes put back with
// `unshift`, so gRPC connections get a Duplex that replays the peeked bytes and then relays the socket.
import { Duplex } from 'node:stream';
import type net from 'node:net';

/** A Duplex over `socket` that first yields `peeked`. */
export class ReplaySocket extends Duplex {
  constructor(
    private readonly socket: net.Socket,
    peeked: Buffer,
  ) {
    super({ allowHalfOpen: false });
    if (peeked.length > 0) this.push(peeked);
    socket.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (error) => this.destroy(error));
    socket.on('close', () => this.destroy());
  }

  /** The remote address, as grpc-js reads it for the peer name. */
  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  /** The remote port. */
  get remotePort(): number | undefined {
    return this.socket.remotePort;
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.socket.write(chunk, encoding, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy(error ?? undefined);
    callback(error);
  }

  /** http2 calls these on its socket; relay them so keep-alive and timeouts behave. */
  setNoDelay(noDelay?: boolean): this {
    this.socket.setNoDelay(noDelay);
    return this;
  }

  setKeepAlive(enable?: boolean, initialDelayMs?: number): this {
    this.socket.setKeepAlive(enable, initialDelayMs);
    return this;
  }

  setTimeout(timeoutMs: number, callback?: () => void): this {
    this.socket.setTimeout(timeoutMs, callback);
    return this;
  }
}
