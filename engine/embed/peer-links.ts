// Connects a member to its peers: the peer transport on --listen-peer-urls, with the member as its host.
import path from 'node:path';
import type { Logger } from '../common/logger.ts';
import { peerMessageBytesMax } from '../common/limits.ts';
import type { EtcdServer } from '../server/etcd-server.ts';
import type { ServerMetrics } from '../server/metrics.ts';
import type { ServerConfig } from '../server/server-config.ts';
import { dataDirLayout } from '../server/data-dir.ts';
import { PeerTransport, type PeerTlsOptions } from '../transport/index.ts';
import type { MemberTls } from './member-tls.ts';

/** Starts the peer transport of `server` and attaches it; resolves once it listens. */
export async function startPeerLinks(server: EtcdServer, config: ServerConfig, metrics: ServerMetrics, logger: Logger, tls?: MemberTls): Promise<PeerTransport> {
  const peers = server.peerHost;
  const transport = new PeerTransport({
    memberId: server.memberId,
    clusterId: server.clusterId,
    listenUrls: config.peerUrls,
    tls: tls === undefined ? undefined : peerTransportTls(tls),
    // Inside the snap directory, so that a received backend is moved into place by a rename.
    snapshotDirectory: path.join(dataDirLayout(config.dataDir, config.walDir).snap, 'incoming'),
    logger: logger.child({ caller: 'rafthttp' }),
    // Every member must use the same frame limit, or a member would refuse its peers' largest appends.
    tuning: { messageBytesMax: peerMessageBytesMax(config.requestBytesMax) },
    host: {
      process: (message) => peers.stepPeerMessage(message),
      processSnapshot: (message, payloadFile) => peers.receiveSnapshot(message, payloadFile),
      snapshotPayload: (message) => peers.snapshotPayload(message),
      unreachable: (peerId) => peers.reportUnreachable(peerId),
      snapshotStatus: (peerId, ok) => peers.reportSnapshotStatus(peerId, ok),
      isRemoved: (id) => peers.isRemovedMember(id),
      members: () => peers.peerMembers(),
      removedFromCluster: () => peers.onRemovedFromCluster(),
      observeRoundTrip: (peerId, seconds) => metrics.peerRoundTripSeconds.observe({ To: peerId.toString(16) }, seconds),
    },
  });
  await transport.start();
  server.attachTransport(transport);
  exportPeerTraffic(transport, metrics);
  return transport;
}

/** The transport's TLS from the member's peer TLS: the peer certificate serves and dials; undefined without one. */
export function peerTransportTls(tls: MemberTls): PeerTlsOptions | undefined {
  const peer = tls.peer;
  if (peer === undefined) return undefined;
  return {
    cert: peer.material.cert,
    key: peer.material.key,
    ...(peer.material.ca === undefined ? {} : { ca: peer.material.ca }),
    minVersion: peer.server.minVersion,
    maxVersion: peer.server.maxVersion,
    ...(peer.server.ciphers === undefined ? {} : { ciphers: peer.server.ciphers }),
    clientCertificateAuth: peer.requireClientCertificate,
    ...peerCertificateChecks(tls),
    // --peer-client-cert-file: the certificate presented when this member dials (etcd 3.5's GetClientCertificate).
    ...(peer.clientMaterial.cert === peer.material.cert ? {} : { dialCertificate: peer.clientMaterial }),
    skipServerVerification: peer.selfSigned,
  };
}

/** The embedder's checks of inbound and dialed peers' certificates, for the transport's TLS options. */
function peerCertificateChecks(tls: MemberTls): Pick<PeerTlsOptions, 'checkCertificate' | 'checkDialedCertificate'> {
  const checks = tls.peerChecks;
  if (checks === undefined) return {};
  return {
    ...(checks.inboundActive ? { checkCertificate: (socket) => checks.inboundRefusal(socket) } : {}),
    ...(checks.dialActive ? { checkDialedCertificate: (certificate) => checks.dialRefusal(certificate) } : {}),
  };
}

/** Feeds the transport's byte counters into etcd's peer traffic counters at each scrape. */
function exportPeerTraffic(transport: PeerTransport, metrics: ServerMetrics): void {
  const reported = new Map<bigint, { sent: number; received: number }>();
  metrics.onCollect(() => {
    for (const peer of transport.peerStats()) {
      const last = reported.get(peer.id) ?? { sent: 0, received: 0 };
      const peerId = peer.id.toString(16);
      // A removed and re-added peer starts counting again from zero.
      metrics.peerSentBytes.inc({ To: peerId }, Math.max(0, peer.sentBytes - last.sent));
      metrics.peerReceivedBytes.inc({ From: peerId }, Math.max(0, peer.receivedBytes - last.received));
      reported.set(peer.id, { sent: peer.sentBytes, received: peer.receivedBytes });
    }
  });
}
