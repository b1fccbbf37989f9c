// A snapshot file as `etcdctl snapshot save` writes it from Maintenance.Snapshot: the backend's data file, then
// (normally) the sha256 of those bytes. etcd tells the two apart by size alone: a backend file is a whole number
// of 512-byte blocks, so a remainder of exactly 32 bytes means a trailer is there. The backend is a Cairn engine's
// lmdb file or a real etcd's bbolt file; both put a magic number right after the first page's header.
import { createHash } from 'node:crypto';
import fs from 'node:fs';

/** Bytes of the sha256 trailer. */
export const sha256TrailerBytes = 32;

/**
 * LMDB's MDB_MAGIC and bbolt's magic, little-endian u32s right after the first page's header: 16 bytes in bbolt
 * and classic LMDB, 24 in the LMDB 1.0 layout lmdb-js builds (its page header adds a transaction ID).
 */
const lmdbMagic = 0xbeefc0de;
const lmdbMagicOffsets = [24, 16];
const bboltMagic = 0xed0cdaed;
const bboltMagicOffset = 16;

/** Which database a snapshot holds. */
export type SnapshotFormat = 'lmdb' | 'bbolt' | 'unknown';

/** What the start and size of a snapshot file say about it. */
export interface SnapshotFileInfo {
  path: string;
  sizeBytes: number;
  /** Whether the file ends with a sha256 trailer (etcd's rule: size % 512 === 32). */
  hasHash: boolean;
  /** Bytes of the backend, without the trailer. */
  databaseBytes: number;
  format: SnapshotFormat;
}

/** Whether a file of `sizeBytes` carries a sha256 trailer, by etcd's rule (snapshot.hasChecksum). */
export function hasChecksum(sizeBytes: number): boolean {
  return sizeBytes % 512 === sha256TrailerBytes;
}

/** The format named by the first bytes of a database file. */
export function detectFormat(head: Uint8Array): SnapshotFormat {
  const bytes = Buffer.from(head.buffer, head.byteOffset, head.length);
  const u32At = (offset: number) => (bytes.length >= offset + 4 ? bytes.readUInt32LE(offset) : undefined);
  if (lmdbMagicOffsets.some((offset) => u32At(offset) === lmdbMagic)) return 'lmdb';
  if (u32At(bboltMagicOffset) === bboltMagic) return 'bbolt';
  return 'unknown';
}

/** Reads the size and first page of `file` (throws Node's error, such as ENOENT, when it cannot be read). */
export function inspectSnapshotFile(file: string): SnapshotFileInfo {
  const sizeBytes = fs.statSync(file).size;
  const head = Buffer.alloc(64);
  const fd = fs.openSync(file, 'r');
  let read = 0;
  try {
    read = fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  const hasHash = hasChecksum(sizeBytes);
  return { path: file, sizeBytes, hasHash, databaseBytes: hasHash ? sizeBytes - sha256TrailerBytes : sizeBytes, format: detectFormat(head.subarray(0, read)) };
}

/** How to copy the backend out of a snapshot file. */
export interface CopyDatabaseOptions {
  /** Do not compare the sha256 trailer (etcd's --skip-hash-check). */
  skipHashCheck: boolean;
  /** Called as bytes are copied. */
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

/** A snapshot refused before anything was restored; the message is etcd's where etcd has one. */
export class SnapshotFileError extends Error {
  override name = 'SnapshotFileError';
}

/** Go's %v of a byte slice ("[1 2 3]"), which etcd's hash mismatch message uses. */
function goBytes(bytes: Uint8Array): string {
  return `[${Array.from(bytes).join(' ')}]`;
}

/**
 * Copies the backend part of the snapshot `info` describes into `target` (created, fsynced), checking the sha256
 * trailer on the way unless told to skip it, as etcd's restore does. On a mismatch `target` is removed and a
 * SnapshotFileError says what was expected.
 */
export async function copyDatabase(info: SnapshotFileInfo, target: string, options: CopyDatabaseOptions): Promise<void> {
  if (!info.hasHash && !options.skipHashCheck) throw new SnapshotFileError('snapshot missing hash but --skip-hash-check=false');
  const digest = createHash('sha256');
  const input = await fs.promises.open(info.path, 'r');
  const output = await fs.promises.open(target, 'wx', 0o600);
  let trailer = Buffer.alloc(0);
  try {
    const chunk = Buffer.allocUnsafe(1024 * 1024);
    let position = 0;
    while (position < info.databaseBytes) {
      const { bytesRead } = await input.read(chunk, 0, Math.min(chunk.length, info.databaseBytes - position), position);
      if (bytesRead === 0) throw new SnapshotFileError(`snapshot ${info.path} ended at ${position} of ${info.databaseBytes} bytes while it was read`);
      const bytes = chunk.subarray(0, bytesRead);
      digest.update(bytes);
      await output.write(bytes, 0, bytes.length);
      position += bytesRead;
      options.onProgress?.(position, info.databaseBytes);
    }
    if (info.hasHash) {
      trailer = Buffer.alloc(sha256TrailerBytes);
      await input.read(trailer, 0, sha256TrailerBytes, info.databaseBytes);
    }
    await output.sync();
  } catch (error) {
    await output.close();
    await fs.promises.rm(target, { force: true });
    throw error;
  } finally {
    await input.close();
  }
  await output.close();
  if (info.hasHash && !options.skipHashCheck) {
    const actual = digest.digest();
    if (!actual.equals(trailer)) {
      await fs.promises.rm(target, { force: true });
      throw new SnapshotFileError(`expected sha256 ${goBytes(trailer)}, got ${goBytes(actual)}`);
    }
  }
}
