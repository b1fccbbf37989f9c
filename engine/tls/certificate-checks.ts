// Checks of a verified peer certificate after the TLS handshake, as etcd's listeners make them (pkg/transport):
// --peer-cert-allowed-cn / --client-cert-allowed-hostname / --peer-cert-allowed-hostname (the leaf must carry an
// allowed CN, or be valid for an allowed host name or IP: SANs only, as Go's VerifyHostname) and --client-crl-file /
// --peer-crl-file (no certificate of the presented chain may be revoked). The CRL file is read again whenever it
// changes, so an operator can revoke a certificate without restarting the member, as etcd reads it per connection.
// The allowed CN / host name also applies to the certificate of a peer the member dials: etcd's TLSInfo puts the
// same VerifyPeerCertificate in the client config (ClientConfig -> baseConfig) as in the server config.
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import type { DetailedPeerCertificate, PeerCertificate, TLSSocket } from 'node:tls';
import { x509Library } from './x509-library.ts';

/** What one side checks beyond chain verification. */
export interface CertificateCheckSettings {
  allowedCommonNames: readonly string[];
  allowedHostnames: readonly string[];
  /** A PEM or DER certificate revocation list; '' for none. */
  revocationListFile: string;
}

/** etcd's refusal when a certificate has neither an allowed CN nor an allowed host name. */
const authenticationFailed = 'client certificate authentication failed';

/** Refuses settings etcd refuses at start (etcd 3.5 takes one CN or one host name, never both). */
export function checkCertificateSettings(settings: CertificateCheckSettings): void {
  if (settings.allowedCommonNames.length > 0 && settings.allowedHostnames.length > 0) {
    const cn = JSON.stringify(settings.allowedCommonNames.join(','));
    const hostname = JSON.stringify(settings.allowedHostnames.join(','));
    throw new Error(`AllowedCN and AllowedHostname are mutually exclusive (cn=${cn}, hostname=${hostname})`);
  }
}

/** Go's big.Int.Bytes() of a serial number, as hex: lower case, no leading zero bytes. */
function serialHex(hex: string): string {
  return hex.toLowerCase().replace(/^(00)+(?=..)/, '');
}

/** The certificates a peer presented, leaf first. */
export function presentedChain(socket: TLSSocket): DetailedPeerCertificate[] {
  const chain: DetailedPeerCertificate[] = [];
  let certificate = socket.getPeerCertificate(true);
  while (certificate !== undefined && certificate.raw !== undefined && !chain.includes(certificate)) {
    chain.push(certificate);
    // A self-issued certificate points at itself; the walk stops there.
    if (certificate.issuerCertificate === certificate) break;
    certificate = certificate.issuerCertificate;
  }
  return chain;
}

function allowedByName(settings: CertificateCheckSettings, leaf: PeerCertificate): boolean {
  const commonName = leaf.subject?.CN as string | string[] | undefined;
  const names = commonName === undefined ? [] : Array.isArray(commonName) ? commonName : [commonName];
  if (settings.allowedCommonNames.length > 0 && names.some((name) => settings.allowedCommonNames.includes(name))) return true;
  const x509 = new X509Certificate(leaf.raw);
  return settings.allowedHostnames.some((host) =>
    isIP(host) !== 0 ? x509.checkIP(host) !== undefined : x509.checkHost(host, { subject: 'never', partialWildcards: false }) !== undefined,
  );
}

/** What a refused certificate says about itself and what was allowed, for the log (etcd logs only its fixed text). */
function nameRefusalDetail(settings: CertificateCheckSettings, leaf: PeerCertificate): string {
  const commonName = leaf.subject?.CN as string | string[] | undefined;
  const presented = `CN ${JSON.stringify(commonName ?? '')}, SANs ${JSON.stringify(leaf.subjectaltname ?? '')}`;
  const allowed =
    settings.allowedCommonNames.length > 0 ? `allowed CN ${settings.allowedCommonNames.join(',')}` : `allowed host name ${settings.allowedHostnames.join(',')}`;
  return `${presented}; ${allowed}`;
}

/** The checks of one side, with the revocation list cached until its file changes. */
export class CertificateChecks {
  private cached: { mtimeMs: number; size: number; revoked: Set<string> } | undefined;

  constructor(private readonly settings: CertificateCheckSettings) {
    checkCertificateSettings(settings);
  }

  /** Whether any check is configured (a listener without any skips the work). */
  get active(): boolean {
    const { allowedCommonNames, allowedHostnames, revocationListFile } = this.settings;
    return allowedCommonNames.length > 0 || allowedHostnames.length > 0 || revocationListFile !== '';
  }

  /** Why the connection's certificate is refused, or undefined when it passes. Only verified certificates are judged. */
  refusal(socket: TLSSocket): string | undefined {
    const chain = socket.authorized ? presentedChain(socket) : [];
    if (chain.length === 0) return undefined;
    return this.nameRefusal(chain[0]!) ?? this.revocationRefusal(chain);
  }

  /** The allowed CN / host name check of a verified leaf certificate (etcd's VerifyPeerCertificate). */
  nameRefusal(leaf: PeerCertificate): string | undefined {
    const { allowedCommonNames, allowedHostnames } = this.settings;
    if (allowedCommonNames.length === 0 && allowedHostnames.length === 0) return undefined;
    return allowedByName(this.settings, leaf) ? undefined : authenticationFailed;
  }

  /** `nameRefusal` with what the certificate carried and what was allowed, for a log line that names the reason. */
  nameRefusalWithDetail(leaf: PeerCertificate): string | undefined {
    const refusal = this.nameRefusal(leaf);
    return refusal === undefined ? undefined : `${refusal} (${nameRefusalDetail(this.settings, leaf)})`;
  }

  /** The revocation list check of a verified chain, leaf first. */
  revocationRefusal(chain: readonly PeerCertificate[]): string | undefined {
    const revocationListFile = this.settings.revocationListFile;
    if (revocationListFile === '' || chain.length === 0) return undefined;
    let revoked: Set<string>;
    try {
      revoked = this.revokedSerials();
    } catch (error) {
      return `cannot use the certificate revocation list ${revocationListFile}: ${(error as Error).message}`;
    }
    const hit = chain.map((certificate) => serialHex(certificate.serialNumber)).find((serial) => revoked.has(serial));
    // etcd's words: "transport: certificate serial <hex> revoked".
    return hit === undefined ? undefined : `transport: certificate serial ${hit} revoked`;
  }

  private revokedSerials(): Set<string> {
    const file = this.settings.revocationListFile;
    const stat = statSync(file);
    if (this.cached?.mtimeMs === stat.mtimeMs && this.cached.size === stat.size) return this.cached.revoked;
    const bytes = readFileSync(file);
    const text = bytes.toString('latin1');
    const { X509Crl } = x509Library();
    const crl = text.includes('-----BEGIN') ? new X509Crl(text) : new X509Crl(bytes);
    const revoked = new Set(crl.entries.map((entry) => serialHex(entry.serialNumber)));
    this.cached = { mtimeMs: stat.mtimeMs, size: stat.size, revoked };
    return revoked;
  }
}
