// Certificates for TLS tests, made by the test itself over Node's webcrypto with @peculiar/x509: a CA, server
// certificates for 127.0.0.1/localhost, client certificates with a Common Name, an expired one, and one signed by
// another CA. No private key is ever committed; each run makes fresh ones and writes them as PEM files.
// The shim must load before @peculiar/x509 (tsyringe checks for it at load time).
// @peculiar/x509 registers its classes with tsyringe, which needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as x509 from '@peculiar/x509';

/** The key pair and crypto provider types as @peculiar/x509 declares them (the DOM's, not in Node's lib). */
type KeyPair = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'];
type CryptoProvider = NonNullable<Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1]>;

x509.cryptoProvider.set(webcrypto as unknown as CryptoProvider);

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const dayMs = 24 * 60 * 60 * 1000;

/** A certificate and its key, as PEM text. */
export interface CertificatePem {
  certificate: string;
  privateKey: string;
}

/** A certificate authority that can sign leaf certificates. */
export interface TestAuthority extends CertificatePem {
  sign(options: LeafOptions): Promise<CertificatePem>;
}

/** What a leaf certificate says about itself. */
export interface LeafOptions {
  commonName: string;
  /** Subject alternative names: IP addresses and DNS names (default: none). */
  ips?: string[];
  dnsNames?: string[];
  /** Validity window relative to now, in days (default: from yesterday to a year ahead). */
  notBeforeDays?: number;
  notAfterDays?: number;
}

async function newKeys(): Promise<KeyPair> {
  return (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as KeyPair;
}

async function privateKeyPem(keys: KeyPair): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as webcrypto.CryptoKey);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function serialNumber(): string {
  // Positive (high bit clear) and unique enough for one test run.
  return `01${Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex')}`;
}

/** Creates a new self-signed CA named `commonName`. */
export async function createAuthority(commonName: string): Promise<TestAuthority> {
  const keys = await newKeys();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=${commonName}`,
    notBefore: new Date(Date.now() - dayMs),
    notAfter: new Date(Date.now() + 365 * dayMs),
    signingAlgorithm: algorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const sign = async (options: LeafOptions): Promise<CertificatePem> => {
    const leafKeys = await newKeys();
    const names = [
      ...(options.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
      ...(options.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ];
    const leaf = await x509.X509CertificateGenerator.create({
      serialNumber: serialNumber(),
      subject: `CN=${options.commonName}`,
      issuer: certificate.subject,
      notBefore: new Date(Date.now() + (options.notBeforeDays ?? -1) * dayMs),
      notAfter: new Date(Date.now() + (options.notAfterDays ?? 365) * dayMs),
      signingAlgorithm: algorithm,
      publicKey: leafKeys.publicKey,
      signingKey: keys.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        // Both usages: etcd members present their peer certificate as server and as client.
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
        ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : []),
        await x509.AuthorityKeyIdentifierExtension.create(certificate),
      ],
    });
    return { certificate: leaf.toString('pem'), privateKey: await privateKeyPem(leafKeys) };
  };
  return { certificate: certificate.toString('pem'), privateKey: await privateKeyPem(keys), sign };
}

/** Paths of a certificate and its key written to disk. */
export interface CertificateFiles {
  certificateFile: string;
  keyFile: string;
}

/** Writes `pem` as `<name>.pem` and `<name>-key.pem` (key readable by the owner only) in `directory`. */
export async function writeCertificate(directory: string, name: string, pem: CertificatePem): Promise<CertificateFiles> {
  const certificateFile = path.join(directory, `${name}.pem`);
  const keyFile = path.join(directory, `${name}-key.pem`);
  await writeFile(certificateFile, pem.certificate);
  await writeFile(keyFile, pem.privateKey, { mode: 0o600 });
  return { certificateFile, keyFile };
}

/** Every certificate the TLS suites use, written to `directory`. */
export interface TestCertificates {
  caFile: string;
  otherCaFile: string;
  server: CertificateFiles;
  /** A client certificate with CN "alice", signed by the CA. */
  client: CertificateFiles;
  /** Signed by the CA, but expired yesterday. */
  expiredClient: CertificateFiles;
  /** A well-formed client certificate signed by another CA. */
  foreignClient: CertificateFiles;
  /** Peer certificates for members (CN "cairn-peer", SANs 127.0.0.1/localhost), and one from the other CA. */
  peers: CertificateFiles[];
  foreignPeer: CertificateFiles;
}

/** Makes a CA, another CA and the certificates of TestCertificates, and writes them to `directory`. */
export async function createTestCertificates(directory: string, peerCount = 3): Promise<TestCertificates> {
  const authority = await createAuthority('cairn-test-ca');
  const other = await createAuthority('cairn-other-ca');
  const hosts = { ips: ['127.0.0.1'], dnsNames: ['localhost'] };
  const caFile = path.join(directory, 'ca.pem');
  const otherCaFile = path.join(directory, 'other-ca.pem');
  await writeFile(caFile, authority.certificate);
  await writeFile(otherCaFile, other.certificate);
  const peers: CertificateFiles[] = [];
  for (let index = 0; index < peerCount; index += 1) {
    peers.push(await writeCertificate(directory, `peer${index + 1}`, await authority.sign({ commonName: 'cairn-peer', ...hosts })));
  }
  return {
    caFile,
    otherCaFile,
    server: await writeCertificate(directory, 'server', await authority.sign({ commonName: 'cairn-server', ...hosts })),
    client: await writeCertificate(directory, 'client', await authority.sign({ commonName: 'alice' })),
    expiredClient: await writeCertificate(directory, 'expired-client', await authority.sign({ commonName: 'alice', notBeforeDays: -30, notAfterDays: -1 })),
    foreignClient: await writeCertificate(directory, 'foreign-client', await other.sign({ commonName: 'alice' })),
    peers,
    foreignPeer: await writeCertificate(directory, 'foreign-peer', await other.sign({ commonName: 'cairn-peer', ...hosts })),
  };
}
