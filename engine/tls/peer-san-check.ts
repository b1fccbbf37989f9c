// etcd's SAN check of an inbound peer (pkg/transport listener_tls.go, checkCertSAN): the certificate a peer
// presents must cover the address it connects from, so a certificate copied to another machine cannot be used
// to join. IP SANs are compared with the remote IP (Go's VerifyHostname); failing that, DNS SANs are matched
// against the names of the remote IP (reverse lookup, "*.suffix" wildcards allowed) and resolved forward to see
// whether one of them is the remote IP. A certificate without SANs passes, as in etcd. Members started with
// --experimental-peer-skip-client-san-verification skip this check.
import { X509Certificate } from 'node:crypto';
import dns from 'node:dns/promises';
import { isIPv4 } from 'node:net';
import { x509Library } from './x509-library.ts';
import { peerSanLookupTimeoutMs } from '../common/limits.ts';

/** Name lookups, injected so tests can answer without DNS. */
export interface SanResolver {
  /** Host names of an address (hosts file, then DNS), as Go's LookupAddr. */
  namesOf(address: string): Promise<string[]>;
  /** Addresses of a host name, as Go's LookupHost. */
  addressesOf(name: string): Promise<string[]>;
}

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`lookup ${what}: timed out after ${peerSanLookupTimeoutMs} ms`)), peerSanLookupTimeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** The system's resolver: getnameinfo and getaddrinfo, which read the hosts file first as Go's resolver does. */
export const systemResolver: SanResolver = {
  async namesOf(address) {
    const { hostname } = await withTimeout(dns.lookupService(address, 0), address);
    return [hostname];
  },
  async addressesOf(name) {
    const found = await withTimeout(dns.lookup(name, { all: true, verbatim: true }), name);
    return found.map((entry) => entry.address);
  },
};

/** The IP and DNS SANs of a DER certificate. */
export function subjectAltNames(der: Buffer): { ips: string[]; dnsNames: string[] } {
  const x509 = x509Library();
  const extension = new x509.X509Certificate(der).getExtension(x509.SubjectAlternativeNameExtension);
  const names = extension?.names.items ?? [];
  return {
    ips: names.filter((name) => name.type === 'ip').map((name) => name.value),
    dnsNames: names.filter((name) => name.type === 'dns').map((name) => name.value),
  };
}

/** A remote address as Go prints it: an IPv4 peer on a dual-stack socket is plain IPv4. */
export function remoteHost(address: string): string {
  const mapped = /^::ffff:(.+)$/i.exec(address);
  return mapped !== null && isIPv4(mapped[1]!) ? mapped[1]! : address;
}

/** Go's %q of a string list: `["a" "b"]`. */
function goQuotedList(values: readonly string[]): string {
  return `[${values.map((value) => JSON.stringify(value)).join(' ')}]`;
}

/** Whether one of the names of `host`, or one of `dnsNames` resolved, matches (etcd's isHostInDNS). */
async function hostInDns(host: string, dnsNames: readonly string[], resolver: SanResolver): Promise<{ ok: boolean; error?: Error }> {
  const wildcards = dnsNames.filter((name) => name.startsWith('*.')).map((name) => name.slice(1));
  const names = dnsNames.filter((name) => !name.startsWith('*.'));
  let lastError: Error | undefined;
  try {
    for (const found of await resolver.namesOf(host)) {
      const name = found.endsWith('.') ? found.slice(0, -1) : found;
      if (wildcards.some((suffix) => name.endsWith(suffix)) || names.includes(name)) return { ok: true };
    }
  } catch (error) {
    lastError = error as Error;
  }
  for (const name of names) {
    try {
      if ((await resolver.addressesOf(name)).includes(host)) return { ok: true };
    } catch (error) {
      lastError = error as Error;
    }
  }
  return lastError === undefined ? { ok: false } : { ok: false, error: lastError };
}

/** Why a peer connecting from `remoteAddress` may not use the certificate `der`, or undefined when it may. */
export async function peerSanRefusal(der: Buffer, remoteAddress: string, resolver: SanResolver = systemResolver): Promise<string | undefined> {
  const { ips, dnsNames } = subjectAltNames(der);
  if (ips.length === 0 && dnsNames.length === 0) return undefined;
  const host = remoteHost(remoteAddress);
  if (ips.length > 0) {
    if (new X509Certificate(der).checkIP(host) !== undefined) return undefined;
    // Go's HostnameError text for an IP that the certificate does not list; the DNS SANs may still cover it.
    if (dnsNames.length === 0) return `x509: certificate is valid for ${ips.join(', ')}, not ${host}`;
  }
  const { ok, error } = await hostInDns(host, dnsNames, resolver);
  if (ok) return undefined;
  return `tls: ${JSON.stringify(host)} does not match any of DNSNames ${goQuotedList(dnsNames)}${error === undefined ? '' : ` (${error.message})`}`;
}
