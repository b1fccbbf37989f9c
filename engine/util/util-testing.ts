// Test helpers of cairn-util: a Cairn snapshot file made in-process, the way a member's Maintenance.Snapshot makes
// one (a backend copy, then the sha256 of its bytes), over a backend holding keys, a lease, an old membership and
// an applied index, so a restore has everything etcd's restore treats specially.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { LmdbBackend } from '../storage/backend/lmdb-backend.ts';
import type { BucketName } from '../storage/backend/backend.ts';
import { writeConsistentIndex } from '../mvcc/meta.ts';
import { encodeRevision } from '../mvcc/revision.ts';
import { Membership } from '../server/membership.ts';

/** A backend entry of the fixture. */
export interface FixtureEntry {
  bucket: BucketName;
  key: Buffer;
  value: Buffer;
}

/** The entries the fixture backend holds besides membership and the applied index. */
export function fixtureEntries(): FixtureEntry[] {
  return [
    { bucket: 'key', key: Buffer.from(encodeRevision({ main: 2, sub: 0 })), value: Buffer.from('kv at revision 2') },
    { bucket: 'key', key: Buffer.from(encodeRevision({ main: 3, sub: 0 })), value: Buffer.from('kv at revision 3') },
    { bucket: 'lease', key: Buffer.from('0000000000000007', 'hex'), value: Buffer.from('0807103c', 'hex') },
    { bucket: 'authUsers', key: Buffer.from('root'), value: Buffer.from('user record') },
  ];
}

/** Writes a Cairn snapshot file into `directory` and returns its path; the old cluster had member id 99. */
export async function writeCairnSnapshot(directory: string): Promise<string> {
  const backendDir = path.join(directory, 'source-backend');
  const backend = LmdbBackend.open(backendDir);
  try {
    backend.write((tx) => {
      for (const entry of fixtureEntries()) tx.put(entry.bucket, entry.key, entry.value);
      Membership.save(tx, { id: 99n, name: 'old', peerUrls: ['http://10.0.0.1:2380'], clientUrls: ['http://10.0.0.1:2379'], isLearner: false });
      Membership.remove(tx, 98n);
      Membership.saveClusterId(tx, 1234n);
      writeConsistentIndex(tx, 4321);
    });
    const copy = await backend.snapshot();
    const file = path.join(directory, 'snapshot.db');
    const digest = createHash('sha256');
    const output = fs.openSync(file, 'w');
    try {
      for await (const chunk of copy.chunks()) {
        digest.update(chunk);
        fs.writeSync(output, chunk);
      }
      fs.writeSync(output, digest.digest());
    } finally {
      fs.closeSync(output);
      await copy.release();
    }
    return file;
  } finally {
    await backend.close();
  }
}

/** Flips one byte in the middle of `file` (a corrupt download or disk). */
export function corruptMiddleByte(file: string): void {
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r+');
  try {
    const byte = Buffer.alloc(1);
    const at = Math.floor(size / 2);
    fs.readSync(fd, byte, 0, 1, at);
    byte[0] = byte[0]! ^ 0xff;
    fs.writeSync(fd, byte, 0, 1, at);
  } finally {
    fs.closeSync(fd);
  }
}
