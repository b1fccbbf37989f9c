// The backend the MVCC tests run on: the in-memory one by default, or the real lmdb backend (in a temporary
// directory) with MVCC_TEST_BACKEND=lmdb, so that every store and watch test also runs against lmdb:
//   MVCC_TEST_BACKEND=lmdb node --import tsx --test engine/mvcc/*.test.ts
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Backend, BackendEntry, BackendSize, BackendSnapshot, BucketName, WriteTx } from '../../storage/backend/backend.ts';
import { bucketNames } from '../../storage/backend/backend.ts';
import { LmdbBackend } from '../../storage/backend/lmdb-backend.ts';
import { MemoryBackend } from './memory-backend.ts';

/** A Backend with the hooks the tests use. */
export interface TestBackend extends Backend {
  /** Write transactions committed. */
  writes: number;
  /** When set, the next write transaction throws this error after running `apply` (and is rolled back). */
  failNextWrite: Error | undefined;
  /** Entries of a bucket, for assertions. */
  entries(bucket: BucketName): BackendEntry[];
  /** A backend with the same contents: what a restart would find on disk. */
  clone(): TestBackend;
}

/** Which backend the tests use. */
export const testBackendKind: 'memory' | 'lmdb' = process.env.MVCC_TEST_BACKEND === 'lmdb' ? 'lmdb' : 'memory';

let temporaryRoot: string | undefined;

function temporaryDirectory(): string {
  if (temporaryRoot === undefined) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-mvcc-test-'));
    temporaryRoot = root;
    process.on('exit', () => fs.rmSync(root, { recursive: true, force: true }));
  }
  return fs.mkdtempSync(path.join(temporaryRoot, 'backend-'));
}

/** The real lmdb backend in a temporary directory, with the test hooks. */
class LmdbTestBackend implements TestBackend {
  writes = 0;
  failNextWrite: Error | undefined;
  private readonly inner = LmdbBackend.open(temporaryDirectory());

  get(bucket: BucketName, key: Uint8Array): Uint8Array | undefined {
    return this.inner.get(bucket, key);
  }

  range(bucket: BucketName, start: Uint8Array, end?: Uint8Array, limit?: number): Iterable<BackendEntry> {
    return this.inner.range(bucket, start, end, limit);
  }

  write<T>(apply: (tx: WriteTx) => T): T {
    const failure = this.failNextWrite;
    this.failNextWrite = undefined;
    const result = this.inner.write((tx) => {
      const applied = apply(tx);
      if (failure !== undefined) throw failure;
      return applied;
    });
    this.writes++;
    return result;
  }

  entries(bucket: BucketName): BackendEntry[] {
    return [...this.inner.range(bucket, new Uint8Array(0))];
  }

  clone(): TestBackend {
    const copy = new LmdbTestBackend();
    copy.inner.write((tx) => {
      for (const bucket of bucketNames) for (const { key, value } of this.entries(bucket)) tx.put(bucket, key, value);
    });
    return copy;
  }

  sync(): Promise<void> {
    return this.inner.sync();
  }

  size(): BackendSize {
    return this.inner.size();
  }

  defragment(): Promise<void> {
    return this.inner.defragment();
  }

  snapshot(): Promise<BackendSnapshot> {
    return this.inner.snapshot();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A new, empty backend of the kind the tests run on. */
export function newTestBackend(): TestBackend {
  return testBackendKind === 'lmdb' ? new LmdbTestBackend() : new MemoryBackend();
}
