// The Backend over lmdb: one environment (file `data.mdb` in the backend directory), one named sub-database per
// bucket. A write() lands in the write buffer (write-buffer.ts) and is visible to reads at once; commits to lmdb
// run in the background, batching every write of up to backendBatchIntervalMs into one lmdb transaction that
// lmdb-js executes and fsyncs on its own write thread, so no request waits for a backend fsync (the WAL made the
// write durable already, as in etcd). lmdb-environment.ts explains the durability options. Defragment and
// snapshot use lmdb's own copy (a read transaction on a worker thread, so writers keep going).
import fs from 'node:fs';
import path from 'node:path';
import { assert, AssertionError } from '../../common/assert.ts';
import { backendBatchIntervalMs, backendBatchWritesMax, backendKeyBytesMax } from '../../common/limits.ts';
import { fsyncDirectory, fsyncFile } from '../durable-files.ts';
import { BackendCopy, copyFilePrefix, copyFileSuffix } from './backend-copy.ts';
import type { Backend, BackendEntry, BackendSize, BackendSnapshot, BucketName, WriteTx } from './backend.ts';
import { dataFileGenerations, dataFilePath, inUseBytes, openEnvironment, removeOlderGenerations, type LmdbEnvironment } from './lmdb-environment.ts';
import { mergeEntries, WriteBuffer, type PendingBatch, type UndoLog } from './write-buffer.ts';

const defragmentFileName = 'defragment.mdb.tmp';
const restoreFileName = 'restore.mdb.tmp';

/** Directories with an open LmdbBackend in this process: lmdb must not open one environment twice. */
const openDirectories = new Set<string>();

/** How a backend batches its commits (etcd's --backend-batch-interval and --backend-batch-limit). */
export interface BackendBatching {
  intervalMs: number;
  writesMax: number;
}

/** The lmdb implementation of Backend. */
export class LmdbBackend implements Backend {
  private environment: LmdbEnvironment;
  private closed = false;
  /** The undo log of the write() in progress, undefined outside write(). */
  private undo: UndoLog | undefined;
  private buffer = new WriteBuffer();
  private commitTimer: NodeJS.Timeout | undefined;
  /** The commit in flight; at most one, so commits stay in order and batches grow under load. */
  private committing: Promise<void> | undefined;
  /** Set while defragment copies and swaps the database: writes wait in the buffer meanwhile. */
  private commitsPaused = false;
  /** Write generations up to this one are committed to lmdb. */
  private committedGeneration = 0;
  /** A commit that failed: the database no longer follows the writes, so every later call fails with it. */
  private failure: Error | undefined;
  private sizeNow: BackendSize;
  private defragmenting: Promise<void> | undefined;
  /** lmdb work running on other threads (syncs, copies); the environment must outlive it. */
  private readonly background = new Set<Promise<unknown>>();
  private copies = 0;
  private readonly writeTx: WriteTx;

  private constructor(
    private readonly directory: string,
    private readonly batching: BackendBatching,
  ) {
    const generation = dataFileGenerations(directory)[0] ?? 0;
    removeOlderGenerations(directory, generation);
    this.environment = openEnvironment(directory, generation);
    this.sizeNow = this.measureSize();
    this.writeTx = {
      get: (bucket, key) => this.get(bucket, key),
      range: (bucket, start, end, limit) => this.range(bucket, start, end, limit),
      put: (bucket, key, value) => this.record(bucket, key, value),
      delete: (bucket, key) => this.record(bucket, key, undefined),
    };
  }

