// Importing a snapshot file the user picked into the library, so it can be restored like one Cairn took. The
// renderer reads the file (an <input type=file> works in browser mode too, where main cannot open a dialog) and
// sends it in order, one bounded chunk per call. The file is checked as `cairn-util snapshot restore` checks it
// before anything is restored: the size must say a sha256 trailer is there (etcd's rule), the first page must be
// a Cairn (lmdb) or etcd (bbolt) database, the trailer must match the bytes before it; then `cairn-util snapshot
// status` reads the whole database and gives the revision the library lists. A refused or abandoned import leaves
// no file behind.
import { createHash, randomUUID, type Hash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SnapshotImportArgs, SnapshotInfo } from '../../common/contract.ts';
import { explainUtilError } from './local-restore.ts';
import { importedConnectionName, type SnapshotLibrary } from './snapshot-library.ts';
import { runUtil, utilErrorText, type UtilCommand } from './util-command.ts';

/** Bytes of the sha256 trailer etcd appends to a snapshot. */
const trailerBytes = 32;
/** Bytes of the first page that name the database (the magic sits at offset 16 or 24). */
const headBytes = 64;
/** Imports running at once; a renderer bug cannot open files without bound. */
const importsMax = 4;
/** An import that receives no chunk for this long is abandoned and its file deleted, in milliseconds. */
const importIdleMs = 60_000;
/** Suffix of a file being received (distinct from a download's `.part`, so a clean-up never touches one). */
const partSuffix = '.import-part';

/**
 * The magic numbers of the two databases a snapshot can hold, as engine/util/snapshot-file.ts reads them: LMDB's
 * MDB_MAGIC after the first page header (24 bytes in lmdb-js's LMDB 1.0 layout, 16 in classic LMDB) and bbolt's
 * magic at 16. Repeated here because electron/main does not import engine/util; cairn-util checks again anyway.
 */
const lmdbMagic = 0xbeefc0de;
const bboltMagic = 0xed0cdaed;

/** A refused import, in plain words, with the underlying reason for the curious. */
export class SnapshotImportError extends Error {
  override name = 'SnapshotImportError';

  constructor(
    message: string,
    readonly code: 'invalid-argument' | 'not-found' | 'busy',
    readonly detail?: string,
  ) {
    super(message);
  }
}

interface RunningImport {
  operationId: string;
  /** The library id the file gets. */
  id: string;
  fileName: string;
  sizeBytes: number;
  received: number;
  part: string;
  handle: fs.promises.FileHandle;
  /** sha256 of the database part (everything before the trailer). */
  body: Hash;
  /** sha256 of the whole file (what the library lists). */
  whole: Hash;
  trailer: Buffer[];
  idle: NodeJS.Timeout;
}

/** Whether the first bytes of a file are a Cairn or an etcd database. */
function isDatabase(head: Uint8Array): boolean {
  const bytes = Buffer.from(head.buffer, head.byteOffset, head.length);
  const u32At = (offset: number): number | undefined => (bytes.length >= offset + 4 ? bytes.readUInt32LE(offset) : undefined);
  return u32At(24) === lmdbMagic || u32At(16) === lmdbMagic || u32At(16) === bboltMagic;
}

/** Go's %v of a byte slice, as etcd's (and cairn-util's) hash mismatch message prints it. */
function goBytes(bytes: Uint8Array): string {
  return `[${Array.from(bytes).join(' ')}]`;
}

/** A file name safe to show: its last path segment, without control characters. */
function displayName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return cleaned === '' ? 'imported snapshot' : cleaned;
}

/** The imports in progress, keyed by the renderer's operation id. */
export class SnapshotImports {
  private readonly running = new Map<string, RunningImport>();

  /** Imports into `library`, reading each finished file with `util` (cairn-util). */
  constructor(
    private readonly library: SnapshotLibrary,
    private readonly util: UtilCommand,
  ) {}

  /** Takes one chunk; resolves null until the last one, then the checked library entry. */
  async receive(args: SnapshotImportArgs): Promise<SnapshotInfo | null> {
    const current = args.offset === 0 ? await this.begin(args) : this.running.get(args.operationId);
    if (!current) throw new SnapshotImportError('This import is no longer running (it waited too long for the next part, or failed). Pick the file again.', 'not-found');
    try {
      if (args.offset !== current.received || args.sizeBytes !== current.sizeBytes) {
        throw new SnapshotImportError('The parts of the file arrived out of order. Nothing was imported; pick the file again.', 'invalid-argument',
          `expected offset ${current.received} of ${current.sizeBytes} bytes, got offset ${args.offset} of ${args.sizeBytes}`);
      }
      if (args.offset + args.chunk.length > current.sizeBytes) {
        throw new SnapshotImportError('The file is longer than its announced size (it changed while it was read). Nothing was imported.', 'invalid-argument');
      }
      await this.write(current, args.chunk);
      if (current.received < current.sizeBytes) return null;
      return await this.finish(current);
    } catch (error) {
      await this.discard(current);
      throw error;
    }
  }

  /** Abandons every import in progress and deletes its partial file (the app is closing). */
  async dispose(): Promise<void> {
    await Promise.all([...this.running.values()].map((each) => this.discard(each)));
  }

