// Raft snapshot files, as etcd's snap package keeps them: `<term>-<index>.snap` (16 hex digits each) in the snap
// directory, each holding the snapshot's metadata and data and naming the backend copy saved beside it as
// `<term>-<index>.snap.db`. Loading takes the newest record that verifies; a record that does not is renamed
// to `.broken` (kept for inspection, never read again) and the next older one is tried. Only the newest
// `keep` snapshots are kept.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { assert, AssertionError } from '../../common/assert.ts';
import { snapshotFilesKeptDefault } from '../../common/limits.ts';
import type { Snapshot } from '../../raft/types.ts';
import { fsyncDirectory, fsyncFile, writeFileDurably } from '../durable-files.ts';
import { decodeSnapshotRecord, encodeSnapshotRecord, type SnapshotRecord } from './snapshot-record.ts';

export type { SnapshotRecord } from './snapshot-record.ts';

/** A snapshot's place in the log, as the WAL's snapshot marks record it. */
export interface SnapshotPosition {
  index: number;
  term: number;
}

/** Options of a Snapshotter. */
export interface SnapshotterOptions {
  /** How many snapshots to keep (default: limits.snapshotFilesKeptDefault). */
  keep?: number;
  /** Called with a message for every broken snapshot file that was set aside. */
  onBroken?: (message: string) => void;
}

const recordPattern = /^([0-9a-f]{16})-([0-9a-f]{16})\.snap$/;
const backendSuffix = '.db';
const brokenSuffix = '.broken';

/** The file name of the backend copy saved with the snapshot record at `term` and `index`. */
export function snapshotBackendFileName(term: number, index: number): string {
  return snapshotFileName(term, index) + backendSuffix;
}

/** The file name of the snapshot record at `term` and `index`. */
export function snapshotFileName(term: number, index: number): string {
  return `${term.toString(16).padStart(16, '0')}-${index.toString(16).padStart(16, '0')}.snap`;
}

/** Saves, loads and prunes the Raft snapshots of one member. */
export class Snapshotter {
  private readonly keep: number;
  private readonly onBroken: (message: string) => void;

  constructor(
    readonly directory: string,
    options: SnapshotterOptions = {},
  ) {
    this.keep = options.keep ?? snapshotFilesKeptDefault;
    assert(Number.isInteger(this.keep) && this.keep >= 1, 'snapshot: keep must be at least 1');
    this.onBroken = options.onBroken ?? (() => {});
  }

  /**
   * Saves `snapshot` durably, moving the backend copy in `backendCopyFile` (if given) into the snap directory,
   * then removes the snapshots beyond the newest `keep`. The copy is moved, not copied: the caller's file is
   * gone afterwards. Returns the record written.
   */
  async save(snapshot: Snapshot, backendCopyFile?: string): Promise<SnapshotRecord> {
    const { index, term } = snapshot.metadata;
    if (!(Number.isSafeInteger(index) && index > 0 && Number.isSafeInteger(term) && term >= 0)) throw new AssertionError(`snapshot: bad index ${index} or term ${term}`);
    await fs.promises.mkdir(this.directory, { recursive: true });
    const name = snapshotFileName(term, index);
    let record: SnapshotRecord = { snapshot, backendFile: '', backendSizeBytes: 0, backendSha256: new Uint8Array(32) };
    if (backendCopyFile !== undefined) {
      const backendFile = name + backendSuffix;
      const target = path.join(this.directory, backendFile);
      await moveFile(backendCopyFile, target);
      const { sizeBytes, sha256 } = await digestFile(target);
      record = { ...record, backendFile, backendSizeBytes: sizeBytes, backendSha256: sha256 };
    }
    // Check the bytes right before writing them: they must decode to what we meant to write.
    const bytes = encodeSnapshotRecord(record);
    assert(decodeSnapshotRecord(bytes).snapshot.metadata.index === index, 'snapshot: record does not round-trip');
    await writeFileDurably(path.join(this.directory, name), bytes);
    await this.prune();
    return record;
  }

