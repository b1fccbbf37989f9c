// What a gRPC call's headers and transport say about it, read the same way by both servers of the client port
// (grpc-h2-server.ts, and the unary fast path of the grpc-js fallback): its deadline and the caller's TLS identity.
import { TLSSocket } from 'node:tls';

/** A grpc-timeout value: 1 to 8 digits and a unit (grpc-js's own pattern). */
const timeoutPattern = /^(\d{1,8})\s*([HMSmun])$/;
const timeoutUnitMs: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 };
/** setTimeout's largest delay; a longer deadline (up to 99,999,999 hours can be written) is as good as none. */
const timerMsMax = 2 ** 31 - 1;

/** A grpc-timeout header's deadline in milliseconds from now, or undefined when the value is not valid. */
export function grpcTimeoutMs(value: string): number | undefined {
  const match = timeoutPattern.exec(value);
  if (!match) return undefined;
  return Math.min(Number(match[1]) * timeoutUnitMs[match[2]!]!, timerMsMax);
}

/** grpc-js's view of a call's TLS (getAuthContext): the verified client certificate, if any. */
export interface CallAuthContext {
  transportSecurityType?: string;
  sslPeerCertificate?: ReturnType<TLSSocket['getPeerCertificate']>;
}

/** The auth context of a call on `socket` (empty for plaintext, or for a certificate that was not verified). */
export function authContextOf(socket: unknown): CallAuthContext {
  if (!(socket instanceof TLSSocket) || !socket.authorized) return {};
  const certificate = socket.getPeerCertificate();
  return { transportSecurityType: 'ssl', sslPeerCertificate: certificate.raw ? certificate : undefined };
}
