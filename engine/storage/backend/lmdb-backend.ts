// The Backend over lmdb: one environment (file `data.mdb` in the backend directory), one named sub-database per
// bucket. Writes run in synchronous lmdb transactions, so they are visible to reads as soon as write() returns;
// lmdb-environment.ts explains the durability options. Defragment and snapshot use lmdb's own copy (a read
// transaction on a worker thread, so writers keep going).
import fs from 'node:fs';
import path from 'node:path';
import { assert } from '../../common/assert.ts';
import { backendKeyBytesMax } from '../../common/limits.ts';
import { fsyncDirectory, fsyncDirectorySync, fsyncFile } from '../durable-files.ts';
import { BackendCopy, copyFilePrefix, copyFileSuffix } from './backend-copy.ts';
import type { Backend, BackendEntry, BackendSize, BackendSnapshot, BucketName, WriteTx } from './backend.ts';
import { dataFilePath, inUseBytes, openEnvironment, type LmdbEnvironment } from './lmdb-environment.ts';

/** One write made inside a transaction, kept while a defragment copies the database. */
type JournaledWrite = { bucket: BucketName; key: Uint8Array; value: Uint8Array | undefined };

const defragmentFileName = 'defragment.mdb.tmp';
const restoreFileName = 'restore.mdb.tmp';

/** Directories with an open LmdbBackend in this process: lmdb must not open one environment twice. */
const openDirectories = new Set<string>();

/** The lmdb implementation of Backend. */
export class LmdbBackend implements Backend {
  private environment: LmdbEnvironment;
  private closed = false;
  private writing = false;
  /** Writes committed while a defragment copies the database, replayed onto the copy before the swap. */
  private journal: JournaledWrite[] | undefined;
  private transactionWrites: JournaledWrite[] = [];
  private defragmenting: Promise<void> | undefined;
  /** lmdb work running on other threads (syncs, copies); the environment must outlive it. */
  private readonly background = new Set<Promise<unknown>>();
  private copies = 0;
  private readonly writeTx: WriteTx;

  private constructor(private readonly directory: string) {
    this.environment = openEnvironment(directory);
    this.writeTx = {
      get: (bucket, key) => this.get(bucket, key),
      range: (bucket, start, end, limit) => this.range(bucket, start, end, limit),
      put: (bucket, key, value) => this.put(bucket, key, value),
      delete: (bucket, key) => this.remove(bucket, key),
    };
  }

  /** Opens (creating if needed) the backend in `directory`, removing copies a crash left behind. */
  static open(directory: string): LmdbBackend {
    const resolved = path.resolve(directory);
    assert(!openDirectories.has(resolved), `backend: ${resolved} is already open in this process`);
    fs.mkdirSync(resolved, { recursive: true });
    for (const name of fs.readdirSync(resolved)) {
      if (isTemporaryFile(name)) fs.rmSync(path.join(resolved, name), { force: true });
    }
    const backend = new LmdbBackend(resolved);
    openDirectories.add(resolved);
    return backend;
  }

  /**
   * Installs the backend copy in `file` (from snapshot()) as the backend of `directory`, replacing any backend
   * there (which must be closed), and opens it. The copy is left in place.
   */
  static async restoreFrom(file: string, directory: string): Promise<LmdbBackend> {
    const resolved = path.resolve(directory);
    assert(!openDirectories.has(resolved), `backend: ${resolved} is open; close it before restoring into it`);
    await fs.promises.mkdir(resolved, { recursive: true });
    const temporary = path.join(resolved, restoreFileName);
    await fs.promises.copyFile(file, temporary);
    await fsyncFile(temporary);
    // The lock file belongs to the database being replaced; lmdb recreates it.
    await fs.promises.rm(`${dataFilePath(resolved)}-lock`, { force: true });
    await fs.promises.rename(temporary, dataFilePath(resolved));
    await fsyncDirectory(resolved);
    return LmdbBackend.open(resolved);
  }

  /** The value under `key` in `bucket`, or undefined. */
  get(bucket: BucketName, key: Uint8Array): Uint8Array | undefined {
    this.checkOpen();
    if (key.length === 0) return undefined;
    return this.database(bucket).get(key);
  }

  /** Entries with start <= key < end (end undefined: to the last key), ascending, at most `limit`. */
  range(bucket: BucketName, start: Uint8Array, end?: Uint8Array, limit?: number): BackendEntry[] {
    this.checkOpen();
    assert(limit === undefined || (Number.isInteger(limit) && limit >= 0), `backend: bad range limit ${limit}`);
    if (limit === 0 || (end !== undefined && Buffer.compare(start, end) >= 0)) return [];
    // Results are read into an array (as etcd's UnsafeRange does) so that no lmdb cursor outlives the call: a
    // lingering cursor would hold a read transaction open and block defragment's close of the environment.
    const entries: BackendEntry[] = [];
    const options = { start: start.length > 0 ? start : undefined, end, limit };
    for (const { key, value } of this.database(bucket).getRange(options)) entries.push({ key, value });
    return entries;
  }

