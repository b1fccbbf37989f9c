// The local cluster's certificates and its TLS setting, kept in `<userData>/local-tls/`: a CA, a server
// certificate (client port), a peer certificate (peer port, served and presented), and the client certificate
// Cairn presents, each with its private key (mode 0600, folder 0700), plus `settings.json` (TLS on or off), so
// the choice survives app restarts. Certificates are made once and reused; they are made again only when one is
// missing, damaged, does not chain to the CA, or expires within `renewWithinDays`.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { LocalTlsFile, LocalTlsState } from '../../common/contract.ts';
import { boolean, object, oneOf, text } from '../../common/validate.ts';
import { readJsonFile, writeFileAtomic } from '../util/atomic-file.ts';
import type { ClientTlsMaterial, LocalTlsSource, MemberTlsFiles } from '../supervisor/member-tls.ts';
import { createCertificateAuthority, issueCertificate, type CertificateUse } from './certificate-issuer.ts';

/** The only hosts the local cluster binds and is reached at: the SANs of its server and peer certificates. */
export const localHosts = ['127.0.0.1', 'localhost'] as const;

/** The Common Name of Cairn's client certificate: etcd maps it to a user when auth is on, and Cairn administers. */
export const clientCommonName = 'root';

const caValidityDays = 5 * 365;
const leafValidityDays = 2 * 365;
/** Certificates that expire sooner than this are made again when TLS is turned on. */
const renewWithinDays = 30;

interface Settings {
  version: 1;
  enabled: boolean;
  generatedAt: string;
}
const settingsCheck = object<Settings>({ version: oneOf([1] as const), enabled: boolean(), generatedAt: text({ max: 64 }) });

/** One certificate of the set: its file names, what it is for, and its use. */
const certificates = [
  { role: 'ca', certificate: 'ca.pem', key: 'ca-key.pem', description: 'Certificate authority that signed every certificate below (trust this one).' },
  { role: 'server', certificate: 'server.pem', key: 'server-key.pem', description: 'Members\' client port (https), for 127.0.0.1 and localhost.' },
  { role: 'peer', certificate: 'peer.pem', key: 'peer-key.pem', description: 'Members\' peer port: served and presented between members.' },
  { role: 'client', certificate: 'client.pem', key: 'client-key.pem', description: `Client certificate (CN ${clientCommonName}) for Cairn, etcdctl and other tools.` },
] as const;

type Role = (typeof certificates)[number]['role'];
const uses: Record<Exclude<Role, 'ca'>, { commonName: string; use: CertificateUse; hosts: readonly string[] }> = {
  server: { commonName: 'cairn-local-member', use: 'server-and-client', hosts: localHosts },
  peer: { commonName: 'cairn-local-peer', use: 'server-and-client', hosts: localHosts },
  client: { commonName: clientCommonName, use: 'client', hosts: [] },
};

/** The local cluster's TLS material and setting. */
export class LocalTls implements LocalTlsSource {
  private settings: Settings | undefined;
  private material: ClientTlsMaterial | undefined;

  /** The TLS of the local cluster whose files live in `directory`. */
  constructor(readonly directory: string, private readonly now: () => Date = () => new Date()) {
    const raw = readJsonFile(this.file('settings.json'));
    if (raw !== undefined) {
      const checked = settingsCheck(raw, 'settings.json');
      if (!checked.ok) throw new Error(`the local cluster's TLS settings are damaged: ${checked.error}`);
      this.settings = checked.value;
    }
  }

  enabled(): boolean {
    return this.settings?.enabled === true;
  }

  async enable(): Promise<boolean> {
    const problem = this.problem();
    if (problem !== undefined) await this.generate();
    this.save(true);
    return problem !== undefined;
  }

  disable(): void {
    if (this.settings) this.save(false);
  }

