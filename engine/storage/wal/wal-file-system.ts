// The file-system calls the WAL makes, behind one small interface so that tests can count fsyncs, delay them
// to provoke group commits, or fail them. The default goes straight to node:fs with file descriptors. Writes are
// synchronous (they only copy into the page cache); fdatasync runs inline while the disk flushes fast and on
// libuv's thread pool once it does not (adaptiveFdatasync).
import fs from 'node:fs';
import { fsyncDirectory } from '../durable-files.ts';
import { walInlineFdatasyncMsMax } from '../../common/limits.ts';

/** The file operations the WAL needs. Paths are absolute or relative to the process's working directory. */
export interface WalFileSystem {
  /** Opens `file` for reading and writing, creating it when `create` is set. Returns a file descriptor. */
  open(file: string, create: boolean): Promise<number>;
  /** Writes all of `buffers` at `position`, in order; returns the number of bytes written (may be short). */
  writev(fd: number, buffers: readonly Uint8Array[], position: number): Promise<number>;
  /** Flushes the file's data (and the metadata needed to read it back, such as its size) to stable storage. */
  fdatasync(fd: number): Promise<void>;
  /** Sets the file's length, cutting or zero-extending it. */
  ftruncate(fd: number, lengthBytes: number): Promise<void>;
  close(fd: number): Promise<void>;
  readFile(file: string): Promise<Buffer>;
  /** Names of the entries of `directory`; empty when it does not exist. */
  readdir(directory: string): Promise<string[]>;
  rename(from: string, to: string): Promise<void>;
  unlink(file: string): Promise<void>;
  /** Creates `directory` and its parents when missing. */
  mkdir(directory: string): Promise<void>;
  /** Makes the directory's entries (files created, renamed or removed in it) durable. */
  fsyncDirectory(directory: string): Promise<void>;
}

function callback<T>(resolve: (value: T) => void, reject: (error: Error) => void) {
  return (error: Error | null, value: T) => (error ? reject(error) : resolve(value));
}

/** The two ways to flush a file: blocking the caller, or on the thread pool with a callback. */
export interface FlushCalls {
  inline(fd: number): void;
  pooled(fd: number, done: (error: Error | null) => void): void;
}

const nodeFlushCalls: FlushCalls = { inline: (fd) => fs.fdatasyncSync(fd), pooled: (fd, done) => fs.fdatasync(fd, done) };

/** Weight of the newest flush in the running average of flush times. */
const flushAverageWeight = 0.2;

/**
 * fdatasync on the event loop while flushes are fast, on the thread pool once they are not (see
 * walInlineFdatasyncMsMax). The running average also learns from thread-pool flushes, so a disk that becomes
 * fast again is flushed inline again.
 */
export function adaptiveFdatasync(inlineMsMax = walInlineFdatasyncMsMax, flush: FlushCalls = nodeFlushCalls): (fd: number) => Promise<void> {
  let averageMs = 0;
  const learn = (startedMs: number): void => {
    averageMs += flushAverageWeight * (performance.now() - startedMs - averageMs);
  };
  return (fd) => {
    const startedMs = performance.now();
    if (averageMs <= inlineMsMax) {
      try {
        flush.inline(fd);
      } catch (error) {
        return Promise.reject(error as Error);
      } finally {
        learn(startedMs);
      }
      return Promise.resolve();
    }
    return new Promise((resolve, reject) =>
      flush.pooled(fd, (error) => {
        learn(startedMs);
        if (error) reject(error);
        else resolve();
      }),
    );
  };
}

/** The real file system, through node:fs (the thread pool, except fast flushes: see adaptiveFdatasync). */
export const nodeWalFileSystem: WalFileSystem = {
  open: (file, create) =>
    new Promise((resolve, reject) => fs.open(file, create ? 'w+' : 'r+', 0o600, callback(resolve, reject))),
  // Synchronous on purpose: a write into pre-allocated space only copies into the page cache (tens of
  // microseconds), while a trip through the thread pool and back costs more than that under load, on every
  // commit. The fdatasync that follows is the slow part, and stays on the thread pool.
  writev: async (fd, buffers, position) => fs.writevSync(fd, buffers as NodeJS.ArrayBufferView[], position),
  fdatasync: adaptiveFdatasync(),
  ftruncate: (fd, lengthBytes) =>
    new Promise((resolve, reject) => fs.ftruncate(fd, lengthBytes, (error) => (error ? reject(error) : resolve()))),
  close: (fd) => new Promise((resolve, reject) => fs.close(fd, (error) => (error ? reject(error) : resolve()))),
  readFile: (file) => fs.promises.readFile(file),
  readdir: async (directory) => {
    try {
      return await fs.promises.readdir(directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  },
  rename: (from, to) => fs.promises.rename(from, to),
  unlink: (file) => fs.promises.unlink(file),
  mkdir: async (directory) => {
    await fs.promises.mkdir(directory, { recursive: true });
  },
  fsyncDirectory: (directory) => fsyncDirectory(directory),
};
