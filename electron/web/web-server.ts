// Browser mode: the main-process services over HTTP and WebSocket on 127.0.0.1 only. Every request (page, asset,
// socket upgrade) must pass the guard (Host, Origin, token); the first page load with `?token=` sets an HttpOnly
// cookie and redirects to the same URL without the token, so it does not linger in the address bar or history.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { tokenQueryName, webFrameBytesMax, webSocketPath } from '../common/web-protocol.ts';
import type { SessionSource } from '../main/services/service-host.ts';
import { contentSecurityPolicy, securityHeaders } from '../main/security/content-security-policy.ts';
import { contentTypeOf, rendererBuilt, resolveRendererFile } from '../main/renderer-assets/renderer-files.ts';
import { createAccessToken } from './access-token.ts';
import { allowedHosts, checkRequest, tokenCookieName } from './request-guard.ts';
import { notBuiltPage, refusedPage } from '../main/renderer-assets/pages.ts';
import { serveSocket } from './socket-session.ts';

/** The only address browser mode listens on. */
export const webHost = '127.0.0.1';

/** Options of the browser-mode server. */
export interface WebServerOptions {
  host: SessionSource;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The renderer build to serve. */
  rendererDir: string;
  /** Why the renderer is not available, shown on the page when it is missing. */
  rendererProblem?: string;
  /** A fixed token (tests); default: a new random one. */
  token?: string;
}

/** A running browser-mode server. */
export interface WebServer {
  readonly port: number;
  readonly token: string;
  /** The URL to open: `http://127.0.0.1:PORT/?token=...`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the server and resolves once it listens. */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = options.token ?? createAccessToken();
  let port = 0;
  const sockets = new WebSocketServer({ noServer: true, maxPayload: webFrameBytesMax, perMessageDeflate: false });
  const server = http.createServer((request, response) => {
    const verdict = checkRequest(request, port, token);
    if (!verdict.allowed) {
      response.writeHead(verdict.status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': contentSecurityPolicy(), ...securityHeaders });
      response.end(refusedPage(verdict.status, verdict.reason));
      return;
    }
    const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
    if (verdict.tokenFrom === 'query') {
      // Trade the token in the URL for a cookie, then show the same page without it.
      url.searchParams.delete(tokenQueryName);
      response.writeHead(303, {
        Location: `${url.pathname}${url.search}`,
        'Set-Cookie': `${tokenCookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        'Cache-Control': 'no-store',
        ...securityHeaders,
      });
      response.end();
      return;
    }
    serveFile(request, response, url.pathname, options, port);
  });
  server.on('upgrade', (request, socket: Socket, head) => {
    const verdict = checkRequest(request, port, token);
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (!verdict.allowed || path !== webSocketPath) {
      const status = verdict.allowed ? 404 : verdict.status;
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    sockets.handleUpgrade(request, socket, head, (webSocket) => serveSocket(webSocket, options.host));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: webHost, port: options.port ?? 0 }, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    port,
    token,
    url: `http://${webHost}:${port}/?${tokenQueryName}=${token}`,
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function serveFile(request: http.IncomingMessage, response: http.ServerResponse, pathname: string, options: WebServerOptions, port: number): void {
  const headers = {
    'Content-Security-Policy': contentSecurityPolicy(allowedHosts(port).map((host) => `ws://${host}`)),
    ...securityHeaders,
  };
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { Allow: 'GET, HEAD', ...headers });
    response.end();
    return;
  }
  if (!rendererBuilt(options.rendererDir)) {
    response.writeHead(503, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
    response.end(notBuiltPage(options.rendererProblem ?? `${options.rendererDir} does not exist`));
    return;
  }
  const file = resolveRendererFile(options.rendererDir, pathname);
  if (!file) {
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
    response.end('Not found\n');
    return;
  }
  const isPage = file.endsWith('.html');
  response.writeHead(200, {
    'Content-Type': contentTypeOf(file),
    // Vite names assets by content hash, so they may be cached; the page itself must always be fresh.
    'Cache-Control': isPage ? 'no-store' : 'private, max-age=31536000, immutable',
    ...headers,
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  fs.createReadStream(file).on('error', () => response.destroy()).pipe(response);
}
