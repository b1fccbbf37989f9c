// What a member's auth tokens must do, whichever kind --auth-token chose (etcd's auth.TokenProvider): mint the
// token of an applied Authenticate, and tell who a token stands for. Simple tokens live in each member's memory
// and are minted on every member when the Authenticate entry applies; JWTs are signed and need no state.
import type { AuthInfo } from './auth-store.ts';

/** A member's tokens (simple or JWT). */
export interface TokenProvider {
  /** 'simple' or 'jwt', for logs. */
  readonly kind: 'simple' | 'jwt';
  /** What the Authenticate proposal carries for assign(): a fresh random prefix for simple tokens, '' for JWTs. */
  newPrefix(): string;
  /**
   * The token of an Authenticate entry applied at log `index`, when the auth revision is `revision`. Throws an
   * EtcdError when this member cannot mint one (a JWT member holding only the public key).
   */
  assign(username: string, revision: number, prefix: string, index: number): string;
  /**
   * The log index this member must have applied before it can judge `token` (a simple token is known only once
   * its Authenticate entry applied here), or 0 when it can judge it at once.
   */
  indexNeeded(token: string): number;
  /** Who `token` stands for, or undefined when it is not a live, valid token. `revision` is the current auth revision. */
  info(token: string, revision: number): AuthInfo | undefined;
  /** The user was deleted or its password changed. */
  invalidateUser(username: string): void;
  /** Auth was disabled. */
  disable(): void;
}
