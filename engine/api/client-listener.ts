// One port for gRPC and HTTP, as etcd does with cmux: each accepted connection is classified by its first
// bytes. An HTTP/2 connection preface ("PRI * HTTP/2.0") goes to the gRPC server (the engine's own, or grpc-js
// with CAIRN_GRPC_SERVER=grpc-js); anything else is an HTTP/1.x request for the JSON gateway, /health, /version
// or /metrics. With TLS the decision is made on ALPN instead, after the handshake (h2 -> gRPC, otherwise HTTP/1.1).
import net from 'node:net';
import tls from 'node:tls';
import http from 'node:http';
import type { ConnectionInjector } from '@grpc/grpc-js';
import { onTlsClientFailure } from './tls-client-failure.ts';
import { relayWithAuthorityRepair } from './http2-authority-relay.ts';
import { probeFirstRequest } from './http2-first-request.ts';

const http2PrefaceStart = Buffer.from('PRI * HTTP/2.0');

/** Where classified connections go. */
export interface ConnectionRoutes {
  grpc: ConnectionInjector;
  http: http.Server;
  /** The engine's own HTTP/2 gRPC server (grpc-h2-server.ts); when present it takes every HTTP/2 connection. */
  ownGrpc?: { serve(socket: net.Socket, received?: Buffer): void };
}

/** A listening client port. */
export interface ClientListener {
  /** The bound address (useful when port 0 was requested). */
  address(): net.AddressInfo;
  close(): Promise<void>;
}

/** Options for a client port. */
export interface ClientListenerOptions {
  host: string;
  port: number;
  /** TLS options; when set, connections are TLS and routed by ALPN. */
  tls?: tls.TlsOptions;
  /**
   * Judges a verified client certificate after the handshake (etcd's allowed host names and revocation list);
   * a reason refuses the connection and is reported through onConnectionError.
   */
  checkCertificate?: (socket: tls.TLSSocket) => string | undefined;
  /** Called for connections that fail before routing (bad TLS handshakes) or in the HTTP/2 relay, for logging. */
  onConnectionError?: (error: Error, remote: string) => void;
}

function routePlain(socket: net.Socket, routes: ConnectionRoutes, onConnectionError: (error: Error) => void): void {
  let received = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    received = Buffer.concat([received, chunk]);
    const comparable = Math.min(received.length, http2PrefaceStart.length);
    const isHttp2 = received.subarray(0, comparable).equals(http2PrefaceStart.subarray(0, comparable));
    // Keep reading while what we have is still a prefix of the HTTP/2 preface.
    if (isHttp2 && comparable < http2PrefaceStart.length) return;
    socket.removeListener('data', onData);
    socket.pause();
    if (isHttp2 && routes.ownGrpc) {
      // It accepts any :authority (etcd's Go client sends a URL), so no probing of the first request.
      routes.ownGrpc.serve(socket, received);
      socket.resume();
      return;
    }
    if (isHttp2) {
      routeHttp2(socket, received, routes, onConnectionError);
      return;
    }
    // The peeked bytes go back into the socket's buffer, where the HTTP/1 parser reads them first.
    socket.unshift(received);
    routes.http.emit('connection', socket);
    socket.resume();
  };
  socket.on('data', onData);
}

/**
 * Hands a plaintext HTTP/2 connection to grpc-js once its first request shows what it needs: the raw socket (read
 * natively by the HTTP/2 session, which consumes the unshifted bytes first), or a relay that repairs the
 * URL-shaped :authority etcd's Go client sends on per-endpoint connections (see http2-first-request.ts).
 */
function routeHttp2(socket: net.Socket, received: Buffer, routes: ConnectionRoutes, onConnectionError: (error: Error) => void): void {
  probeFirstRequest(socket, received).then(
    (verdict) => {
      if (verdict.needsAuthorityRepair) {
        routes.grpc.injectConnection(relayWithAuthorityRepair(socket, verdict.received, onConnectionError));
        socket.resume();
      } else {
        socket.unshift(verdict.received);
        routes.grpc.injectConnection(socket);
      }
    },
    () => socket.destroy(),
  );
}

function routeByAlpn(socket: tls.TLSSocket, routes: ConnectionRoutes): void {
  if (socket.alpnProtocol === 'h2' && routes.ownGrpc) routes.ownGrpc.serve(socket);
  else if (socket.alpnProtocol === 'h2') routes.grpc.injectConnection(socket);
  else routes.http.emit('connection', socket);
}

/** Listens on one address and routes every connection to gRPC or HTTP. */
export async function listenClient(options: ClientListenerOptions, routes: ConnectionRoutes): Promise<ClientListener> {
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket): void => {
    // Small request/response exchanges must not wait for Nagle's algorithm (a 40 ms stall per request).
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  let server: net.Server;
  if (options.tls) {
    server = tls.createServer({ ...options.tls, ALPNProtocols: ['h2', 'http/1.1'] }, (socket) => {
      track(socket);
      const refusal = options.checkCertificate?.(socket);
      if (refusal !== undefined) {
        options.onConnectionError?.(new Error(refusal), `${socket.remoteAddress}:${socket.remotePort}`);
        socket.destroy();
        return;
      }
      routeByAlpn(socket, routes);
    });
    onTlsClientFailure(server as tls.Server, (error, remote) => options.onConnectionError?.(error, remote));
  } else {
    server = net.createServer((socket) => {
      track(socket);
      socket.on('error', () => socket.destroy());
      const remote = `${socket.remoteAddress}:${socket.remotePort}`;
      routePlain(socket, routes, (error) => options.onConnectionError?.(error, remote));
    });
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    address: () => server.address() as net.AddressInfo,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
