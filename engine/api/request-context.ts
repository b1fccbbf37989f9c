// Who is calling, as far as the client port's TLS knows: the Common Name of the client certificate verified
// under --client-cert-auth. etcd uses it as the user name when auth is enabled and no token is given, so the
// auth layer reads it from here for gRPC calls and gateway requests alike. The TLS socket is the one the
// client listener accepted and handed over: grpc-js keeps it as its HTTP/2 session's socket (getAuthContext
// reads the certificate from there), and node:http keeps it as request.socket.
import type http from 'node:http';
import { TLSSocket, type PeerCertificate } from 'node:tls';

/** The identity a verified client certificate gives a call. */
export interface ClientIdentity {
  /** The certificate's subject CN (etcd's user name for CN-based auth). */
  commonName: string;
}

/** What this file needs of a grpc-js server call (getAuthContext exists on every call kind since grpc-js 1.12). */
export interface CallWithAuthContext {
  getAuthContext(): { transportSecurityType?: string; sslPeerCertificate?: PeerCertificate };
}

function identityOf(certificate: PeerCertificate | undefined): ClientIdentity | undefined {
  // The CN may appear more than once in a subject; Node then gives an array and etcd takes the first.
  const commonName = certificate?.subject?.CN as string | string[] | undefined;
  const first = Array.isArray(commonName) ? commonName[0] : commonName;
  return first === undefined || first === '' ? undefined : { commonName: first };
}

/** The verified client certificate's identity of a gRPC call, or undefined without one (plain or unverified). */
export function grpcCallIdentity(call: CallWithAuthContext): ClientIdentity | undefined {
  // grpc-js reports a certificate only for sockets that passed verification (socket.authorized).
  return identityOf(call.getAuthContext().sslPeerCertificate);
}

/**
 * etcd's answer to a gateway request (/v3/...) whose verified client certificate has a Common Name while auth is
 * enabled: the gateway cannot pass the CN on as the user, so etcd refuses rather than act as someone else.
 */
export const gatewayCommonNameRefusal = 'CommonName of client sending a request against gateway will be ignored and not used as expected';

/**
 * Whether etcd would refuse this gateway request for its certificate's Common Name (see gatewayCommonNameRefusal).
 * `judged`: auth is enabled and certificates name callers (--client-cert-auth); etcd does not look otherwise.
 */
export function gatewayRefusesCommonName(request: http.IncomingMessage, path: string, judged: boolean): boolean {
  return judged && path.startsWith('/v3/') && httpRequestIdentity(request) !== undefined;
}

/** The verified client certificate's identity of an HTTP request (gateway, /health), or undefined without one. */
export function httpRequestIdentity(request: http.IncomingMessage): ClientIdentity | undefined {
  const socket = request.socket;
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
  return identityOf(socket.getPeerCertificate());
}
