// The backend is where a member keeps its applied state (the MVCC key space, leases, auth, membership):
// ordered buckets of binary keys and values. Durability of individual writes comes from the write-ahead log;
// the backend records the applied index with every write transaction so a restart replays only the log
// entries it is missing. This file is the contract the state machines (mvcc, lease, auth, server) code
// against; lmdb-backend.ts implements it.

/** The buckets a member uses. Fixed, so every backend opens the same set. */
export const bucketNames = [
  'key', // MVCC revisions -> encoded mvccpb.KeyValue (etcd's "key" bucket)
  'meta', // consistent index, compaction progress, schema version
  'lease', // lease ID -> lease record
  'auth', // auth enabled flag, auth revision
  'authUsers',
  'authRoles',
  'members',
  'membersRemoved',
  'cluster', // cluster version and ID
  'alarm',
] as const;

/** One bucket's name. */
export type BucketName = (typeof bucketNames)[number];

/** A key/value pair read from a bucket. */
export interface BackendEntry {
  key: Uint8Array;
  value: Uint8Array;
}

/** Reads from the backend. Keys compare as unsigned bytes. */
export interface ReadTx {
  /** The value stored under `key`, or undefined. */
  get(bucket: BucketName, key: Uint8Array): Uint8Array | undefined;
  /**
   * Entries with `start <= key < end` in ascending key order (`end` undefined: every key from `start`),
   * at most `limit` of them when given. Iteration reads a consistent view.
   */
  range(bucket: BucketName, start: Uint8Array, end?: Uint8Array, limit?: number): Iterable<BackendEntry>;
}

/** Writes inside one atomic backend transaction. */
export interface WriteTx extends ReadTx {
  put(bucket: BucketName, key: Uint8Array, value: Uint8Array): void;
  delete(bucket: BucketName, key: Uint8Array): void;
}

/** Backend size figures, as reported by Maintenance.Status. */
export interface BackendSize {
  /** Bytes the backend file takes on disk (etcd's dbSize). */
  totalBytes: number;
  /** Bytes actually holding data (etcd's dbSizeInUse); the difference is reclaimable by defragment. */
  inUseBytes: number;
}

/** A consistent, point-in-time copy of the backend, streamable to a client. */
export interface BackendSnapshot {
  /** Exact byte length of the copy. */
  sizeBytes: number;
  /** The copy's bytes, in chunks of `chunkBytes` (default snapshotChunkBytes; the last one shorter). */
  chunks(chunkBytes?: number): AsyncIterable<Uint8Array>;
  /** Removes the temporary copy. */
  release(): Promise<void>;
}

/** The backend of one member. */
export interface Backend extends ReadTx {
  /**
   * Runs `apply` in one atomic write transaction and returns its result. The writes are visible to reads as
   * soon as this returns; they reach the disk in a later batched commit, and are durable after the next
   * `sync()` (the WAL covers the gap). Each commit holds whole transactions, so the disk always has a prefix.
   */
  write<T>(apply: (tx: WriteTx) => T): T;
  /** Commits every write returned so far and makes it durable on disk. */
  sync(): Promise<void>;
  /** File size and bytes in use, as of the last commit (so at most one batch interval behind the writes). */
  size(): BackendSize;
  /** Rewrites the backend compactly, returning free space to the file system. */
  defragment(): Promise<void>;
  /** A consistent copy of the whole backend. */
  snapshot(): Promise<BackendSnapshot>;
  /** Flushes and closes; the backend is unusable afterwards. */
  close(): Promise<void>;
}
