// `snapshot restore`: a new member data directory from a snapshot file, as etcd's `etcdutl snapshot restore`
// makes one. Everything is built in a staging folder beside the target (same file system) and renamed into place
// at the end, so a refused or failed restore leaves nothing behind, and a finished one appears whole. Steps:
//   1. check the flags and folders (restore-plan.ts);
//   2. copy the backend out of the file, verifying its sha256 trailer (snapshot-file.ts);
//   3. give the backend the new membership and consistent index (restore-backend.ts);
//   4. write a WAL and a Raft snapshot for the new cluster (restore-raft-log.ts);
//   5. rename the staging folders into place.
// A snapshot of a real etcd is a bbolt file: its buckets are imported into a new backend (bbolt-import.ts).
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../common/logger.ts';
import { fsyncDirectory } from '../storage/durable-files.ts';
import { dataDirLayout } from '../server/data-dir.ts';
import { dataFilePath } from '../storage/backend/lmdb-environment.ts';
import { copyDatabase, inspectSnapshotFile, SnapshotFileError, type SnapshotFileInfo } from './snapshot-file.ts';
import { planRestore, type RestoreOptions, type RestorePlan } from './restore-plan.ts';
import { restoredIndex, rewriteRestoredBackend } from './restore-backend.ts';
import { writeRestoredRaftLog } from './restore-raft-log.ts';
import { importBboltSnapshot } from './bbolt-import.ts';

export type { RestoreOptions } from './restore-plan.ts';

/** What a finished restore reports. */
export interface RestoreResult {
  dataDir: string;
  walDir: string;
  memberId: bigint;
  clusterId: bigint;
  /** The Raft index the members start from (their snapshot's). */
  index: number;
}

/** Restores `options.snapshotPath` into a new data directory; throws (leaving nothing behind) when it cannot. */
export async function restoreSnapshot(options: RestoreOptions, logger: Logger): Promise<RestoreResult> {
  const plan = planRestore(options);
  const info = inspectSnapshotFile(plan.snapshotPath);
  const staging = stagingPaths(plan);
  const target = dataDirLayout(plan.dataDir, plan.walDir);
  logger.info('restoring snapshot', { path: plan.snapshotPath, 'wal-dir': target.wal, 'data-dir': plan.dataDir, 'snap-dir': target.snap, format: info.format });
  try {
    await buildStaging(info, plan, staging, logger);
    if (staging.walDir !== undefined) {
      await fs.promises.mkdir(path.dirname(target.wal), { recursive: true });
      await fs.promises.rename(staging.walDir, target.wal);
      await fsyncDirectory(path.dirname(target.wal));
    }
    await fs.promises.mkdir(path.dirname(plan.dataDir), { recursive: true });
    await fs.promises.rename(staging.dataDir, plan.dataDir);
    await fsyncDirectory(path.dirname(plan.dataDir));
  } catch (error) {
    await fs.promises.rm(staging.dataDir, { recursive: true, force: true });
    if (staging.walDir !== undefined) await fs.promises.rm(staging.walDir, { recursive: true, force: true });
    throw error;
  }
  logger.info('restored snapshot', { path: plan.snapshotPath, 'wal-dir': target.wal, 'data-dir': plan.dataDir, 'snap-dir': target.snap });
  return { dataDir: plan.dataDir, walDir: target.wal, memberId: plan.self.id, clusterId: plan.clusterId, index: restoredIndex(plan) };
}

interface StagingPaths {
  dataDir: string;
  /** Undefined when the WAL is inside the data dir. */
  walDir: string | undefined;
}

function stagingPaths(plan: RestorePlan): StagingPaths {
  const suffix = `.restoring-${process.pid}`;
  return { dataDir: plan.dataDir + suffix, walDir: plan.walDir === undefined ? undefined : plan.walDir + suffix };
}

async function buildStaging(info: SnapshotFileInfo, plan: RestorePlan, staging: StagingPaths, logger: Logger): Promise<void> {
  // A leftover of a restore killed in the middle: it was never renamed into place, so it is only ours to remove.
  await fs.promises.rm(staging.dataDir, { recursive: true, force: true });
  if (staging.walDir !== undefined) await fs.promises.rm(staging.walDir, { recursive: true, force: true });
  const layout = dataDirLayout(staging.dataDir, staging.walDir);
  await fs.promises.mkdir(layout.db, { recursive: true, mode: 0o700 });
  await fs.promises.mkdir(layout.snap, { recursive: true, mode: 0o700 });
  if (info.format === 'lmdb') {
    await copyDatabase(info, dataFilePath(layout.db, 0), { skipHashCheck: plan.skipHashCheck });
  } else if (info.format === 'bbolt') {
    await importBboltSnapshot(info, layout.db, { skipHashCheck: plan.skipHashCheck }, logger);
  } else {
    throw new SnapshotFileError(`${info.path} is not a snapshot file: it holds neither a Cairn (lmdb) nor an etcd (bbolt) database`);
  }
  const rewrite = await rewriteRestoredBackend(layout.db, plan);
  logger.info('rewrote the restored backend for the new cluster', {
    'previous-consistent-index': rewrite.previousConsistentIndex,
    'previous-members': rewrite.previousMembers,
    'new-members': plan.members.length,
    'consistent-index': restoredIndex(plan),
  });
  await writeRestoredRaftLog(layout.wal, layout.snap, plan);
}
