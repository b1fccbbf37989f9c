// The browser-mode access token (Jupyter style): random, shown once in the URL, then kept in an HttpOnly cookie.
// Comparison hashes both sides first, so it takes the same time whatever the input's length or content.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Random bytes in a token: 256 bits. */
const tokenBytes = 32;

/** A new random token (URL-safe base64). */
export function createAccessToken(): string {
  return randomBytes(tokenBytes).toString('base64url');
}

/** True when `candidate` equals `token`, compared in constant time. */
export function tokenMatches(token: string, candidate: string | undefined): boolean {
  if (candidate === undefined) return false;
  const expected = createHash('sha256').update(token).digest();
  const given = createHash('sha256').update(candidate).digest();
  return timingSafeEqual(expected, given);
}
