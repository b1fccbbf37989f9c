// `snapshot status`: etcd's figures for a snapshot file. The hash is etcd's: CRC-32C over every bucket's name
// followed by each of its keys and values, buckets and keys in byte order; the revision is the main revision of
// the last key of the 'key' bucket; total keys counts the entries of every bucket. For a real etcd's (bbolt) file
// every figure equals `etcdctl snapshot status`'s; for a Cairn (lmdb) file the buckets are Cairn's. As etcd, the
// sha256 trailer is not checked here (restore checks it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Crc32c } from '../common/crc32c.ts';
import { LmdbBackend } from '../storage/backend/lmdb-backend.ts';
import { bucketNames } from '../storage/backend/backend.ts';
import { dataFilePath } from '../storage/backend/lmdb-environment.ts';
import { BboltReader } from './bbolt-reader.ts';
import { copyDatabase, inspectSnapshotFile, SnapshotFileError, type SnapshotFileInfo } from './snapshot-file.ts';

/** etcd's snapshot.Status, with its JSON names. */
export interface SnapshotStatus {
  hash: number;
  revision: number;
  totalKey: number;
  totalSize: number;
}

/** Entries read per range call, so a large bucket never sits in memory at once. */
const statusPageEntries = 10_000;

/** The main revision of a 'key' bucket key (8 big-endian bytes first). */
function mainRevision(key: Uint8Array): number {
  return Number(Buffer.from(key.buffer, key.byteOffset, key.length).readBigUInt64BE(0));
}

/** Folds buckets into etcd's status figures; feed buckets in name order. */
class StatusAccumulator {
  private readonly crc = new Crc32c();
  private revision = 0;
  private totalKey = 0;

  bucket(name: Uint8Array): void {
    this.crc.update(name);
  }

  entry(bucket: string, key: Uint8Array, value: Uint8Array): void {
    this.crc.update(key);
    this.crc.update(value);
    if (bucket === 'key' && key.length >= 8) this.revision = mainRevision(key);
    this.totalKey++;
  }

  finish(totalSize: number): SnapshotStatus {
    return { hash: this.crc.digest(), revision: this.revision, totalKey: this.totalKey, totalSize };
  }
}

function bboltStatus(info: SnapshotFileInfo): SnapshotStatus {
  const reader = BboltReader.open(info.path, info.databaseBytes);
  try {
    const status = new StatusAccumulator();
    for (const name of reader.bucketNames()) {
      status.bucket(name);
      reader.forEach(name, (entry) => status.entry(name.toString('latin1'), entry.key, entry.value));
    }
    return status.finish(reader.usedBytes);
  } finally {
    reader.close();
  }
}

async function lmdbStatus(info: SnapshotFileInfo): Promise<SnapshotStatus> {
  // lmdb opens a database only as a whole file with a lock file beside it: work on a copy without the trailer.
  const directory = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'cairn-util-status-'));
  try {
    await copyDatabase(info, dataFilePath(directory, 0), { skipHashCheck: true });
    const backend = LmdbBackend.open(directory);
    try {
      const status = new StatusAccumulator();
      const names = [...bucketNames].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      for (const name of names) {
        status.bucket(Buffer.from(name));
        let start: Uint8Array = new Uint8Array(0);
        for (;;) {
          const page = backend.range(name, start, undefined, statusPageEntries);
          for (const entry of page) status.entry(name, entry.key, entry.value);
          if (page.length < statusPageEntries) break;
          start = Buffer.concat([page[page.length - 1]!.key, Buffer.of(0)]);
        }
      }
      return status.finish(info.databaseBytes);
    } finally {
      await backend.close();
    }
  } finally {
    await fs.promises.rm(directory, { recursive: true, force: true });
  }
}

/** The status of the snapshot in `file`. */
export async function snapshotStatus(file: string): Promise<SnapshotStatus> {
  const info = inspectSnapshotFile(file);
  if (info.format === 'bbolt') return bboltStatus(info);
  if (info.format === 'lmdb') return lmdbStatus(info);
  throw new SnapshotFileError(`${file} is not a snapshot file: it holds neither a Cairn (lmdb) nor an etcd (bbolt) database`);
}
