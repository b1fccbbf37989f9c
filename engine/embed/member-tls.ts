// Resolves a member's TLS from its etcd flags: the client port's and the peer port's certificates (given or
// self-signed with --auto-tls / --peer-auto-tls), checked against the schemes of the member's URLs with etcd's
// errors and warnings.
import path from 'node:path';
import type { Logger } from '../common/logger.ts';
import type { MemberTlsSettings } from '../common/tls-settings.ts';
import type { LeaderClientTls } from '../server/leader-client.ts';
import type { ServerConfig } from '../server/server-config.ts';
import { resolveSideTls, type SideTls } from '../tls/member-tls.ts';
import { hostsOfUrls } from '../tls/self-signed-certificate.ts';
import { CertificateChecks } from '../tls/certificate-checks.ts';
import { PeerCertificateChecks } from '../tls/peer-certificate-checks.ts';

/** A member's resolved TLS, per side; undefined sides are plain http. */
export interface MemberTls {
  client: SideTls | undefined;
  peer: SideTls | undefined;
  /** --client-cert-allowed-hostname and --client-crl-file, judged on every verified client certificate. */
  clientChecks: CertificateChecks | undefined;
  /**
   * --peer-cert-allowed-cn, --peer-cert-allowed-hostname, --peer-crl-file and the SAN check, judged on every inbound
   * peer; the allowed CN / host name also on every dialed peer.
   */
  peerChecks: PeerCertificateChecks | undefined;
}

const isSecure = (url: string): boolean => url.startsWith('https:') || url.startsWith('unixs:');

function checkSchemes(urls: readonly string[], side: SideTls | undefined, flags: string, kind: 'client' | 'peer', logger: Logger): void {
  for (const url of urls) {
    if (isSecure(url) && side === undefined) throw new Error(`TLS key/cert (${flags}) must be provided for ${kind} url ${url} with HTTPS scheme`);
    if (!isSecure(url) && side !== undefined) logger.warn('scheme is HTTP while key and cert files are present; ignoring key and cert files', { [`${kind}-url`]: url });
  }
}

/** Resolves both sides; throws with a message naming the flag and file of the first problem. */
export async function resolveMemberTls(config: ServerConfig & Partial<MemberTlsSettings>, logger: Logger): Promise<MemberTls> {
  if (config.clientTls === undefined || config.peerTls === undefined) return { client: undefined, peer: undefined, clientChecks: undefined, peerChecks: undefined };
  const protocol = { cipherSuites: config.cipherSuites ?? [], tlsMinVersion: config.tlsMinVersion ?? 'TLS1.2', tlsMaxVersion: config.tlsMaxVersion };
  const common = { validityYears: config.selfSignedCertificateValidityYears ?? 1, warn: (message: string) => logger.warn(message, {}) };
  const client = await resolveSideTls(config.clientTls, protocol, {
    ...common,
    flagPrefix: '',
    autoTlsDirectory: path.join(config.dataDir, 'fixtures', 'client'),
    hosts: hostsOfUrls([...config.clientUrls, ...config.advertiseClientUrls]),
  });
  const peer = await resolveSideTls(config.peerTls, protocol, {
    ...common,
    flagPrefix: 'peer-',
    autoTlsDirectory: path.join(config.dataDir, 'fixtures', 'peer'),
    hosts: hostsOfUrls([...config.peerUrls, ...config.advertisePeerUrls]),
  });
  checkSchemes(config.clientUrls, client, '--cert-file, --key-file', 'client', logger);
  checkSchemes(config.peerUrls, peer, '--peer-cert-file, --peer-key-file', 'peer', logger);
  const clientChecks = new CertificateChecks({ allowedCommonNames: [], allowedHostnames: config.clientTls.allowedHostnames, revocationListFile: config.clientTls.revocationListFile });
  const peerChecks = new PeerCertificateChecks({
    allowedCommonNames: config.peerTls.allowedCommonNames,
    allowedHostnames: config.peerTls.allowedHostnames,
    revocationListFile: config.peerTls.revocationListFile,
    skipClientSanVerification: config.peerTls.skipClientSanVerification,
  });
  // etcd's --peer-auto-tls replaces the whole peer TLSInfo with the self-signed one (embed PeerSelfCert), which
  // drops the allowed CN / host name and the CRL: nobody can verify a self-signed peer, so nothing is judged.
  const peerJudged = peer !== undefined && !peer.selfSigned && (peerChecks.inboundActive || peerChecks.dialActive);
  return { client, peer, clientChecks: clientChecks.active ? clientChecks : undefined, peerChecks: peerJudged ? peerChecks : undefined };
}

/** How this member calls a leader's https client URL: the client side of the client port's TLS. */
export function leaderClientTls(tls: MemberTls): LeaderClientTls | undefined {
  const client = tls.client;
  if (client === undefined) return undefined;
  return { ca: client.material.ca, cert: client.clientMaterial.cert, key: client.clientMaterial.key, skipVerification: client.selfSigned };
}
