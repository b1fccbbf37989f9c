// etcd's --auto-tls and --peer-auto-tls: a self-signed certificate for the member, made once and kept in the
// data directory (<data-dir>/fixtures/client or .../peer, cert.pem and key.pem), reused on restart. As etcd's
// transport.SelfCert: an ECDSA key, organization "etcd", the hosts of the member's URLs as SANs, valid for
// --self-signed-cert-validity years, usable as server and as client.
import { webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import type * as X509 from '@peculiar/x509';
import { x509Library } from './x509-library.ts';

/** The key pair and crypto provider types as @peculiar/x509 declares them (the DOM's, not in Node's lib). */
type KeyPair = Parameters<typeof X509.X509CertificateGenerator.createSelfSigned>[0]['keys'];
type CryptoProvider = NonNullable<Parameters<typeof X509.X509CertificateGenerator.createSelfSigned>[1]>;

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const yearMs = 365 * 24 * 60 * 60 * 1000;

/** Where a self-signed certificate and its key are. */
export interface SelfSignedFiles {
  certificateFile: string;
  keyFile: string;
}

/** The distinct hosts (without ports and brackets) of `urls`, as SANs. */
export function hostsOfUrls(urls: readonly string[]): string[] {
  return [...new Set(urls.map((url) => new URL(url).hostname.replace(/^\[|\]$/g, '')).filter((host) => host !== ''))];
}

/** Returns the certificate in `directory`, creating it first when either file is missing. */
export async function ensureSelfSignedCertificate(directory: string, hosts: readonly string[], validityYears: number): Promise<SelfSignedFiles> {
  const certificateFile = path.join(directory, 'cert.pem');
  const keyFile = path.join(directory, 'key.pem');
  if (existsSync(certificateFile) && existsSync(keyFile)) return { certificateFile, keyFile };
  const x509 = x509Library();
  // Passed explicitly: the engine does not set @peculiar/x509's global provider behind its users' backs.
  const crypto = webcrypto as unknown as CryptoProvider;
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as unknown as KeyPair;
  const names = hosts.map((host) => ({ type: isIP(host) === 0 ? ('dns' as const) : ('ip' as const), value: host }));
  const notBefore = new Date();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: `01${Buffer.from(webcrypto.getRandomValues(new Uint8Array(15))).toString('hex')}`,
      name: 'O=etcd',
      notBefore,
      notAfter: new Date(notBefore.getTime() + Math.max(1, validityYears) * yearMs),
      signingAlgorithm: algorithm,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
        ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : []),
      ],
    },
    crypto,
  );
  const privateKey = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as unknown as webcrypto.CryptoKey), 'PRIVATE KEY');
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  writeFileSync(keyFile, privateKey, { mode: 0o600 });
  writeFileSync(certificateFile, certificate.toString('pem'), { mode: 0o644 });
  return { certificateFile, keyFile };
}
