// etcd's simple tokens (--auth-token simple, auth/simple_token.go): a random 16-letter prefix chosen by the
// member that checked the password, suffixed with the index of the log entry that applied the Authenticate,
// and bound to the user name in memory on every member that applied it. A token lives for the TTL after its
// last use; deleting a user or changing its password drops the user's tokens, and disabling auth drops them all.
// Tokens are not persisted: after a restart clients authenticate again, as with etcd.
import { randomInt } from 'node:crypto';
import { authTokensMax } from '../common/limits.ts';
import type { AuthInfo } from './auth-store.ts';
import type { TokenProvider } from './token-provider.ts';

const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const prefixLength = 16;

/** A fresh random token prefix (crypto-grade, as etcd's). */
export function newTokenPrefix(): string {
  let prefix = '';
  for (let position = 0; position < prefixLength; position++) prefix += letters[randomInt(letters.length)];
  return prefix;
}

/** The log index a simple token was minted at, or undefined when the token is not shaped like one. */
export function tokenIndex(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 2 || !/^\d+$/.test(parts[1]!)) return undefined;
  return Number(parts[1]);
}

/** The simple tokens of one member. */
export class SimpleTokens implements TokenProvider {
  readonly kind = 'simple';
  private readonly tokens = new Map<string, { username: string; expiresMs: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly clock: () => number,
  ) {}

  newPrefix(): string {
    return newTokenPrefix();
  }

  /** Binds the token `<prefix>.<index>` to `username` and returns it (the revision plays no part). */
  assign(username: string, _revision: number, prefix: string, index: number): string {
    this.dropExpired();
    // A bounded table: when full, the tokens closest to expiry go first (their clients authenticate again).
    while (this.tokens.size >= authTokensMax) {
      const oldest = this.tokens.keys().next().value as string;
      this.tokens.delete(oldest);
    }
    const token = `${prefix}.${index}`;
    this.tokens.set(token, { username, expiresMs: this.clock() + this.ttlMs });
    return token;
  }

  indexNeeded(token: string): number {
    return tokenIndex(token) ?? 0;
  }

  /** A live token's user at the current revision (simple tokens outlive auth changes, as etcd's); use restarts its TTL. */
  info(token: string, revision: number): AuthInfo | undefined {
    const username = this.username(token);
    return username === undefined ? undefined : { username, revision };
  }

  /** The user a live token belongs to, or undefined; using a token restarts its TTL. */
  username(token: string): string | undefined {
    const found = this.tokens.get(token);
    if (found === undefined) return undefined;
    const now = this.clock();
    if (found.expiresMs <= now) {
      this.tokens.delete(token);
      return undefined;
    }
    // Re-inserting keeps the map in expiry order, which assign() relies on when it sheds tokens.
    this.tokens.delete(token);
    this.tokens.set(token, { username: found.username, expiresMs: now + this.ttlMs });
    return found.username;
  }

  /** Drops every token of `username` (deleted, or its password changed). */
  invalidateUser(username: string): void {
    for (const [token, entry] of this.tokens) if (entry.username === username) this.tokens.delete(token);
  }

  /** Drops every token (auth disabled). */
  disable(): void {
    this.tokens.clear();
  }

  private dropExpired(): void {
    const now = this.clock();
    for (const [token, entry] of this.tokens) {
      if (entry.expiresMs > now) break;
      this.tokens.delete(token);
    }
  }
}
