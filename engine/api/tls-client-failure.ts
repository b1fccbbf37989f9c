// Why a TLS client was turned away, for the server's log. Node verifies a client certificate after the
// handshake and, when it fails, only records the verification code on the socket before dropping it; the
// error it then reports is a bare "socket hang up", and the dropped socket no longer knows its peer's address.
import type net from 'node:net';
import type tls from 'node:tls';
import { certificateVerifyReason } from '../common/tls-verify-errors.ts';

/** The error to log for a failed TLS connection: the certificate verification reason when there is one. */
export function tlsClientFailure(error: Error, socket: tls.TLSSocket): Error {
  const code = (socket as { authorizationError?: unknown }).authorizationError;
  if (typeof code === 'string' && code !== '') return new Error(`rejected client certificate: ${certificateVerifyReason(code)}`);
  if (code instanceof Error) return new Error(`rejected client certificate: ${code.message}`);
  return error;
}

/** Reports every failed TLS connection of `server` with its reason and the remote address (host:port). */
export function onTlsClientFailure(server: tls.Server, report: (error: Error, remote: string) => void): void {
  // Remembered at accept time, by the TCP socket the TLS socket wraps (its _parent).
  const remotes = new WeakMap<object, string>();
  server.on('connection', (socket: net.Socket) => remotes.set(socket, `${socket.remoteAddress}:${socket.remotePort}`));
  server.on('tlsClientError', (error: Error, socket: tls.TLSSocket) => {
    const parent = (socket as unknown as { _parent?: object })._parent;
    const remote = (parent === undefined ? undefined : remotes.get(parent)) ?? `${socket.remoteAddress}:${socket.remotePort}`;
    report(tlsClientFailure(error, socket), remote);
  });
}
