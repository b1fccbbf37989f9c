// TLS of the peer URLs beyond the certificate material: whether dialing peers must present a certificate the
// member trusts (--peer-client-cert-auth), which certificates are refused after the handshake (the embedder's
// check: --peer-cert-allowed-cn, --peer-cert-allowed-hostname, --peer-crl-file), and whether the member skips
// verifying its peers (self-signed --peer-auto-tls certificates, as etcd does).
import type { ServerOptions } from 'node:https';
import type { ConnectionOptions, SecureContextOptions, TLSSocket } from 'node:tls';
import { certificateVerifyReason } from '../common/tls-verify-errors.ts';

/** The peer port's TLS: certificate, key and trusted CAs, plus who may connect. */
export interface PeerTlsOptions extends SecureContextOptions {
  /** Require a certificate from every dialing peer and verify it against `ca` (--peer-client-cert-auth). */
  clientCertificateAuth?: boolean;
  /** Judges an inbound peer's certificate after the handshake: a reason refuses the connection (logged). */
  checkCertificate?: (socket: TLSSocket) => string | undefined;
  /** Dial peers without verifying their certificates (self-signed certificates, etcd's --peer-auto-tls). */
  skipServerVerification?: boolean;
  /** TLS versions and ciphers (etcd's --tls-min-version, --tls-max-version, --cipher-suites). */
  minVersion?: ConnectionOptions['minVersion'];
  maxVersion?: ConnectionOptions['maxVersion'];
}

function contextOnly(tls: PeerTlsOptions): SecureContextOptions {
  const { clientCertificateAuth: _auth, checkCertificate: _check, skipServerVerification: _skip, ...context } = tls;
  return context;
}

/** Options of an https server on a peer URL. */
export function peerServerOptions(tls: PeerTlsOptions): ServerOptions {
  const verify = tls.clientCertificateAuth === true;
  return { ...contextOnly(tls), requestCert: verify, rejectUnauthorized: verify };
}

/** Options of an https request to a peer. */
export function peerDialOptions(tls: PeerTlsOptions): ConnectionOptions {
  return { ...contextOnly(tls), rejectUnauthorized: tls.skipServerVerification !== true };
}


/** The reason to log for a peer whose TLS handshake failed. */
export function peerTlsFailureReason(error: Error, socket: TLSSocket): string {
  const code = (socket as { authorizationError?: unknown }).authorizationError;
  if (typeof code === 'string' && code !== '') return `rejected peer certificate: ${certificateVerifyReason(code)}`;
  return error.message;
}
