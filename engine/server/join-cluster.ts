// Joining a running cluster (--initial-cluster-state existing), as etcd does: ask the peers named in
// --initial-cluster for the cluster (GET /members on their peer URLs: the ID in a header, the members in the
// body), and find this member among them by its advertised peer URLs. The member must have been added first
// (etcdctl member add), which is where its ID comes from; its log then arrives from the leader.
import { fetchClusterFromPeers } from '../transport/index.ts';
import type { ServerConfig } from './server-config.ts';

/** One member as a member serves it on its peer port's GET /members (IDs in hex, as etcd writes them). */
export interface PeerMemberDocument {
  id: string;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
}

/** What a joining member learns from the cluster. */
export interface JoinedCluster {
  clusterId: bigint;
  memberId: bigint;
  /** Every member (this one included). */
  members: Array<{ id: bigint; name: string; peerUrls: string[] }>;
}

/** Asks the other initial members for the cluster and finds this member in it. */
export async function joinCluster(config: ServerConfig): Promise<JoinedCluster> {
  const peerUrls = config.initialCluster.filter((member) => member.name !== config.name).flatMap((member) => member.peerUrls);
  if (peerUrls.length === 0) throw new Error('--initial-cluster-state existing needs the peer URLs of running members in --initial-cluster');
  const cluster = await fetchClusterFromPeers(peerUrls, { tls: config.joinPeerTls });
  if (!Array.isArray(cluster.members)) throw new Error(`unexpected member list from ${cluster.url}`);
  const members = (cluster.members as PeerMemberDocument[]).map((member) => ({ id: BigInt(`0x${member.id}`), name: member.name, peerUrls: member.peerURLs }));
  const self = members.find((member) => member.peerUrls.some((url) => config.advertisePeerUrls.includes(url)));
  if (self === undefined) {
    throw new Error(`member with peer URLs ${config.advertisePeerUrls.join(',')} has not been added to the cluster; add it first (etcdctl member add)`);
  }
  return { clusterId: cluster.clusterId, memberId: self.id, members };
}