  /**
   * The newest snapshot that verifies (and, when `acceptable` is given, whose index and term are among those
   * positions: the WAL's snapshot marks), or undefined when there is none. Broken records are set aside.
   */
  async loadNewest(acceptable?: readonly SnapshotPosition[]): Promise<SnapshotRecord | undefined> {
    for (const name of await this.recordNames()) {
      const position = parseName(name)!;
      if (acceptable && !acceptable.some((mark) => mark.index === position.index && mark.term === position.term)) continue;
      const record = await this.readRecord(name);
      if (record) return record;
    }
    return undefined;
  }

  /** The path of the backend copy a record names (undefined when it has none). */
  backendFilePath(record: SnapshotRecord): string | undefined {
    return record.backendFile === '' ? undefined : path.join(this.directory, record.backendFile);
  }

  /** Reads the whole backend copy and checks its size and SHA-256 against the record; throws on a mismatch. */
  async verifyBackendCopy(record: SnapshotRecord): Promise<void> {
    const file = this.backendFilePath(record);
    if (!file) return;
    const { sizeBytes, sha256 } = await digestFile(file);
    if (sizeBytes !== record.backendSizeBytes || !Buffer.from(sha256).equals(record.backendSha256)) {
      throw new Error(`snapshot: backend copy ${file} does not match its record (${sizeBytes} bytes, expected ${record.backendSizeBytes})`);
    }
  }

  /** Record file names, newest (highest term, then index) first. */
  private async recordNames(): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.promises.readdir(this.directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    // Fixed-width hex names sort like the numbers they encode.
    return names.filter((name) => recordPattern.test(name)).sort().reverse();
  }

  /** Reads and checks one record; a broken one is renamed to `.broken` and yields undefined. */
  private async readRecord(name: string): Promise<SnapshotRecord | undefined> {
    const file = path.join(this.directory, name);
    try {
      const record = decodeSnapshotRecord(await fs.promises.readFile(file));
      const position = parseName(name)!;
      const { index, term } = record.snapshot.metadata;
      if (index !== position.index || term !== position.term) throw new Error(`record holds term ${term}, index ${index}; the name disagrees`);
      const backend = this.backendFilePath(record);
      if (backend) {
        const stats = await fs.promises.stat(backend).catch(() => undefined);
        if (!stats) throw new Error(`backend copy ${record.backendFile} is missing`);
        if (stats.size !== record.backendSizeBytes) throw new Error(`backend copy ${record.backendFile} is ${stats.size} bytes, expected ${record.backendSizeBytes}`);
      }
      return record;
    } catch (error) {
      await fs.promises.rename(file, file + brokenSuffix);
      await fsyncDirectory(this.directory);
      this.onBroken(`snapshot: ${file} is broken (${(error as Error).message}); renamed to ${name}${brokenSuffix}`);
      return undefined;
    }
  }

  /** Removes records beyond the newest `keep`, their backend copies, and copies no record names. */
  private async prune(): Promise<void> {
    const names = await this.recordNames();
    for (const name of names.slice(this.keep)) {
      await fs.promises.rm(path.join(this.directory, name), { force: true });
      await fs.promises.rm(path.join(this.directory, name + backendSuffix), { force: true });
    }
    const kept = new Set(names.slice(0, this.keep));
    for (const name of await fs.promises.readdir(this.directory)) {
      const orphanCopy = name.endsWith(`.snap${backendSuffix}`) && !kept.has(name.slice(0, -backendSuffix.length));
      const leftover = name.endsWith('.snap.tmp');
      if (orphanCopy || leftover) await fs.promises.rm(path.join(this.directory, name), { force: true });
    }
    await fsyncDirectory(this.directory);
  }
}

function parseName(name: string): SnapshotPosition | undefined {
  const match = recordPattern.exec(name);
  if (!match) return undefined;
  return { term: Number.parseInt(match[1]!, 16), index: Number.parseInt(match[2]!, 16) };
}

/** Moves `from` to `to` durably; across file systems, copies then removes. */
async function moveFile(from: string, to: string): Promise<void> {
  try {
    await fs.promises.rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await fs.promises.copyFile(from, to);
    await fs.promises.rm(from);
  }
  await fsyncFile(to);
  await fsyncDirectory(path.dirname(to));
}

/** Size and SHA-256 of a file, streamed. */
async function digestFile(file: string): Promise<{ sizeBytes: number; sha256: Uint8Array }> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer);
    sizeBytes += (chunk as Buffer).length;
  }
  return { sizeBytes, sha256: hash.digest() };
}
