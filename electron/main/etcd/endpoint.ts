// Endpoints as users type them (`host:port`, `http://host:port`, `https://host:port`) turned into what grpc-js
// needs: a `host:port` target and whether the connection uses TLS. A bare `host:port` uses TLS when the
// connection has TLS settings, as etcdctl does with --cacert.

/** One parsed endpoint. */
export interface Endpoint {
  /** As the user wrote it, for messages. */
  text: string;
  host: string;
  port: number;
  /** `host:port` (IPv6 hosts in brackets), the grpc-js target. */
  target: string;
  secure: boolean;
}

/** etcd's default client port. */
const defaultPort = 2379;

/** Parses an endpoint; returns an error message instead when it is not one. */
export function parseEndpoint(text: string, tlsConfigured: boolean): Endpoint | string {
  const trimmed = text.trim();
  const match = /^(?:(https?):\/\/)?(\[[0-9a-fA-F:.]+\]|[^\s:/?#[\]]+)(?::(\d{1,5}))?\/?$/.exec(trimmed);
  if (!match) return `"${text}" is not an endpoint: write host:port, http://host:port or https://host:port`;
  const [, scheme, host, portText] = match;
  const port = portText === undefined ? defaultPort : Number(portText);
  if (port < 1 || port > 65_535) return `"${text}" has port ${port}, which is not between 1 and 65535`;
  const secure = scheme === 'https' || (scheme === undefined && tlsConfigured);
  return { text: trimmed, host: host!.replace(/^\[|\]$/g, ''), port, target: `${host}:${port}`, secure };
}

/** Parses every endpoint, or returns the first problem. */
export function parseEndpoints(texts: readonly string[], tlsConfigured: boolean): Endpoint[] | string {
  const endpoints: Endpoint[] = [];
  for (const text of texts) {
    const parsed = parseEndpoint(text, tlsConfigured);
    if (typeof parsed === 'string') return parsed;
    endpoints.push(parsed);
  }
  return endpoints.length > 0 ? endpoints : 'a connection needs at least one endpoint';
}
