// A small certificate authority for the local cluster: a CA certificate, and certificates it signs for the
// members (server and peer) and for Cairn itself (client). ECDSA P-256 with SHA-256, as the engine's own
// --auto-tls certificates (engine/tls/self-signed-certificate.ts); unlike those, every certificate here chains to
// one CA, so members verify each other and Cairn verifies them, with client-certificate auth on both ports.
// The engine's generator only makes self-signed certificates and electron/main may not import engine/tls (see
// tests/boundaries.test.ts), so the few lines of @peculiar/x509 it takes live here.
// @peculiar/x509 registers its classes with tsyringe, which needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

/** The key pair and crypto provider types as @peculiar/x509 declares them (the DOM's, not in Node's lib). */
type KeyPair = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'];
type CryptoProvider = NonNullable<Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1]>;
type SigningKey = x509.X509CertificateCreateWithKeyParams['signingKey'];

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const dayMs = 24 * 60 * 60 * 1000;
// Passed explicitly: Cairn does not set @peculiar/x509's global provider behind other users' backs.
const crypto = webcrypto as unknown as CryptoProvider;

/** A certificate and its private key, PEM. */
export interface IssuedPair {
  certificatePem: string;
  keyPem: string;
}

/** What a leaf certificate is for. */
export type CertificateUse = 'server' | 'client' | 'server-and-client';

/** A CA that can sign leaf certificates (kept in memory only while issuing). */
export interface CertificateAuthority extends IssuedPair {
  certificate: x509.X509Certificate;
  signingKey: SigningKey;
}

async function newKeys(): Promise<KeyPair> {
  return (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as unknown as KeyPair;
}

async function keyPem(keys: KeyPair): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as unknown as webcrypto.CryptoKey), 'PRIVATE KEY');
}

function serialNumber(): string {
  // A positive 128-bit number (leading 01 keeps the DER integer positive), random as RFC 5280 recommends.
  return `01${Buffer.from(webcrypto.getRandomValues(new Uint8Array(15))).toString('hex')}`;
}

/** The validity window: from an hour ago (clock skew between processes is harmless) for `days` days. */
function validity(days: number, now: Date): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(now.getTime() - 60 * 60 * 1000), notAfter: new Date(now.getTime() + days * dayMs) };
}

/** A new self-signed CA named `commonName`, valid for `days` days. */
export async function createCertificateAuthority(commonName: string, days: number, now = new Date()): Promise<CertificateAuthority> {
  const keys = await newKeys();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=${commonName}, O=Cairn`,
    ...validity(days, now),
    signingAlgorithm: algorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
    ],
  }, crypto);
  return { certificate, certificatePem: certificate.toString('pem'), keyPem: await keyPem(keys), signingKey: keys.privateKey };
}

/** The SAN entries of `hosts`: IP addresses as IP names, everything else as DNS names. */
export function subjectAltNames(hosts: readonly string[]): x509.JsonGeneralName[] {
  return hosts.map((host) => ({ type: isIP(host) === 0 ? ('dns' as const) : ('ip' as const), value: host }));
}

/** Issues a certificate for `commonName` and `hosts` (its SANs), signed by `authority`, valid for `days` days. */
export async function issueCertificate(
  authority: CertificateAuthority,
  request: { commonName: string; hosts: readonly string[]; use: CertificateUse; days: number },
  now = new Date(),
): Promise<IssuedPair> {
  const keys = await newKeys();
  const usages = {
    server: [x509.ExtendedKeyUsage.serverAuth],
    client: [x509.ExtendedKeyUsage.clientAuth],
    'server-and-client': [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
  }[request.use];
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=${request.commonName}, O=Cairn`,
    issuer: authority.certificate.subject,
    ...validity(request.days, now),
    signingAlgorithm: algorithm,
    publicKey: keys.publicKey,
    signingKey: authority.signingKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension(usages),
      await x509.AuthorityKeyIdentifierExtension.create(authority.certificate, false, crypto),
      ...(request.hosts.length > 0 ? [new x509.SubjectAlternativeNameExtension(subjectAltNames(request.hosts))] : []),
    ],
  }, crypto);
  return { certificatePem: certificate.toString('pem'), keyPem: await keyPem(keys) };
}
