// A real etcd's snapshot (a bbolt file) imported into a new Cairn backend. The buckets that hold the cluster's
// data use etcd's own keys and encodings in both (mvccpb.KeyValue under 17-byte revisions, leasepb.Lease, authpb
// users and roles, the auth flags, the consistent index and compaction marks), so they are copied byte for byte
// and HashKV agrees with the etcd the snapshot came from. Membership ('members', 'members_removed', 'cluster') is
// replaced by the restore anyway, and etcd's own records Cairn has no use for (its storage version, term and
// confState in 'meta', alarms encoded as alarmpb) are left out and counted in the log.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Logger } from '../common/logger.ts';
import { LmdbBackend } from '../storage/backend/lmdb-backend.ts';
import type { BucketName } from '../storage/backend/backend.ts';
import { BboltReader, type BboltEntry } from './bbolt-reader.ts';
import { SnapshotFileError, type SnapshotFileInfo } from './snapshot-file.ts';

/** etcd's bucket -> ours, for the buckets copied whole. */
const copiedBuckets: ReadonlyArray<[string, BucketName]> = [
  ['key', 'key'],
  ['lease', 'lease'],
  ['auth', 'auth'],
  ['authUsers', 'authUsers'],
  ['authRoles', 'authRoles'],
];

/** The 'meta' records both stores keep under the same names and encodings. */
const copiedMetaKeys = new Set(['consistent_index', 'scheduledCompactRev', 'finishedCompactRev']);

/** Writes per backend transaction while importing (bounded memory in the write buffer). */
const importBatchEntries = 5_000;

/** How to import. */
export interface BboltImportOptions {
  skipHashCheck: boolean;
}

async function verifyTrailer(info: SnapshotFileInfo, skipHashCheck: boolean): Promise<void> {
  if (!info.hasHash && !skipHashCheck) throw new SnapshotFileError('snapshot missing hash but --skip-hash-check=false');
  if (!info.hasHash || skipHashCheck) return;
  const digest = createHash('sha256');
  for await (const chunk of fs.createReadStream(info.path, { start: 0, end: info.databaseBytes - 1 })) digest.update(chunk as Buffer);
  const trailer = Buffer.alloc(32);
  const handle = await fs.promises.open(info.path, 'r');
  try {
    await handle.read(trailer, 0, 32, info.databaseBytes);
  } finally {
    await handle.close();
  }
  const actual = digest.digest();
  if (!actual.equals(trailer)) throw new SnapshotFileError(`expected sha256 [${[...trailer].join(' ')}], got [${[...actual].join(' ')}]`);
}

/** Imports the bbolt snapshot `info` into a new backend in `directory` (which must hold none); syncs and closes it. */
export async function importBboltSnapshot(info: SnapshotFileInfo, directory: string, options: BboltImportOptions, logger: Logger): Promise<void> {
  await verifyTrailer(info, options.skipHashCheck);
  const reader = BboltReader.open(info.path, info.databaseBytes);
  const backend = LmdbBackend.open(directory);
  try {
    const counts: Record<string, number> = {};
    let batch: Array<{ bucket: BucketName; entry: BboltEntry }> = [];
    const flush = (): void => {
      const writes = batch;
      batch = [];
      backend.write((tx) => {
        for (const { bucket, entry } of writes) tx.put(bucket, entry.key, entry.value);
      });
    };
    const add = (bucket: BucketName, entry: BboltEntry): void => {
      batch.push({ bucket, entry });
      counts[bucket] = (counts[bucket] ?? 0) + 1;
      if (batch.length >= importBatchEntries) flush();
    };
    for (const [source, target] of copiedBuckets) {
      reader.forEach(source, (entry) => {
        if (!entry.isBucket && entry.key.length > 0) add(target, entry);
      });
    }
    let skippedMeta = 0;
    reader.forEach('meta', (entry) => {
      if (!entry.isBucket && copiedMetaKeys.has(entry.key.toString('latin1'))) add('meta', entry);
      else skippedMeta++;
    });
    let skippedAlarms = 0;
    reader.forEach('alarm', () => skippedAlarms++);
    flush();
    await backend.sync();
    logger.info('imported an etcd (bbolt) snapshot', { ...counts, 'skipped-meta-records': skippedMeta, 'skipped-alarms': skippedAlarms, buckets: reader.bucketNames().map((name) => name.toString()) });
  } finally {
    reader.close();
    await backend.close();
  }
}
