// The restored backend's own records made to fit the new cluster, as etcd's restore does: the old membership is
// dropped (the 'members' and 'membersRemoved' buckets; the new members are written as a bootstrapping cluster's
// AddNode entries would write them, before they publish names and client URLs), the cluster ID is the new
// cluster's, and the consistent index is the restored Raft log's last index, so the members apply nothing twice
// and start from the snapshot. Keys, revisions, compaction marks, leases, auth and alarms are kept as they were:
// etcd keeps them too (its restore opens the lessor with an infinite minimum TTL so that no lease expires while it
// works; our backend rewrite never runs a lessor at all). Lease TTLs start again when the new cluster elects a
// leader, as after any leader change.
import { LmdbBackend } from '../storage/backend/lmdb-backend.ts';
import type { WriteTx } from '../storage/backend/backend.ts';
import { readConsistentIndex, writeConsistentIndex } from '../mvcc/meta.ts';
import { Membership } from '../server/membership.ts';
import type { RestorePlan } from './restore-plan.ts';

/** The Raft position a restored member starts from: its snapshot is at this index, in term 1. */
export function restoredIndex(plan: Pick<RestorePlan, 'members'>): number {
  // etcd's restore writes one AddNode entry per member and commits them: the snapshot sits at the last one.
  return plan.members.length;
}

function clearBucket(tx: WriteTx, bucket: 'members' | 'membersRemoved'): number {
  const keys = [...tx.range(bucket, new Uint8Array(0))].map((entry) => entry.key);
  for (const key of keys) tx.delete(bucket, key);
  return keys.length;
}

/** What the rewrite changed, for the log. */
export interface BackendRewrite {
  previousConsistentIndex: number;
  previousMembers: number;
}

/** Opens the backend in `directory` (a restored copy), gives it the new membership and index, syncs and closes. */
export async function rewriteRestoredBackend(directory: string, plan: RestorePlan): Promise<BackendRewrite> {
  const backend = LmdbBackend.open(directory);
  try {
    const rewrite = backend.write((tx): BackendRewrite => {
      const previousConsistentIndex = readConsistentIndex(tx);
      const previousMembers = clearBucket(tx, 'members');
      clearBucket(tx, 'membersRemoved');
      for (const member of plan.members) Membership.save(tx, { id: member.id, name: '', peerUrls: member.peerUrls, clientUrls: [], isLearner: false });
      Membership.saveClusterId(tx, plan.clusterId);
      writeConsistentIndex(tx, restoredIndex(plan));
      return { previousConsistentIndex, previousMembers };
    });
    await backend.sync();
    return rewrite;
  } finally {
    await backend.close();
  }
}
