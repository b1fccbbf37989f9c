// Checks TLS material before it is used, in plain words: can each PEM be read, are certificates within their
// validity period, does the key belong to the certificate, did the CA sign it, and (asking each endpoint for its
// certificate) do the server certificates cover the endpoint names and chain to the CA.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import type { TlsCheckArgs, TlsFinding } from '../../common/contract.ts';
import { parseEndpoint } from '../etcd/endpoint.ts';

/** A certificate expiring within this many days gets a warning. */
const expiryWarningDays = 30;

/** How long fetching a server certificate may take, in milliseconds. */
const fetchTimeoutMs = 3_000;

const dayMs = 86_400_000;

/** Splits a PEM bundle into its certificates. */
export function pemCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block));
}

function describe(certificate: X509Certificate): string {
  const name = /CN=([^\n,]+)/.exec(certificate.subject)?.[1] ?? certificate.subject.replace(/\n/g, ', ');
  return `"${name}"`;
}

function validity(certificate: X509Certificate, subject: TlsFinding['subject'], what: string, now: number): TlsFinding {
  const from = Date.parse(certificate.validFrom);
  const to = Date.parse(certificate.validTo);
  if (now < from) return { level: 'error', subject, message: `The ${what} ${describe(certificate)} is not valid until ${certificate.validFrom}.` };
  if (now > to) return { level: 'error', subject, message: `The ${what} ${describe(certificate)} expired on ${certificate.validTo}.` };
  const days = Math.floor((to - now) / dayMs);
  if (days < expiryWarningDays) return { level: 'warning', subject, message: `The ${what} ${describe(certificate)} expires in ${days === 1 ? '1 day' : `${days} days`} (${certificate.validTo}).` };
  return { level: 'ok', subject, message: `The ${what} ${describe(certificate)} is valid until ${certificate.validTo}.` };
}

/** Checks the given material (and the endpoints' certificates); findings are in the order the checks ran. */
export async function checkTls(args: TlsCheckArgs, now = Date.now()): Promise<TlsFinding[]> {
  const findings: TlsFinding[] = [];
  let authorities: X509Certificate[] = [];
  if (args.caPem) {
    try {
      authorities = pemCertificates(args.caPem);
      if (authorities.length === 0) findings.push({ level: 'error', subject: 'ca', message: 'The CA file holds no certificate (expected "-----BEGIN CERTIFICATE-----").' });
      for (const authority of authorities) {
        findings.push(validity(authority, 'ca', 'CA certificate', now));
        if (!authority.ca) findings.push({ level: 'warning', subject: 'ca', message: `${describe(authority)} is not marked as a CA certificate; it can only be trusted as the exact server certificate.` });
      }
    } catch (error) {
      findings.push({ level: 'error', subject: 'ca', message: `The CA certificate cannot be read: ${(error as Error).message}.` });
    }
  }
  let certificate: X509Certificate | undefined;
  if (args.certPem) {
    try {
      certificate = pemCertificates(args.certPem)[0];
      if (!certificate) findings.push({ level: 'error', subject: 'cert', message: 'The client certificate file holds no certificate.' });
      else {
        findings.push(validity(certificate, 'cert', 'client certificate', now));
        const issuer = authorities.find((authority) => certificate!.checkIssued(authority) && certificate!.verify(authority.publicKey));
        if (authorities.length > 0) {
          findings.push(issuer
            ? { level: 'ok', subject: 'cert', message: `The client certificate is signed by the CA ${describe(issuer)}.` }
            : { level: 'warning', subject: 'cert', message: 'The client certificate is not signed by the given CA; the cluster must trust its issuer (--trusted-ca-file).' });
        }
      }
    } catch (error) {
      findings.push({ level: 'error', subject: 'cert', message: `The client certificate cannot be read: ${(error as Error).message}.` });
    }
  }
  if (args.keyPem) {
    try {
      const key = createPrivateKey(args.keyPem);
      findings.push({ level: 'ok', subject: 'key', message: `The private key is a readable ${key.asymmetricKeyType?.toUpperCase() ?? ''} key.` });
      if (certificate) {
        findings.push(certificate.checkPrivateKey(key)
          ? { level: 'ok', subject: 'pair', message: 'The private key belongs to the client certificate.' }
          : { level: 'error', subject: 'pair', message: 'The private key does not belong to the client certificate: they come from different key pairs.' });
      }
    } catch (error) {
      findings.push({ level: 'error', subject: 'key', message: `The private key cannot be read (${(error as Error).message}); it must be an unencrypted PEM key.` });
    }
  } else if (certificate) {
    findings.push({ level: 'error', subject: 'pair', message: 'A client certificate needs its private key.' });
  }
  for (const endpointText of args.endpoints ?? []) findings.push(...(await checkServer(endpointText, authorities, now)));
  return findings;
}

async function checkServer(endpointText: string, authorities: X509Certificate[], now: number): Promise<TlsFinding[]> {
  const endpoint = parseEndpoint(endpointText, true);
  if (typeof endpoint === 'string') return [{ level: 'error', subject: 'ca', message: endpoint }];
  if (!endpoint.secure) return [{ level: 'warning', subject: 'ca', message: `${endpointText} uses http://, so no TLS is used for it.` }];
  let peer: tls.PeerCertificate;
  try {
    peer = await fetchCertificate(endpoint.host, endpoint.port);
  } catch (error) {
    return [{ level: 'warning', subject: 'ca', message: `Could not fetch the server certificate of ${endpoint.target}: ${(error as Error).message}.` }];
  }
  const server = new X509Certificate(peer.raw);
  const findings = [validity(server, 'ca', `server certificate of ${endpoint.target}`, now)];
  const names = net.isIP(endpoint.host) ? server.checkIP(endpoint.host) : server.checkHost(endpoint.host);
  findings.push(names
    ? { level: 'ok', subject: 'ca', message: `The server certificate of ${endpoint.target} covers ${endpoint.host}.` }
    : { level: 'error', subject: 'ca', message: `The server certificate of ${endpoint.target} does not cover ${endpoint.host} (it lists: ${server.subjectAltName ?? 'no alternative names'}).` });
  if (authorities.length > 0) {
    const trusted = authorities.some((authority) => server.checkIssued(authority) && server.verify(authority.publicKey)) ||
      authorities.some((authority) => authority.fingerprint256 === server.fingerprint256);
    findings.push(trusted
      ? { level: 'ok', subject: 'ca', message: `The server certificate of ${endpoint.target} is signed by the given CA.` }
      : { level: 'error', subject: 'ca', message: `The server certificate of ${endpoint.target} is not signed by the given CA (issuer: ${server.issuer.replace(/\n/g, ', ')}).` });
  }
  return findings;
}

function fetchCertificate(host: string, port: number): Promise<tls.PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, rejectUnauthorized: false, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ['h2'] });
    socket.setTimeout(fetchTimeoutMs, () => socket.destroy(new Error(`no TLS answer within ${fetchTimeoutMs} ms`)));
    socket.once('secureConnect', () => {
      const certificate = socket.getPeerCertificate(false);
      socket.destroy();
      if (!certificate?.raw) reject(new Error('the server sent no certificate'));
      else resolve(certificate);
    });
    socket.once('error', reject);
  });
}
