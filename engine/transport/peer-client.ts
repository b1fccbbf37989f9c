// Questions a member asks its peers over HTTP before (or besides) streaming: a member started with
// --initial-cluster-state existing reads GET /members from the existing peers to learn the cluster ID (from the
// X-Etcd-Cluster-ID header) and the member list, as etcd's GetClusterFromRemotePeers does.
import type { IncomingMessage } from 'node:http';
import type { PeerTlsOptions } from './peer-tls.ts';
import { peerDialTimeoutMs, peerResponseBytesMax } from '../common/limits.ts';
import { handshakeHeader, parseIdHeader } from './handshake.ts';
import { peerRequest } from './peer-request.ts';
import { parsePeerUrl } from './peer-url.ts';

/** How to ask. */
export interface PeerClientOptions {
  tls?: PeerTlsOptions;
  /** Per URL: connect, answer and body (default peerDialTimeoutMs * 5, as the answer may take a moment). */
  timeoutMs?: number;
}

/** The cluster as one peer describes it. */
export interface PeerCluster {
  clusterId: bigint;
  /** The parsed JSON of GET /members (the host's member list; IDs are hex strings). */
  members: unknown;
  /** The URL that answered. */
  url: string;
}

/** The versions a peer reports on GET /version. */
export interface PeerVersion {
  etcdserver: string;
  etcdcluster: string;
}

/**
 * The cluster ID and members from the first of `urls` that answers; throws an Error listing every URL's failure
 * when none does (etcd: "could not retrieve cluster information from the given URLs").
 */
export async function fetchClusterFromPeers(urls: readonly string[], options: PeerClientOptions = {}): Promise<PeerCluster> {
  const failures: string[] = [];
  for (const url of urls) {
    try {
      const { response, body } = await getJson(url, '/members', options);
      const clusterId = parseIdHeader(response.headers[handshakeHeader.clusterId]);
      if (clusterId === undefined) throw new Error('the answer has no valid cluster ID header');
      return { clusterId, members: body, url };
    } catch (error) {
      failures.push(`${url}: ${(error as Error).message}`);
    }
  }
  throw new Error(`could not retrieve cluster information from the given URLs (${failures.join('; ')})`);
}

/** The versions reported by the peer at `url`. */
export async function fetchPeerVersion(url: string, options: PeerClientOptions = {}): Promise<PeerVersion> {
  const { body } = await getJson(url, '/version', options);
  const version = body as Partial<PeerVersion> | null;
  if (typeof version?.etcdserver !== 'string' || typeof version.etcdcluster !== 'string') throw new Error(`unexpected /version answer from ${url}`);
  return { etcdserver: version.etcdserver, etcdcluster: version.etcdcluster };
}

async function getJson(text: string, path: string, options: PeerClientOptions): Promise<{ response: IncomingMessage; body: unknown }> {
  const url = parsePeerUrl(text);
  const timeoutMs = options.timeoutMs ?? peerDialTimeoutMs * 5;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  try {
    const request = peerRequest(url, options.tls, { method: 'GET', path, headers: { accept: 'application/json' }, signal: controller.signal });
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      request.once('response', resolve);
      // Kept for the request's lifetime: aborting a finished request may still emit 'error'.
      request.on('error', reject);
      request.end();
    });
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of response as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > peerResponseBytesMax) throw new Error(`answer larger than ${peerResponseBytesMax} bytes`);
      chunks.push(chunk);
    }
    if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
    return { response, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
  } catch (error) {
    if (controller.signal.aborted) throw controller.signal.reason as Error;
    throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}
