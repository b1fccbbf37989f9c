// Turns the errors of each step of "test connection" (DNS, TCP, TLS, gRPC) into a category and plain words with a
// hint. Node and grpc-js report the same failures with many codes and texts; this is the one place that knows them.
import type { ConnectionFailure, ConnectionFailureKind } from '../../common/contract.ts';
import { isServiceError } from '../etcd/etcd-error.ts';

/** The step of a connection test that failed. */
export type ProbeStep = 'dns' | 'tcp' | 'tls' | 'grpc' | 'auth';

function failure(kind: ConnectionFailureKind, endpoint: string, message: string, hint: string, detail: string): ConnectionFailure {
  return { kind, endpoint, message, hint, detail };
}

function codeOf(error: unknown): string {
  return String((error as NodeJS.ErrnoException | undefined)?.code ?? '');
}

function textOf(error: unknown): string {
  if (isServiceError(error)) return error.details || error.message;
  return error instanceof Error ? error.message : String(error);
}

/** Classifies a DNS lookup failure. */
export function classifyDnsError(error: unknown, endpoint: string, host: string): ConnectionFailure {
  const code = codeOf(error);
  const detail = `${code} ${textOf(error)}`.trim();
  if (code === 'EAI_AGAIN') {
    return failure('dns-not-found', endpoint, `The name ${host} could not be looked up: the DNS server did not answer.`, 'Check your network connection and DNS settings, or use an IP address.', detail);
  }
  return failure('dns-not-found', endpoint, `The name ${host} does not exist in DNS.`, 'Check the spelling of the host name, or use an IP address.', detail);
}

/** Classifies a TCP connect failure (or a connect that did not finish in time). */
export function classifyTcpError(error: unknown, endpoint: string, timeoutMs: number): ConnectionFailure {
  const code = codeOf(error);
  const detail = `${code} ${textOf(error)}`.trim();
  switch (code) {
    case 'ECONNREFUSED':
      return failure('connection-refused', endpoint, `Nothing is listening on ${endpoint} (connection refused).`, 'Check that etcd runs on that machine and that the port is its client port (usually 2379).', detail);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return failure('host-unreachable', endpoint, `There is no network route to ${endpoint}.`, 'Check the address, your VPN, and the network between you and the cluster.', detail);
    case 'ETIMEDOUT':
    case 'ETIMEOUT':
      return failure('timeout', endpoint, `${endpoint} did not answer within ${timeoutMs / 1000} s.`, 'A firewall may be dropping the connection, or the host is down.', detail);
    case 'ECONNRESET':
      return failure('connection-refused', endpoint, `${endpoint} closed the connection at once.`, 'The port may belong to another program, or a proxy refused the connection.', detail);
    default:
      return failure('unknown', endpoint, `Could not connect to ${endpoint}: ${textOf(error)}.`, 'Check the address and port.', detail);
  }
}

/** Classifies a TLS handshake failure. */
export function classifyTlsError(error: unknown, endpoint: string): ConnectionFailure {
  const code = codeOf(error);
  const text = textOf(error);
  const detail = `${code} ${text}`.trim();
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return failure('tls-self-signed', endpoint, `${endpoint} presents a self-signed certificate that is not trusted.`, 'Add that certificate (or the CA that signed it) as the connection\'s CA certificate.', detail);
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return failure('tls-unknown-ca', endpoint, `The server certificate of ${endpoint} was signed by a certificate authority this connection does not trust.`, 'Set the CA certificate of the cluster (the file etcd uses as --trusted-ca-file).', detail);
    case 'CERT_HAS_EXPIRED':
      return failure('tls-expired', endpoint, `The server certificate of ${endpoint} has expired.`, 'Renew the server certificate on the cluster (or check this computer\'s clock).', detail);
    case 'CERT_NOT_YET_VALID':
      return failure('tls-not-yet-valid', endpoint, `The server certificate of ${endpoint} is not valid yet.`, 'Check this computer\'s clock, or wait until the certificate\'s start date.', detail);
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return failure('tls-name-mismatch', endpoint, `The server certificate of ${endpoint} is not issued for that name or address.`, 'Connect with a name the certificate lists, set "server name" to one of them, or reissue the certificate with this name.', detail);
    case 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED':
      return failure('client-certificate-required', endpoint, `${endpoint} requires a client certificate.`, 'Add a client certificate and key signed by the cluster\'s CA.', detail);
    default:
      break;
  }
  if (/wrong version number|packet length too long|unknown protocol|http request/i.test(text)) {
    return failure('tls-not-offered', endpoint, `${endpoint} does not speak TLS.`, 'Use http:// for this endpoint, or enable TLS on the cluster (--cert-file, --key-file).', detail);
  }
  if (/bad certificate|unknown ca|certificate required|alert handshake failure/i.test(text)) {
    return failure('client-certificate-required', endpoint, `${endpoint} refused this connection's client certificate (or needs one).`, 'Use a client certificate signed by the CA the cluster trusts (--trusted-ca-file).', detail);
  }
  return failure('tls-handshake', endpoint, `The TLS handshake with ${endpoint} failed: ${text}.`, 'Check the TLS settings of the connection and of the cluster.', detail);
}

/** Classifies a failed gRPC call (after TCP, and TLS if any, succeeded). */
export function classifyGrpcError(error: unknown, endpoint: string, step: 'grpc' | 'auth', timeoutMs: number): ConnectionFailure {
  const text = textOf(error);
  const detail = isServiceError(error) ? `gRPC ${error.code}: ${text}` : text;
  if (/authentication failed|invalid user ID or password/.test(text)) {
    return failure('auth-failed', endpoint, 'The cluster refused the user name or password.', 'Check the credentials; etcdctl --user name:password should fail the same way.', detail);
  }
  if (/user name is empty|invalid auth token/.test(text)) {
    return failure('auth-required', endpoint, 'The cluster has authentication enabled and needs a user name and password.', 'Enter the credentials of an etcd user.', detail);
  }
  if (isServiceError(error) && error.code === 4) {
    return failure('timeout', endpoint, `${endpoint} accepted the connection but did not answer as etcd within ${timeoutMs / 1000} s.`, 'The cluster may be overloaded or without a leader, or the port belongs to another service.', detail);
  }
  if (isServiceError(error) && (error.code === 12 || /Received HTTP status code|Response message parsing error|Protocol error|Received RST_STREAM|Parse Error|Received HTTP\/2 GOAWAY|Bad Request|unexpected content-type/i.test(text))) {
    return failure('not-etcd', endpoint, `${endpoint} answers, but not as an etcd v3 server.`, 'Check the port: etcd serves clients on its client port (usually 2379), not the peer port (2380).', detail);
  }
  if (step === 'auth' && isServiceError(error) && error.code === 7) {
    return failure('auth-failed', endpoint, 'This user may not read keys.', 'Grant the user a role with read permission.', detail);
  }
  return failure('unknown', endpoint, `${endpoint} could not be used: ${text}.`, 'See the details for the raw error.', detail);
}