  /** How many imports are receiving parts. */
  get size(): number {
    return this.running.size;
  }

  private async begin(args: SnapshotImportArgs): Promise<RunningImport> {
    if (this.running.has(args.operationId)) throw new SnapshotImportError('An import with this id is already running.', 'invalid-argument');
    if (this.running.size >= importsMax) throw new SnapshotImportError(`Cairn is already importing ${importsMax} files; wait for one to finish.`, 'busy');
    // etcd's rule (snapshot.hasChecksum): a database is whole 512-byte pages, so exactly 32 bytes more is the trailer.
    if (args.sizeBytes % 512 !== trailerBytes || args.sizeBytes <= trailerBytes) {
      throw new SnapshotImportError(explainUtilError('snapshot missing hash but --skip-hash-check=false'), 'invalid-argument', 'snapshot missing hash but --skip-hash-check=false');
    }
    const head = args.chunk.subarray(0, headBytes);
    if (head.length < Math.min(headBytes, args.sizeBytes) || !isDatabase(head)) {
      throw new SnapshotImportError(explainUtilError('is not a snapshot file'), 'invalid-argument',
        `${displayName(args.fileName)} is not a snapshot file: it holds neither a Cairn (lmdb) nor an etcd (bbolt) database`);
    }
    this.removeAbandonedParts();
    const id = `imported-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
    const part = `${this.library.fileFor(id)}${partSuffix}`;
    const handle = await fs.promises.open(part, 'wx', 0o600);
    const running: RunningImport = {
      operationId: args.operationId, id, fileName: displayName(args.fileName), sizeBytes: args.sizeBytes, received: 0, part, handle,
      body: createHash('sha256'), whole: createHash('sha256'), trailer: [], idle: this.idleTimer(args.operationId),
    };
    this.running.set(args.operationId, running);
    return running;
  }

  private idleTimer(operationId: string): NodeJS.Timeout {
    const timer = setTimeout(() => {
      const current = this.running.get(operationId);
      if (current) void this.discard(current);
    }, importIdleMs);
    // An abandoned import must never keep the app (or a test) alive.
    timer.unref();
    return timer;
  }

  private async write(current: RunningImport, chunk: Uint8Array): Promise<void> {
    clearTimeout(current.idle);
    const databaseBytes = current.sizeBytes - trailerBytes;
    const split = Math.max(0, Math.min(chunk.length, databaseBytes - current.received));
    current.body.update(chunk.subarray(0, split));
    if (split < chunk.length) current.trailer.push(Buffer.from(chunk.subarray(split)));
    current.whole.update(chunk);
    await current.handle.write(chunk, 0, chunk.length, current.received);
    current.received += chunk.length;
    current.idle = this.idleTimer(current.operationId);
  }

  private async finish(current: RunningImport): Promise<SnapshotInfo> {
    clearTimeout(current.idle);
    await current.handle.sync();
    await current.handle.close();
    const expected = Buffer.concat(current.trailer);
    const actual = current.body.digest();
    if (!actual.equals(expected)) {
      const detail = `expected sha256 ${goBytes(expected)}, got ${goBytes(actual)}`;
      throw new SnapshotImportError(explainUtilError(detail), 'invalid-argument', detail);
    }
    // The whole database read by the tool that will restore it: a truncated or garbled file fails here.
    const status = await runUtil(this.util, ['snapshot', 'status', current.part, '-w', 'json']);
    if (status.code !== 0) {
      const text = utilErrorText(status);
      throw new SnapshotImportError(explainUtilError(text), 'invalid-argument', text);
    }
    const revision = Number((JSON.parse(status.stdout) as { revision?: unknown }).revision);
    if (!Number.isSafeInteger(revision) || revision < 0) throw new SnapshotImportError('cairn-util could not read the snapshot\'s revision. Nothing was imported.', 'invalid-argument', status.stdout);
    const file = this.library.fileFor(current.id);
    fs.renameSync(current.part, file);
    // The file records its revision (read above) but not when it was taken: the import time orders the library
    // and is shown as such, never as the time it was taken.
    const importedAt = new Date().toISOString();
    const info: SnapshotInfo = {
      id: current.id, fileName: current.fileName, path: file, sizeBytes: current.sizeBytes, revision, sha256: current.whole.digest('hex'),
      takenAt: importedAt, importedAt, connectionName: importedConnectionName, inLibrary: true,
    };
    this.library.add(info);
    this.forget(current);
    return info;
  }

  private forget(current: RunningImport): void {
    if (this.running.get(current.operationId) === current) this.running.delete(current.operationId);
  }

  private async discard(current: RunningImport): Promise<void> {
    clearTimeout(current.idle);
    this.forget(current);
    await current.handle.close().catch(() => undefined);
    await fs.promises.rm(current.part, { force: true });
  }

  /** Deletes files of imports no longer running (a crash or quit in the middle of one). */
  private removeAbandonedParts(): void {
    const active = new Set([...this.running.values()].map((each) => path.basename(each.part)));
    let names: string[];
    try {
      names = fs.readdirSync(this.library.directory);
    } catch {
      return;
    }
    for (const name of names) if (name.endsWith(partSuffix) && !active.has(name)) fs.rmSync(path.join(this.library.directory, name), { force: true });
  }
}