  files(): MemberTlsFiles {
    return {
      caFile: this.file('ca.pem'),
      serverCertificateFile: this.file('server.pem'),
      serverKeyFile: this.file('server-key.pem'),
      peerCertificateFile: this.file('peer.pem'),
      peerKeyFile: this.file('peer-key.pem'),
      clientCertificateFile: this.file('client.pem'),
      clientKeyFile: this.file('client-key.pem'),
    };
  }

  clientMaterial(): ClientTlsMaterial {
    this.material ??= {
      caPem: fs.readFileSync(this.file('ca.pem'), 'utf8'),
      certPem: fs.readFileSync(this.file('client.pem'), 'utf8'),
      keyPem: fs.readFileSync(this.file('client-key.pem'), 'utf8'),
    };
    return this.material;
  }

  /** What the GUI shows: on or off, where the files are, and when they expire. */
  state(): LocalTlsState {
    const present = this.problem() === undefined;
    const files: LocalTlsFile[] = present ? certificates.flatMap((entry) => [
      { role: entry.role, kind: 'certificate' as const, path: this.file(entry.certificate), description: entry.description },
      { role: entry.role, kind: 'private-key' as const, path: this.file(entry.key), description: 'Private key (readable only by you).' },
    ]) : [];
    const expiresAt = present ? new Date(Math.min(...certificates.map((entry) => Date.parse(this.certificate(entry.certificate).validTo)))).toISOString() : null;
    return {
      enabled: this.enabled(), directory: this.directory, files, expiresAt,
      generatedAt: present ? this.settings?.generatedAt ?? null : null, clientCommonName, hosts: [...localHosts],
    };
  }

  /** Why the files on disk cannot be used as they are, or undefined when they can. */
  private problem(): string | undefined {
    try {
      const ca = this.certificate('ca.pem');
      for (const entry of certificates) {
        const certificate = this.certificate(entry.certificate);
        if (!certificate.checkPrivateKey(createPrivateKey(fs.readFileSync(this.file(entry.key))))) return `${entry.key} does not match ${entry.certificate}`;
        if (!certificate.verify(ca.publicKey)) return `${entry.certificate} was not signed by ca.pem`;
        if (Date.parse(certificate.validTo) - this.now().getTime() < renewWithinDays * 24 * 60 * 60 * 1000) return `${entry.certificate} expires soon`;
      }
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }

  private async generate(): Promise<void> {
    const now = this.now();
    fs.mkdirSync(this.directory, { recursive: true, mode: 0o700 });
    fs.chmodSync(this.directory, 0o700);
    const authority = await createCertificateAuthority('Cairn local cluster CA', caValidityDays, now);
    this.write('ca', authority);
    for (const role of ['server', 'peer', 'client'] as const) {
      this.write(role, await issueCertificate(authority, { ...uses[role], days: leafValidityDays }, now));
    }
    this.material = undefined;
    this.settings = { version: 1, enabled: this.enabled(), generatedAt: now.toISOString() };
  }

  private write(role: Role, pair: { certificatePem: string; keyPem: string }): void {
    const entry = certificates.find((candidate) => candidate.role === role)!;
    // Keys are written through writeFileAtomic (mode 0600 from the first byte: never readable by others, not even
    // for a moment); certificates are public.
    writeFileAtomic(this.file(entry.key), pair.keyPem);
    writeFileAtomic(this.file(entry.certificate), pair.certificatePem);
    fs.chmodSync(this.file(entry.certificate), 0o644);
  }

  private save(enabled: boolean): void {
    this.settings = { version: 1, enabled, generatedAt: this.settings?.generatedAt ?? this.now().toISOString() };
    writeFileAtomic(this.file('settings.json'), `${JSON.stringify(this.settings, null, 2)}\n`);
  }

  private certificate(name: string): X509Certificate {
    return new X509Certificate(fs.readFileSync(this.file(name)));
  }

  private file(name: string): string {
    return path.join(this.directory, name);
  }
}
