// Who may talk to browser mode: only requests addressed to our own loopback origin (the Host header names
// 127.0.0.1 or localhost with our port, which defeats DNS rebinding: a rebound name arrives with its own Host),
// from our own origin when the browser says where it comes from (Origin), and carrying the access token (query
// parameter, cookie, or Authorization: Bearer).
import type { IncomingMessage } from 'node:http';
import { tokenQueryName } from '../common/web-protocol.ts';
import { tokenMatches } from './access-token.ts';

/** The outcome of checking a request. */
export type GuardVerdict =
  | { allowed: true; tokenFrom: 'query' | 'cookie' | 'header' }
  | { allowed: false; status: 401 | 403; reason: string };

/** The cookie holding the token for the server on `port` (ports share cookies, so the name includes it). */
export function tokenCookieName(port: number): string {
  return `cairn_token_${port}`;
}

/** The Host values we answer to. */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/** The Origin values we accept. */
export function allowedOrigins(port: number): string[] {
  return allowedHosts(port).map((host) => `http://${host}`);
}

function cookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** Checks Host, Origin and token. */
export function checkRequest(request: IncomingMessage, port: number, token: string): GuardVerdict {
  const host = request.headers.host;
  if (!host || !allowedHosts(port).includes(host.toLowerCase())) {
    return { allowed: false, status: 403, reason: `requests must be addressed to 127.0.0.1:${port} (Host was ${JSON.stringify(host ?? '')})` };
  }
  const origin = request.headers.origin;
  if (origin !== undefined && !allowedOrigins(port).includes(origin.toLowerCase())) {
    return { allowed: false, status: 403, reason: `cross-origin requests are refused (Origin was ${JSON.stringify(origin)})` };
  }
  const url = new URL(request.url ?? '/', `http://${host}`);
  if (tokenMatches(token, url.searchParams.get(tokenQueryName) ?? undefined)) return { allowed: true, tokenFrom: 'query' };
  if (tokenMatches(token, cookie(request, tokenCookieName(port)))) return { allowed: true, tokenFrom: 'cookie' };
  const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
  if (tokenMatches(token, bearer)) return { allowed: true, tokenFrom: 'header' };
  return { allowed: false, status: 401, reason: 'the access token is missing or wrong: open the URL Cairn printed when it started' };
}
