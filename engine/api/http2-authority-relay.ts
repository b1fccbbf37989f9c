// The stream grpc-js gets for a plaintext HTTP/2 client connection: the client's bytes go through the
// Http2RequestFilter (which repairs URL-shaped :authority values nghttp2 would reject), the server's bytes go
// straight to the socket.
//
// Only connections whose first request carries a URL-shaped :authority come here (http2-first-request.ts decides):
// a gRPC client sends one authority for every request of a connection, and the relay costs JavaScript stream
// copies in both directions on every request.
import net from 'node:net';
import { Duplex } from 'node:stream';
import { Http2RequestFilter } from './http2-request-filter.ts';

/**
 * Wraps `socket`, whose first bytes `received` were already read by the listener, in a Duplex for grpc-js's
 * connection injector. `onError` hears of failures inside the filter (the connection is then closed).
 */
export function relayWithAuthorityRepair(socket: net.Socket, received: Buffer, onError: (error: Error) => void): Duplex {
  const relay = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      if (socket.write(chunk)) callback();
      else socket.once('drain', () => callback());
    },
    final(callback) {
      socket.end();
      callback();
    },
    destroy(error, callback) {
      socket.destroy();
      callback(error);
    },
  });
  const filter = new Http2RequestFilter((bytes) => {
    // Backpressure: stop reading the client while the HTTP/2 session has not consumed what it has.
    if (!relay.push(bytes)) socket.pause();
  });
  const feed = (chunk: Buffer): void => {
    try {
      filter.write(chunk);
    } catch (error) {
      // Only a broken invariant in the filter can throw; losing one connection beats crashing the member.
      onError(error as Error);
      socket.destroy();
    }
  };
  socket.on('data', feed);
  socket.on('end', () => relay.push(null));
  socket.on('close', () => relay.destroy());
  socket.on('error', () => relay.destroy());
  feed(received);
  return relay;
}
