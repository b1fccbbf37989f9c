// The Raft side of a restored member: a new WAL whose metadata names the member and the new cluster, and a Raft
// snapshot at the index the restored backend records, whose configuration has every new member as a voter. This
// is what etcd's restore writes (saveWALAndSnap): the members then start as a cluster that has already committed
// its bootstrap entries in term 1, and load everything else from the backend. The WAL records the snapshot mark
// and a hard state committing up to it; the bootstrap entries themselves are inside the snapshot, so they are not
// written (a mark beyond the last entry replaces the log, as a snapshot received from a leader does).
import { Wal } from '../storage/wal/wal.ts';
import { Snapshotter } from '../storage/snapshot/snapshotter.ts';
import { encodeWalMetadata } from '../server/bootstrap.ts';
import type { RestorePlan } from './restore-plan.ts';
import { restoredIndex } from './restore-backend.ts';

/** The term the restored log starts in (etcd's restore uses 1). */
export const restoredTerm = 1;

/** Writes the WAL into `walDirectory` and the snapshot record into `snapDirectory`, durably. */
export async function writeRestoredRaftLog(walDirectory: string, snapDirectory: string, plan: RestorePlan): Promise<void> {
  const index = restoredIndex(plan);
  const voters = plan.members.map((member) => member.id);
  await new Snapshotter(snapDirectory).save({
    data: new Uint8Array(),
    metadata: { index, term: restoredTerm, confState: { voters, learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } },
  });
  const wal = await Wal.create(walDirectory, encodeWalMetadata(plan.self.id, plan.clusterId));
  try {
    await wal.saveSnapshotMark({ index, term: restoredTerm });
    // No vote: the first election of the new cluster is open to every member (etcd records a vote for the first
    // member in term 1, which no election uses either, as elections start in term 2).
    await wal.save({ term: restoredTerm, vote: 0n, commit: index }, [], { sync: true });
  } finally {
    await wal.close();
  }
}
