// Every check etcd makes of a peer's certificate beyond chain verification, in etcd's order. Inbound (a peer
// dialing this member): the allowed CN / host name (VerifyPeerCertificate, during the handshake), then the SAN
// check of the connecting address (tlsListener's checkSAN, unless --experimental-peer-skip-client-san-verification),
// then the revocation list. Outbound (this member dialing a peer): the allowed CN / host name only, because etcd's
// ClientConfig carries the same VerifyPeerCertificate but neither the SAN check nor the CRL (listener-side code).
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { CertificateChecks, presentedChain, type CertificateCheckSettings } from './certificate-checks.ts';
import { peerSanRefusal, systemResolver, type SanResolver } from './peer-san-check.ts';

/** The peer side's checks: --peer-cert-allowed-cn, --peer-cert-allowed-hostname, --peer-crl-file and the SAN check. */
export interface PeerCheckSettings extends CertificateCheckSettings {
  skipClientSanVerification: boolean;
}

/** The checks of the peer port and of the member's dials to its peers. */
export class PeerCertificateChecks {
  private readonly checks: CertificateChecks;

  constructor(
    private readonly settings: PeerCheckSettings,
    private readonly resolver: SanResolver = systemResolver,
  ) {
    this.checks = new CertificateChecks(settings);
  }

  /** Whether an inbound certificate is judged at all (the SAN check is on unless skipped). */
  get inboundActive(): boolean {
    return this.checks.active || !this.settings.skipClientSanVerification;
  }

  /** Whether dialed peers' certificates are judged (an allowed CN or host name is set). */
  get dialActive(): boolean {
    return this.settings.allowedCommonNames.length > 0 || this.settings.allowedHostnames.length > 0;
  }

  /** Why an inbound peer's verified certificate is refused, or undefined. Unverified or absent certificates pass. */
  async inboundRefusal(socket: TLSSocket): Promise<string | undefined> {
    const chain = socket.authorized ? presentedChain(socket) : [];
    if (chain.length === 0) return undefined;
    const leaf = chain[0]!;
    const byName = this.checks.nameRefusal(leaf);
    if (byName !== undefined) return byName;
    if (!this.settings.skipClientSanVerification) {
      const bySan = await peerSanRefusal(leaf.raw, socket.remoteAddress ?? '', this.resolver);
      if (bySan !== undefined) return bySan;
    }
    return this.checks.revocationRefusal(chain);
  }

  /** Why the certificate of a dialed peer (verified chain, leaf) is refused, with what it carried; or undefined. */
  dialRefusal(leaf: PeerCertificate): string | undefined {
    return this.checks.nameRefusalWithDetail(leaf);
  }
}
