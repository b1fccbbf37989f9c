// TLS of the peer URLs beyond the certificate material: whether dialing peers must present a certificate the
// member trusts (--peer-client-cert-auth), which certificates are refused after the handshake (the embedder's
// check: --peer-cert-allowed-cn, --peer-cert-allowed-hostname, --peer-crl-file), and whether the member skips
// verifying its peers (self-signed --peer-auto-tls certificates, as etcd does). The embedder's check of dialed
// peers (etcd applies --peer-cert-allowed-cn / --peer-cert-allowed-hostname to them too) runs in place of Node's
// checkServerIdentity, after the host name check, so a refused peer never receives a byte of the request.
import type { ServerOptions } from 'node:https';
import { checkServerIdentity, type ConnectionOptions, type PeerCertificate, type SecureContextOptions, type TLSSocket } from 'node:tls';
import { certificateVerifyReason } from '../common/tls-verify-errors.ts';

/** The peer port's TLS: certificate, key and trusted CAs, plus who may connect. */
export interface PeerTlsOptions extends SecureContextOptions {
  /**
   * Require a certificate from every dialing peer and verify it against `ca`: --peer-client-cert-auth, or
   * --peer-trusted-ca-file alone, as etcd's TLSInfo.ServerConfig does.
   */
  clientCertificateAuth?: boolean;
  /**
   * Judges an inbound peer's certificate after the handshake: a reason refuses the connection (logged). It may
   * answer later (the SAN check resolves names); the connection reads nothing until it has answered.
   */
  checkCertificate?: (socket: TLSSocket) => string | undefined | Promise<string | undefined>;
  /** Judges the verified certificate of a peer this member dials: a reason fails the dial with that message. */
  checkDialedCertificate?: (certificate: PeerCertificate) => string | undefined;
  /** The certificate and key presented when dialing (--peer-client-cert-file); `cert` and `key` when absent. */
  dialCertificate?: { cert: Buffer | string; key: Buffer | string };
  /** Dial peers without verifying their certificates (self-signed certificates, etcd's --peer-auto-tls). */
  skipServerVerification?: boolean;
  /** TLS versions and ciphers (etcd's --tls-min-version, --tls-max-version, --cipher-suites). */
  minVersion?: ConnectionOptions['minVersion'];
  maxVersion?: ConnectionOptions['maxVersion'];
}

function contextOnly(tls: PeerTlsOptions): SecureContextOptions {
  const { clientCertificateAuth: _auth, checkCertificate: _check, checkDialedCertificate: _dialCheck, dialCertificate: _dial, skipServerVerification: _skip, ...context } = tls;
  return context;
}

/** The error of a dial whose peer certificate the embedder refused; its code lands in the socket's authorizationError. */
export class PeerCertificateRefused extends Error {
  readonly code = 'ERR_PEER_CERTIFICATE_REFUSED';
}

/** Options of the TLS listener on a peer URL. */
export function peerServerOptions(tls: PeerTlsOptions): ServerOptions {
  const verify = tls.clientCertificateAuth === true;
  return { ...contextOnly(tls), requestCert: verify, rejectUnauthorized: verify };
}

/** Options of an https request to a peer. */
export function peerDialOptions(tls: PeerTlsOptions): ConnectionOptions {
  const options: ConnectionOptions = { ...contextOnly(tls), ...tls.dialCertificate, rejectUnauthorized: tls.skipServerVerification !== true };
  const check = tls.checkDialedCertificate;
  if (check !== undefined) {
    // Node calls this only for a chain that verified, as Go calls VerifyPeerCertificate with the verified chains.
    options.checkServerIdentity = (host, certificate) => {
      const wrongHost = checkServerIdentity(host, certificate);
      if (wrongHost !== undefined) return wrongHost;
      const refusal = check(certificate);
      return refusal === undefined ? undefined : new PeerCertificateRefused(refusal);
    };
  }
  return options;
}


/** The reason to log for a peer whose TLS handshake failed. */
export function peerTlsFailureReason(error: Error, socket: TLSSocket): string {
  const code = (socket as { authorizationError?: unknown }).authorizationError;
  if (typeof code === 'string' && code !== '') return `rejected peer certificate: ${certificateVerifyReason(code)}`;
  return error.message;
}
