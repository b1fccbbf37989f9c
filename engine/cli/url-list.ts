// Member URLs as etcd accepts them (pkg/types.NewURLs plus embed's bind and host checks): scheme http, https,
// unix or unixs; an explicit host:port; no path. Listen URLs must name an IP address or localhost, because a
// member binds to them; advertised URLs may use any host name. URLs are kept as typed (not re-serialised,
// which would add a trailing slash), de-duplicated and sorted, as etcd does.

const schemes = new Set(['http', 'https', 'unix', 'unixs']);

/** Whether a URL list is bound to (listen) or advertised to others. */
export type UrlRole = 'listen' | 'advertise';

/** Parses a comma-separated URL list; an empty string is an empty list. */
export function parseUrlList(text: string, role: UrlRole): { urls: string[] } | { error: string } {
  if (text.trim() === '') return { urls: [] };
  const urls = new Set<string>();
  for (const part of text.split(',')) {
    const url = part.trim();
    const error = checkUrl(url, role);
    if (error) return { error };
    urls.add(url);
  }
  return { urls: [...urls].sort() };
}

/** The scheme of a URL already accepted by parseUrlList. */
export function urlScheme(url: string): string {
  return url.slice(0, url.indexOf(':')).toLowerCase();
}

function checkUrl(url: string, role: UrlRole): string | undefined {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/.exec(url);
  if (!match || !schemes.has(match[1]!.toLowerCase())) return `URL scheme must be http, https, unix, or unixs: ${url}`;
  const [, scheme, authority, rest] = match as unknown as [string, string, string, string];
  if (rest !== '') return `URL must not contain a path: ${url}`;
  const address = splitHostPort(authority);
  if (!address) return `URL address does not have the form "host:port": ${url}`;
  if (scheme.toLowerCase().startsWith('unix')) return undefined;
  if (role === 'listen' && address.host !== 'localhost' && !isIpAddress(address.host)) return `expected IP in URL for binding (${url})`;
  if (role === 'advertise' && address.host === '') return `unexpected empty host (${url})`;
  return undefined;
}

/** Splits "host:port" or "[v6]:port" as Go's net.SplitHostPort, also requiring a port number. */
function splitHostPort(authority: string): { host: string; port: number } | undefined {
  const bracketed = /^\[([^\]]*)\]:(\d+)$/.exec(authority);
  const plain = /^([^:[\]@]*):(\d+)$/.exec(authority);
  const match = bracketed ?? plain;
  if (!match) return undefined;
  const port = Number(match[2]);
  if (port > 65535) return undefined;
  return { host: match[1]!, port };
}

function isIpAddress(host: string): boolean {
  const octets = host.split('.');
  if (octets.length === 4 && octets.every((octet) => /^\d{1,3}$/.test(octet) && Number(octet) <= 255)) return true;
  // IPv6: hex groups separated by colons, at most one "::", optionally an IPv4 tail.
  return host.includes(':') && /^[0-9A-Fa-f:.]+$/.test(host) && (host.match(/::/g) ?? []).length <= 1;
}
