// Outgoing HTTP requests to a peer, over http or https by the URL's scheme. Every request gets its own
// connection (no agent): peer connections are few and long-lived, and an agent's pooled sockets would outlive
// stop().
import http from 'node:http';
import https from 'node:https';
import { peerDialOptions, type PeerTlsOptions } from './peer-tls.ts';
import type { PeerUrl } from './peer-url.ts';

/** What one request to a peer needs besides the URL. */
export interface PeerRequestOptions {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  signal?: AbortSignal;
}

/** Starts a request to `url` (not yet ended); TLS material is used only for https URLs. */
export function peerRequest(url: PeerUrl, tls: PeerTlsOptions | undefined, options: PeerRequestOptions): http.ClientRequest {
  const base: http.RequestOptions = {
    host: url.host,
    port: url.port,
    method: options.method,
    path: options.path,
    headers: options.headers,
    agent: false,
    signal: options.signal,
  };
  return url.secure ? https.request({ ...peerDialOptions(tls ?? {}), ...base }) : http.request(base);
}

/** Reads a response body as text, keeping at most `bytesMax` bytes (the rest is discarded). */
export function readBodyText(response: http.IncomingMessage, bytesMax: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    response.on('data', (chunk: Buffer) => {
      if (kept >= bytesMax) return;
      const piece = chunk.subarray(0, bytesMax - kept);
      chunks.push(piece);
      kept += piece.length;
    });
    const finish = () => resolve(Buffer.concat(chunks).toString('utf8'));
    response.once('end', finish);
    response.once('close', finish);
    response.once('error', finish);
  });
}
