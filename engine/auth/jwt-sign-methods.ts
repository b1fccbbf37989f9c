// The JWT signing methods etcd accepts in `--auth-token jwt,sign-method=...` (those golang-jwt registers), and
// how each one signs and verifies with Node's crypto. Signatures are laid out as JWS wants them (RFC 7518):
// RSA PKCS#1 v1.5 and PSS signatures as they come, ECDSA as the fixed-size r||s pair, HMAC as the raw digest.
import { constants, createHmac, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

/** The key family a method needs. */
export type SignFamily = 'rsa' | 'rsa-pss' | 'ecdsa' | 'hmac';

/** One signing method. */
export interface SignMethod {
  /** The JWS "alg" name (also the sign-method option's value). */
  name: string;
  family: SignFamily;
  /** Node's digest name. */
  hash: 'sha256' | 'sha384' | 'sha512';
  /** ECDSA only: the curve golang-jwt requires for this method (ES256 takes P-256 keys, and so on). */
  curve?: 'prime256v1' | 'secp384r1' | 'secp521r1';
}

const methods: readonly SignMethod[] = [
  { name: 'RS256', family: 'rsa', hash: 'sha256' },
  { name: 'RS384', family: 'rsa', hash: 'sha384' },
  { name: 'RS512', family: 'rsa', hash: 'sha512' },
  { name: 'PS256', family: 'rsa-pss', hash: 'sha256' },
  { name: 'PS384', family: 'rsa-pss', hash: 'sha384' },
  { name: 'PS512', family: 'rsa-pss', hash: 'sha512' },
  { name: 'ES256', family: 'ecdsa', hash: 'sha256', curve: 'prime256v1' },
  { name: 'ES384', family: 'ecdsa', hash: 'sha384', curve: 'secp384r1' },
  { name: 'ES512', family: 'ecdsa', hash: 'sha512', curve: 'secp521r1' },
  { name: 'HS256', family: 'hmac', hash: 'sha256' },
  { name: 'HS384', family: 'hmac', hash: 'sha384' },
  { name: 'HS512', family: 'hmac', hash: 'sha512' },
];

/** The method named `name` (case-sensitive, as golang-jwt's registry), or undefined. */
export function signMethod(name: string): SignMethod | undefined {
  return methods.find((method) => method.name === name);
}

/** The key of a method: an asymmetric key object, or the HMAC secret's bytes. */
export type SigningKey = KeyObject | Buffer;

function asymmetricOptions(method: SignMethod, key: KeyObject) {
  // golang-jwt signs PSS with a salt as long as the hash and verifies with any salt length (PSSSaltLengthAuto).
  if (method.family === 'rsa-pss') return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
  if (method.family === 'ecdsa') return { key, dsaEncoding: 'ieee-p1363' as const };
  return { key };
}

/** Signs `input` (the JWS signing input "header.payload") with `key` (a private key or the HMAC secret). */
export function signJws(method: SignMethod, key: SigningKey, input: Buffer): Buffer {
  if (method.family === 'hmac') return createHmac(method.hash, key as Buffer).update(input).digest();
  return sign(method.hash, input, asymmetricOptions(method, key as KeyObject));
}

/** Whether `signature` is `method`'s signature of `input` under `key` (a public key or the HMAC secret). */
export function verifyJws(method: SignMethod, key: SigningKey, input: Buffer, signature: Buffer): boolean {
  if (method.family === 'hmac') {
    const expected = signJws(method, key, input);
    return expected.length === signature.length && timingSafeEqual(expected, signature);
  }
  const options = asymmetricOptions(method, key as KeyObject);
  const verifyOptions = method.family === 'rsa-pss' ? { ...options, saltLength: constants.RSA_PSS_SALTLEN_AUTO } : options;
  try {
    return verify(method.hash, input, verifyOptions, signature);
  } catch {
    // A signature of the wrong size for the key makes OpenSSL throw rather than answer false.
    return false;
  }
}
