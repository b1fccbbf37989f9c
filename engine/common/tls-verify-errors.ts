// Why a peer's certificate was refused, in OpenSSL's words. Node's TLS server records only the verification
// error's code (socket.authorizationError) when it drops a client whose certificate failed, and reports the
// drop itself as a bare "socket hang up"; the log must say why.

/** OpenSSL's text for the verification codes a misconfigured client or peer typically causes. */
const reasonByCode: Readonly<Record<string, string>> = Object.freeze({
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the first certificate',
  UNABLE_TO_GET_ISSUER_CERT: 'unable to get issuer certificate',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to get local issuer certificate',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain',
  CERT_SIGNATURE_FAILURE: 'certificate signature failure',
  CERT_REVOKED: 'certificate revoked',
  INVALID_PURPOSE: 'unsupported certificate purpose',
  CERT_UNTRUSTED: 'certificate not trusted',
  CERT_REJECTED: 'certificate rejected',
  INVALID_CA: 'invalid CA certificate',
  PATH_LENGTH_EXCEEDED: 'path length constraint exceeded',
});

/** The reason for a certificate verification code such as CERT_HAS_EXPIRED (the code itself when unknown). */
export function certificateVerifyReason(code: string): string {
  return `${reasonByCode[code] ?? code.toLowerCase().replaceAll('_', ' ')} (${code})`;
}