  /** Opens (creating if needed) the backend in `directory`, removing copies a crash left behind. */
  static open(directory: string, batching: BackendBatching = { intervalMs: backendBatchIntervalMs, writesMax: backendBatchWritesMax }): LmdbBackend {
    const resolved = path.resolve(directory);
    if (openDirectories.has(resolved)) throw new AssertionError(`backend: ${resolved} is already open in this process`);
    fs.mkdirSync(resolved, { recursive: true });
    for (const name of fs.readdirSync(resolved)) {
      if (isTemporaryFile(name)) fs.rmSync(path.join(resolved, name), { force: true });
    }
    assert(batching.intervalMs > 0 && batching.writesMax > 0, 'backend: batch interval and limit must be positive');
    const backend = new LmdbBackend(resolved, batching);
    openDirectories.add(resolved);
    return backend;
  }

  /**
   * Installs the backend copy in `file` (from snapshot()) as the backend of `directory`, replacing any backend
   * there (which must be closed), and opens it. The copy is left in place.
   */
  static async restoreFrom(file: string, directory: string): Promise<LmdbBackend> {
    const resolved = path.resolve(directory);
    if (openDirectories.has(resolved)) throw new AssertionError(`backend: ${resolved} is open; close it before restoring into it`);
    await fs.promises.mkdir(resolved, { recursive: true });
    const temporary = path.join(resolved, restoreFileName);
    await fs.promises.copyFile(file, temporary);
    await fsyncFile(temporary);
    // As the next generation, the copy replaces the current database in one rename; open() removes the old.
    await fs.promises.rename(temporary, dataFilePath(resolved, (dataFileGenerations(resolved)[0] ?? 0) + 1));
    await fsyncDirectory(resolved);
    return LmdbBackend.open(resolved);
  }

  /** The value under `key` in `bucket`, or undefined; pending writes first, then the database. */
  get(bucket: BucketName, key: Uint8Array): Uint8Array | undefined {
    this.checkOpen();
    if (key.length === 0) return undefined;
    const pending = this.buffer.get(bucket, key);
    if (pending !== undefined) return pending.value;
    return this.database(bucket).get(key);
  }

  /** Entries with start <= key < end (end undefined: to the last key), ascending, at most `limit`. */
  range(bucket: BucketName, start: Uint8Array, end?: Uint8Array, limit?: number): BackendEntry[] {
    this.checkOpen();
    if (!(limit === undefined || (Number.isInteger(limit) && limit >= 0))) throw new AssertionError(`backend: bad range limit ${limit}`);
    if (limit === 0 || (end !== undefined && Buffer.compare(start, end) >= 0)) return [];
    const pending = this.buffer.pendingIn(bucket, start, end);
    // Pending deletes can hide committed entries, so the database is asked for that many more.
    const committedLimit = limit === undefined ? undefined : limit + pending.length;
    // Results are read into an array (as etcd's UnsafeRange does) so that no lmdb cursor outlives the call: a
    // lingering cursor would hold a read transaction open and block defragment's close of the environment.
    const committed: BackendEntry[] = [];
    const options = { start: start.length > 0 ? start : undefined, end, limit: committedLimit };
    for (const { key, value } of this.database(bucket).getRange(options)) committed.push({ key, value });
    return pending.length === 0 ? committed : mergeEntries(committed, pending, limit);
  }

  /** Runs `apply` as one atomic transaction: all its writes become visible together, or none if it throws. */
  write<T>(apply: (tx: WriteTx) => T): T {
    this.checkOpen();
    this.throwIfFailed();
    assert(this.undo === undefined, 'backend: write() called inside write()');
    const undo: UndoLog = [];
    this.undo = undo;
    let result: T;
    try {
      result = apply(this.writeTx);
      assert(!isPromiseLike(result), 'backend: write() callbacks must be synchronous');
    } catch (error) {
      this.buffer.rollback(undo);
      throw error;
    } finally {
      this.undo = undefined;
    }
    if (undo.length > 0) {
      this.buffer.completeTransaction();
      this.scheduleCommit();
    }
    return result;
  }

