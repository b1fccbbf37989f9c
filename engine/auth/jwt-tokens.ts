// etcd's JWT tokens (--auth-token jwt, auth/jwt.go): a JWS whose claims are the user name, the auth revision
// when it was minted and an expiry (`exp`, seconds), laid out byte for byte as etcd's golang-jwt writes them. Any
// member holding the public key (or the HMAC secret) verifies a token, so a token minted by one member works on
// every other; the revision in it makes it stale once users, roles or permissions change. Nothing is kept in
// memory: invalidating a user or disabling auth has nothing to drop (the revision check does the work).
import { Errors } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import type { AuthInfo } from './auth-store.ts';
import type { JwtSettings } from './jwt-options.ts';
import { signJws, verifyJws } from './jwt-sign-methods.ts';
import type { TokenProvider } from './token-provider.ts';

function base64Url(bytes: Buffer | string): string {
  return Buffer.from(bytes).toString('base64url');
}

function decodeJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Signed tokens, verified by signature, expiry and (by the auth store) revision. */
export class JwtTokens implements TokenProvider {
  readonly kind = 'jwt';

  constructor(
    private readonly settings: JwtSettings,
    private readonly clock: () => number,
    private readonly logger: Logger,
  ) {}

  /** Whether this member can only verify tokens (it was given the public key alone). */
  get verifyOnly(): boolean {
    return this.settings.signingKey === undefined;
  }

  newPrefix(): string {
    return '';
  }

  assign(username: string, revision: number): string {
    const { method, signingKey, ttlMs } = this.settings;
    if (signingKey === undefined) throw Errors.AuthVerifyOnly;
    // Go marshals maps with sorted keys: this is the exact header and claims text etcd signs.
    const header = base64Url(JSON.stringify({ alg: method.name, typ: 'JWT' }));
    const claims = base64Url(JSON.stringify({ exp: Math.floor((this.clock() + ttlMs) / 1000), revision, username }));
    const input = `${header}.${claims}`;
    return `${input}.${base64Url(signJws(method, signingKey, Buffer.from(input)))}`;
  }

  indexNeeded(): number {
    return 0;
  }

  info(token: string): AuthInfo | undefined {
    const failure = this.check(token);
    if (typeof failure === 'string') {
      // etcd logs the token with the reason; the token is a credential, so only the reason is logged here.
      this.logger.warn('failed to parse a JWT token', { error: failure });
      return undefined;
    }
    return failure;
  }

  invalidateUser(): void {}

  disable(): void {}

  /** The token's caller, or why it is refused (golang-jwt's checks: method, signature, exp, nbf, iat). */
  private check(token: string): AuthInfo | string {
    const parts = token.split('.');
    if (parts.length !== 3) return 'token contains an invalid number of segments';
    const [headerPart, claimsPart, signaturePart] = parts as [string, string, string];
    const header = decodeJson(headerPart);
    const claims = decodeJson(claimsPart);
    if (!isRecord(header) || !isRecord(claims)) return 'malformed token';
    const { method, verifyingKey } = this.settings;
    if (header.alg !== method.name) return 'invalid signing method';
    if (!verifyJws(method, verifyingKey, Buffer.from(`${headerPart}.${claimsPart}`), Buffer.from(signaturePart, 'base64url'))) {
      return 'signature is invalid';
    }
    const nowSeconds = Math.floor(this.clock() / 1000);
    if (typeof claims.exp === 'number' && nowSeconds > claims.exp) return 'token is expired';
    if (typeof claims.nbf === 'number' && nowSeconds < claims.nbf) return 'token is not valid yet';
    if (typeof claims.iat === 'number' && nowSeconds < claims.iat) return 'token used before issued';
    const { username, revision } = claims;
    if (typeof username !== 'string' || typeof revision !== 'number' || !Number.isSafeInteger(revision) || revision < 0) {
      return 'token claims carry no user name and revision';
    }
    return { username, revision };
  }
}
