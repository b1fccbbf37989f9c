// The browser-mode guard: Host and Origin pin requests to our loopback origin; the token may come from the
// query, the cookie of this port, or a bearer header, and is compared in constant time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { createAccessToken, tokenMatches } from './access-token.ts';
import { checkRequest, tokenCookieName } from './request-guard.ts';

const token = createAccessToken();
const request = (url: string, headers: Record<string, string>): IncomingMessage => ({ url, headers } as unknown as IncomingMessage);

test('tokens are 256-bit random and compared whole', () => {
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(createAccessToken(), token);
  assert.equal(tokenMatches(token, token), true);
  assert.equal(tokenMatches(token, token.slice(0, -1)), false);
  assert.equal(tokenMatches(token, `${token}x`), false);
  assert.equal(tokenMatches(token, undefined), false);
});

test('the token is accepted from the query, this port\'s cookie or a bearer header', () => {
  const host = { host: '127.0.0.1:4000' };
  assert.deepEqual(checkRequest(request(`/?token=${token}`, host), 4000, token), { allowed: true, tokenFrom: 'query' });
  assert.deepEqual(checkRequest(request('/', { ...host, cookie: `a=b; ${tokenCookieName(4000)}=${token}` }), 4000, token), { allowed: true, tokenFrom: 'cookie' });
  assert.deepEqual(checkRequest(request('/', { ...host, authorization: `Bearer ${token}` }), 4000, token), { allowed: true, tokenFrom: 'header' });
  assert.equal(checkRequest(request('/', { ...host, cookie: `${tokenCookieName(4001)}=${token}` }), 4000, token).allowed, false);
});

test('foreign Host and Origin headers are refused with 403, a missing token with 401', () => {
  const verdict = (url: string, headers: Record<string, string>) => checkRequest(request(url, headers), 4000, token);
  assert.deepEqual(verdict('/', { host: '127.0.0.1:4000' }), { allowed: false, status: 401, reason: 'the access token is missing or wrong: open the URL Cairn printed when it started' });
  assert.equal((verdict(`/?token=${token}`, { host: 'rebound.example:4000' }) as { status: number }).status, 403);
  assert.equal((verdict(`/?token=${token}`, {}) as { status: number }).status, 403);
  assert.equal((verdict(`/?token=${token}`, { host: 'localhost:4000', origin: 'http://localhost:4001' }) as { status: number }).status, 403);
  assert.equal(verdict(`/?token=${token}`, { host: 'LOCALHOST:4000', origin: 'http://127.0.0.1:4000' }).allowed, true);
});