  /** Commits every write returned so far and makes it durable (lmdb's meta page too, which noMetaSync defers). */
  async sync(): Promise<void> {
    this.checkOpen();
    const target = this.buffer.currentGeneration;
    // A defragment holds commits back until its switch, and then commits everything held.
    if (this.defragmenting) await this.defragmenting;
    await this.commitUpTo(target);
    const root = this.environment.root as unknown as { sync(callback: (error?: Error) => void): void };
    await this.track(new Promise<void>((resolve, reject) => root.sync((error) => (error ? reject(error) : resolve()))));
  }

  /** The data file's size on disk and the bytes of its pages that hold data, as of the last commit. */
  size(): BackendSize {
    this.checkOpen();
    return this.sizeNow;
  }

  /**
   * Rewrites the database compactly: lmdb's compacting copy (writers continue meanwhile, their writes held in
   * the buffer), then, without yielding to the event loop, close, rename the copy over the data file and
   * reopen; the buffer's writes are committed to the new file. Concurrent calls share one run.
   */
  defragment(): Promise<void> {
    this.checkOpen();
    this.defragmenting ??= this.runDefragment().finally(() => (this.defragmenting = undefined));
    return this.defragmenting;
  }

  /** A consistent copy of the whole database, holding every write returned so far, in a temporary file. */
  async snapshot(): Promise<BackendSnapshot> {
    await this.sync();
    const file = path.join(this.directory, `${copyFilePrefix}${process.pid}-${++this.copies}${copyFileSuffix}`);
    await fs.promises.rm(file, { force: true });
    await this.track(this.environment.root.backup(file, false));
    return BackendCopy.of(file);
  }