  /** Runs `apply` in one atomic synchronous transaction; an exception rolls every write of it back. */
  write<T>(apply: (tx: WriteTx) => T): T {
    this.checkOpen();
    assert(!this.writing, 'backend: write() called inside write()');
    this.writing = true;
    this.transactionWrites = [];
    let result: T;
    try {
      // The callback returns nothing on purpose: lmdb-js keeps a transaction open until a returned
      // promise settles, which would turn a synchronous write into an asynchronous one.
      this.environment.root.transactionSync(() => {
        result = apply(this.writeTx);
        assert(!isPromiseLike(result), 'backend: write() callbacks must be synchronous');
      });
    } finally {
      this.writing = false;
    }
    if (this.journal) this.journal.push(...this.transactionWrites);
    this.transactionWrites = [];
    return result!;
  }

  /** Makes every committed write durable (syncs lmdb's meta page, which noMetaSync leaves to later). */
  sync(): Promise<void> {
    this.checkOpen();
    const root = this.environment.root as unknown as { sync(callback: (error?: Error) => void): void };
    return this.track(new Promise<void>((resolve, reject) => root.sync((error) => (error ? reject(error) : resolve()))));
  }

  /** The data file's size on disk and the bytes of its pages that hold data. */
  size(): BackendSize {
    this.checkOpen();
    return { totalBytes: fs.statSync(dataFilePath(this.directory)).size, inUseBytes: inUseBytes(this.environment) };
  }

  /**
   * Rewrites the database compactly: lmdb's compacting copy (writers continue meanwhile and are journaled),
   * then, without yielding to the event loop, close, rename the copy over the data file, reopen and replay
   * the journal. Readers therefore see the old database or the new one, never a mix. Concurrent calls share
   * one run.
   */
  defragment(): Promise<void> {
    this.checkOpen();
    this.defragmenting ??= this.runDefragment().finally(() => (this.defragmenting = undefined));
    return this.defragmenting;
  }

  /** A consistent copy of the whole database in a temporary file under the backend directory. */
  async snapshot(): Promise<BackendSnapshot> {
    this.checkOpen();
    const file = path.join(this.directory, `${copyFilePrefix}${process.pid}-${++this.copies}${copyFileSuffix}`);
    await fs.promises.rm(file, { force: true });
    await this.track(this.environment.root.backup(file, false));
    return BackendCopy.of(file);
  }

  /** Waits for a defragment in progress, syncs, and closes; the backend is unusable afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.defragmenting) await this.defragmenting;
    await this.sync();
    await this.settleBackground();
    this.closed = true;
    this.closeEnvironment();
    openDirectories.delete(this.directory);
  }

  private async runDefragment(): Promise<void> {
    const copy = path.join(this.directory, defragmentFileName);
    await fs.promises.rm(copy, { force: true });
    this.journal = [];
    try {
      await this.track(this.environment.root.backup(copy, true));
      await fsyncFile(copy);
      await this.settleBackground();
      // From here to the end of the swap nothing may yield: a read or write in between would find no database.
      this.closeEnvironment();
      fs.renameSync(copy, dataFilePath(this.directory));
      fsyncDirectorySync(this.directory);
      this.environment = openEnvironment(this.directory);
      this.replay(this.journal);
    } finally {
      this.journal = undefined;
      await fs.promises.rm(copy, { force: true });
    }
  }

  /** Applies writes journaled during a defragment to the new environment, in one transaction. */
  private replay(writes: JournaledWrite[]): void {
    if (writes.length === 0) return;
    this.environment.root.transactionSync(() => {
      for (const { bucket, key, value } of writes) {
        if (value === undefined) this.database(bucket).removeSync(key);
        else this.database(bucket).putSync(key, value);
      }
    });
  }

  private closeEnvironment(): void {
    const root = this.environment.root as unknown as { close(): Promise<void>; status: string };
    void root.close();
    // lmdb-js closes synchronously when no asynchronous writes or open cursors are pending, and this class
    // makes neither; a pending close would leave a window in which the old environment is half gone.
    assert(root.status === 'closed', 'backend: lmdb did not close synchronously');
  }

  private put(bucket: BucketName, key: Uint8Array, value: Uint8Array): void {
    assert(this.writing, 'backend: put outside write()');
    checkKey(key);
    this.database(bucket).putSync(key, value);
    if (this.journal) this.transactionWrites.push({ bucket, key: key.slice(), value: value.slice() });
  }

  private remove(bucket: BucketName, key: Uint8Array): void {
    assert(this.writing, 'backend: delete outside write()');
    checkKey(key);
    this.database(bucket).removeSync(key);
    if (this.journal) this.transactionWrites.push({ bucket, key: key.slice(), value: undefined });
  }

  private database(bucket: BucketName) {
    const database = this.environment.buckets.get(bucket);
    assert(database, `backend: unknown bucket ${bucket}`);
    return database;
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.background.add(work);
    const forget = () => this.background.delete(work);
    work.then(forget, forget);
    return work;
  }

  /** Waits until no lmdb work runs on another thread. */
  private async settleBackground(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  private checkOpen(): void {
    assert(!this.closed, 'backend: used after close()');
  }
}

function checkKey(key: Uint8Array): void {
  assert(key.length > 0, 'backend: empty key');
  assert(key.length <= backendKeyBytesMax, `backend: key of ${key.length} bytes exceeds ${backendKeyBytesMax}`);
}

function isPromiseLike(value: unknown): boolean {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function isTemporaryFile(name: string): boolean {
  return (name.startsWith(copyFilePrefix) && name.endsWith(copyFileSuffix)) || name === defragmentFileName || name === restoreFileName;
}
