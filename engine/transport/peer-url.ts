// Peer URLs as etcd takes them (--listen-peer-urls, --initial-advertise-peer-urls): scheme, host and port only.
// https is accepted once TLS options are given, so TLS drops in without changing the rest of the transport.

/** A parsed peer URL. */
export interface PeerUrl {
  /** The URL as given (for logs). */
  text: string;
  secure: boolean;
  /** Host name or IP address, without IPv6 brackets (what node:net and node:http expect). */
  host: string;
  port: number;
}

/** Parses a peer URL; throws an Error naming the URL and the problem. */
export function parsePeerUrl(text: string): PeerUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`invalid peer URL ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`peer URL ${JSON.stringify(text)} must use http or https, not ${url.protocol.replace(':', '')}`);
  }
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    throw new Error(`peer URL ${JSON.stringify(text)} may hold only a scheme, a host and a port`);
  }
  if (url.port === '') throw new Error(`peer URL ${JSON.stringify(text)} has no port`);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { text, secure: url.protocol === 'https:', host, port: Number(url.port) };
}

/** The URL text for a host and port (brackets around IPv6 addresses). */
export function formatPeerUrl(secure: boolean, host: string, port: number): string {
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return `${secure ? 'https' : 'http'}://${shownHost}:${port}`;
}