  /**
   * Replaces the whole database with the backend copy in `file` (another member's snapshot(), fsynced), which
   * becomes the next generation: hard-linked (the file stays where it is, e.g. beside its snapshot record),
   * or copied across file systems. Writes not yet committed are dropped: they belong to the state being
   * replaced. The caller must make no writes until this resolves.
   */
  async replaceWith(file: string): Promise<void> {
    this.checkOpen();
    if (this.defragmenting) await this.defragmenting;
    this.commitsPaused = true;
    try {
      if (this.committing) await this.committing;
      const next = this.environment.generation + 1;
      const target = dataFilePath(this.directory, next);
      await fs.promises.rm(target, { force: true });
      try {
        await fs.promises.link(file, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
        await fs.promises.copyFile(file, target);
        await fsyncFile(target);
      }
      await fsyncDirectory(this.directory);
      await this.settleBackground();
      const previous = this.environment;
      // One synchronous switch, as in defragment: reads see the old state or the new one.
      this.environment = openEnvironment(this.directory, next);
      this.buffer = new WriteBuffer();
      this.committedGeneration = 0;
      if (this.commitTimer) clearTimeout(this.commitTimer);
      this.commitTimer = undefined;
      this.sizeNow = this.measureSize();
      await previous.root.close();
      removeOlderGenerations(this.directory, next);
    } finally {
      this.commitsPaused = false;
    }
  }

  /** Waits for a defragment in progress, commits and syncs, and closes; the backend is unusable afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.defragmenting) await this.defragmenting;
    try {
      await this.sync();
    } finally {
      if (this.commitTimer) clearTimeout(this.commitTimer);
      if (this.committing) await this.committing;
      await this.settleBackground();
      this.closed = true;
      await this.environment.root.close();
      openDirectories.delete(this.directory);
    }
  }

  /** Commits until every write transaction up to generation `target` is in lmdb. */
  private async commitUpTo(target: number): Promise<void> {
    while (this.committedGeneration < target) {
      this.throwIfFailed();
      if (this.committing) await this.committing;
      else if (this.commitsPaused) await this.defragmenting;
      else this.commitNow();
    }
    this.throwIfFailed();
  }

  private record(bucket: BucketName, key: Uint8Array, value: Uint8Array | undefined): void {
    assert(this.undo !== undefined, 'backend: put or delete outside write()');
    checkKey(key);
    // Copies: the caller may reuse its buffers, and the buffer keeps these until the commit.
    this.buffer.set(bucket, key.slice(), value?.slice(), this.undo);
  }

  private scheduleCommit(): void {
    if (this.buffer.dirtyCount >= this.batching.writesMax) this.commitNow();
    else if (this.commitTimer === undefined && this.committing === undefined) {
      this.commitTimer = setTimeout(() => this.commitNow(), this.batching.intervalMs);
      // Unreferenced: a process may exit with writes still buffered, since the WAL holds them.
      this.commitTimer.unref();
    }
  }

  /** Starts a commit of everything pending, unless one is in flight (its end starts the next). */
  private commitNow(): void {
    if (this.commitTimer) clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    if (this.committing || this.commitsPaused || this.closed || this.failure) return;
    const batch = this.buffer.take();
    if (batch.writes.length === 0) {
      this.committedGeneration = batch.generation;
      return;
    }
    this.committing = this.commit(batch).finally(() => {
      this.committing = undefined;
      if (this.buffer.dirtyCount > 0) this.scheduleCommit();
    });
  }

  private async commit(batch: PendingBatch): Promise<void> {
    try {
      // One lmdb-js batch is one atomic transaction, executed and fsynced on lmdb-js's write thread.
      await this.environment.root.batch(() => {
        for (const { bucket, write } of batch.writes) {
          const database = this.database(bucket);
          if (write.value === undefined) void database.remove(write.key);
          else void database.put(write.key, write.value);
        }
      });
    } catch (error) {
      this.failure = new Error(`backend: commit to ${this.environment.file} failed: ${(error as Error).message}`);
      return;
    }
    // Reads must see the commit before its writes leave the buffer.
    this.environment.root.resetReadTxn();
    this.buffer.release(batch);
    this.committedGeneration = batch.generation;
    this.sizeNow = this.measureSize();
  }

  private async runDefragment(): Promise<void> {
    const copy = path.join(this.directory, defragmentFileName);
    await fs.promises.rm(copy, { force: true });
    // The copy holds every write made before defragment was called (the deletes it should reclaim space of).
    await this.commitUpTo(this.buffer.currentGeneration);
    // Later commits wait until the switch, so the old file gets none that the copy would miss.
    this.commitsPaused = true;
    try {
      if (this.committing) await this.committing;
      await this.track(this.environment.root.backup(copy, true));
      await fsyncFile(copy);
      const next = this.environment.generation + 1;
      await fs.promises.rename(copy, dataFilePath(this.directory, next));
      await fsyncDirectory(this.directory);
      await this.settleBackground();
      const previous = this.environment;
      // One synchronous switch: every read before it used the old file, every read after it the new one.
      this.environment = openEnvironment(this.directory, next);
      this.sizeNow = this.measureSize();
      await previous.root.close();
      removeOlderGenerations(this.directory, next);
    } finally {
      this.commitsPaused = false;
      await fs.promises.rm(copy, { force: true });
      if (this.buffer.dirtyCount > 0) this.scheduleCommit();
    }
  }

  private measureSize(): BackendSize {
    return { totalBytes: fs.statSync(this.environment.file).size, inUseBytes: inUseBytes(this.environment) };
  }

  private database(bucket: BucketName) {
    const database = this.environment.buckets.get(bucket);
    if (!(database)) throw new AssertionError(`backend: unknown bucket ${bucket}`);
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

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  private checkOpen(): void {
    assert(!this.closed, 'backend: used after close()');
  }
}

function checkKey(key: Uint8Array): void {
  assert(key.length > 0, 'backend: empty key');
  if (!(key.length <= backendKeyBytesMax)) throw new AssertionError(`backend: key of ${key.length} bytes exceeds ${backendKeyBytesMax}`);
}

function isPromiseLike(value: unknown): boolean {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function isTemporaryFile(name: string): boolean {
  return (name.startsWith(copyFilePrefix) && name.endsWith(copyFileSuffix)) || name === defragmentFileName || name === restoreFileName;
}
