// The options of `--auth-token jwt,...` (etcd's auth/options.go): sign-method (required), pub-key and priv-key
// (PEM files; for HMAC methods the priv-key file's bytes are the secret), and ttl (a Go duration, 5m by default).
// A member with only the public key verifies tokens but cannot mint them, so a cluster may keep the private key
// on some members only. Errors carry etcd's texts (and golang-jwt's for keys it cannot use).
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseGoDuration } from '../common/go-duration.ts';
import { signMethod, type SignMethod, type SigningKey } from './jwt-sign-methods.ts';

/** etcd's default JWT lifetime. */
export const jwtTtlMsDefault = 5 * 60 * 1000;

/** Options etcd knows; others are reported and ignored. */
export const jwtOptionNames = ['sign-method', 'pub-key', 'priv-key', 'ttl'] as const;

/** What a member signs and verifies JWTs with. */
export interface JwtSettings {
  method: SignMethod;
  /** The private key or the HMAC secret; undefined on a verify-only member. */
  signingKey: SigningKey | undefined;
  /** The public key (derived from the private key when only that was given) or the HMAC secret. */
  verifyingKey: SigningKey;
  ttlMs: number;
}

/** Thrown for options etcd rejects with "auth: invalid auth options" (the cause is logged, as etcd does). */
export class JwtOptionsError extends Error {}

/** etcd's error texts for keys. */
export const jwtKeyErrors = {
  invalidAuthOptions: 'auth: invalid auth options',
  invalidSignMethod: 'auth: invalid auth signature method',
  missingKey: 'auth: missing key data',
  keyMismatch: "auth: public and private keys don't match",
} as const;

function readKeyFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Go's os error text: "open <file>: no such file or directory".
    throw new JwtOptionsError(code === 'ENOENT' ? `open ${file}: no such file or directory` : `open ${file}: ${(error as Error).message}`);
  }
}

function keyTypeName(method: SignMethod): string {
  return method.family === 'ecdsa' ? 'ECDSA' : 'RSA';
}

function parsePrivate(method: SignMethod, pem: Buffer): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new Error('Invalid Key: Key must be PEM encoded PKCS1 or PKCS8 private key');
  }
  checkKeyKind(method, key, 'private');
  return key;
}

function parsePublic(method: SignMethod, pem: Buffer): KeyObject {
  // Node derives a public key from a private one; golang-jwt refuses a private key where a public one belongs.
  if (pem.includes('PRIVATE KEY')) throw new Error(`Key is not a valid ${keyTypeName(method)} public key`);
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new Error('Invalid Key: Key must be PEM encoded PKCS1 or PKCS8 private key');
  }
  checkKeyKind(method, key, 'public');
  return key;
}

function checkKeyKind(method: SignMethod, key: KeyObject, kind: 'private' | 'public'): void {
  const expected = method.family === 'ecdsa' ? 'ec' : 'rsa';
  if (key.asymmetricKeyType !== expected) throw new Error(`Key is not a valid ${keyTypeName(method)} ${kind} key`);
  // golang-jwt refuses to sign with a curve other than the method's, and such signatures never verify: say so now.
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (method.curve !== undefined && curve !== method.curve) throw new Error(`${method.name} needs a ${method.curve} key, not ${curve ?? 'this key'}: key is invalid`);
}

/** The keys of an asymmetric method: the private key signs (when given), the public key verifies. */
function asymmetricKeys(method: SignMethod, publicPem: Buffer | undefined, privatePem: Buffer | undefined): Pick<JwtSettings, 'signingKey' | 'verifyingKey'> {
  const privateKey = privatePem === undefined ? undefined : parsePrivate(method, privatePem);
  const publicKey = publicPem === undefined ? undefined : parsePublic(method, publicPem);
  if (privateKey === undefined) {
    if (publicKey === undefined) throw new Error(jwtKeyErrors.missingKey);
    return { signingKey: undefined, verifyingKey: publicKey };
  }
  const derived = createPublicKey(privateKey);
  if (publicKey !== undefined && !derived.equals(publicKey)) throw new Error(jwtKeyErrors.keyMismatch);
  return { signingKey: privateKey, verifyingKey: derived };
}

/**
 * Reads the JWT options. A JwtOptionsError is etcd's "invalid auth options" (bad ttl, unreadable file, unknown
 * method); any other Error is a key problem etcd reports as it is.
 */
export function parseJwtOptions(options: ReadonlyMap<string, string>): JwtSettings {
  const ttlText = options.get('ttl') ?? '';
  let ttlMs = jwtTtlMsDefault;
  if (ttlText !== '') {
    const parsed = parseGoDuration(ttlText);
    if ('error' in parsed) throw new JwtOptionsError(parsed.error);
    ttlMs = parsed.ms;
  }
  const publicFile = options.get('pub-key') ?? '';
  const privateFile = options.get('priv-key') ?? '';
  const publicPem = publicFile === '' ? undefined : readKeyFile(publicFile);
  const privatePem = privateFile === '' ? undefined : readKeyFile(privateFile);
  const method = signMethod(options.get('sign-method') ?? '');
  if (method === undefined) throw new JwtOptionsError(jwtKeyErrors.invalidSignMethod);
  if (method.family === 'hmac') {
    if (privatePem === undefined || privatePem.length === 0) throw new Error(jwtKeyErrors.missingKey);
    return { method, signingKey: privatePem, verifyingKey: privatePem, ttlMs };
  }
  return { method, ...asymmetricKeys(method, publicPem, privatePem), ttlMs };
}
