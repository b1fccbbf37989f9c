// Opening the lmdb environment of a backend, and the options it is opened with.
//
// Why these options (measured on this machine class, ext4, one transactionSync putting two 200-byte values;
// README.md beside this file has the table):
//   defaults (overlappingSync on Linux)   ~300 us  two syncs per commit: data pages, then the meta page
//   overlappingSync: false                ~290 us  same two syncs
//   noMetaSync (chosen)                   ~190 us  one fdatasync per commit (the data pages)
//   noSync                                 ~10 us  no sync at all
//
// - noMetaSync: each commit still fdatasyncs its data pages before writing the meta page that points at them,
//   so the database is never corrupt, after a process kill or a power loss; only the meta page write is left
//   to the next commit's sync (or to sync()). LMDB documents this mode as keeping atomicity, consistency and
//   isolation and giving up only the durability of the last transaction, which the WAL provides: the backend
//   records the applied index in the same transaction, so a restart replays the entries it lost.
// - not noSync: without any sync a power loss can persist a meta page before the pages it points at, and
//   LMDB reuses freed pages, so the last synced tree can be overwritten too: a corrupt database, not merely an
//   old one. Cheap writes are not worth a backend that a power cut can destroy.
// - overlappingSync off: lmdb-js's overlapping sync still performs the flush inside the committing call (the
//   JavaScript thread, for transactionSync); it helps asynchronous writers, not us, and costs a second sync.
// - no useWritemap: it saves nothing measurable here, makes every stray write into the map a database write,
//   and lmdb-js cannot abort nested transactions with it.
// - keys and values are 'binary' (raw bytes, compared as unsigned bytes by LMDB's default memcmp order), with
//   no compression and no cache: the layers above own encodings and caching.
//
// Data files have generations: `data.mdb` is generation 0, `data-<n>.mdb` generation n. Defragment and restore
// write the next generation beside the current one and switch to it; the newest file in a directory is the
// database, and older ones are removed on open. A switch therefore never has to close the current environment
// before the next one is open, and a crash at any point leaves one complete newest file.
import { open, type Database, type RootDatabase } from 'lmdb';
import fs from 'node:fs';
import path from 'node:path';
import { bucketNames, type BucketName } from './backend.ts';

const dataFilePattern = /^data(?:-([0-9]+))?\.mdb$/;

/** The data file of generation `generation` (its lock file sits beside it, with `-lock` appended). */
export function dataFilePath(directory: string, generation: number): string {
  return path.join(directory, generation === 0 ? 'data.mdb' : `data-${generation}.mdb`);
}

/** Generations of the data files in `directory`, newest first (empty when there is none yet). */
export function dataFileGenerations(directory: string): number[] {
  const generations: number[] = [];
  for (const name of fs.readdirSync(directory)) {
    const match = dataFilePattern.exec(name);
    if (match) generations.push(match[1] === undefined ? 0 : Number(match[1]));
  }
  return generations.sort((a, b) => b - a);
}

/** Removes the data files (and lock files) of every generation older than `generation`. */
export function removeOlderGenerations(directory: string, generation: number): void {
  for (const older of dataFileGenerations(directory).filter((candidate) => candidate < generation)) {
    fs.rmSync(dataFilePath(directory, older), { force: true });
    fs.rmSync(`${dataFilePath(directory, older)}-lock`, { force: true });
  }
}

/** The environment-level options of every backend. */
export const environmentOptions = {
  noSubdir: true,
  noMetaSync: true,
  overlappingSync: false,
  useWritemap: false,
  noSync: false,
  maxDbs: bucketNames.length + 6,
  compression: false,
  cache: false,
} as const;

/** An open environment, its data file and one named sub-database per bucket. */
export interface LmdbEnvironment {
  root: RootDatabase;
  buckets: Map<BucketName, Database<Uint8Array, Uint8Array>>;
  file: string;
  generation: number;
}

/** Opens (creating if needed) the environment of `generation` in `directory` with all buckets. */
export function openEnvironment(directory: string, generation: number): LmdbEnvironment {
  const file = dataFilePath(directory, generation);
  const root = open({ path: file, ...environmentOptions });
  const buckets = new Map<BucketName, Database<Uint8Array, Uint8Array>>();
  for (const name of bucketNames) {
    buckets.set(name, root.openDB<Uint8Array, Uint8Array>({ name, keyEncoding: 'binary', encoding: 'binary', compression: false, cache: false }));
  }
  return { root, buckets, file, generation };
}

/** The page counts lmdb reports for one B-tree (lmdb-js types getStats() as `{}`). */
interface TreeStats {
  pageSize: number;
  treeBranchPageCount: number;
  treeLeafPageCount: number;
  overflowPages: number;
}

function treePages(stats: TreeStats): number {
  return stats.treeBranchPageCount + stats.treeLeafPageCount + stats.overflowPages;
}

/**
 * Bytes of pages holding data: every bucket's tree, the tree of bucket names, the free-list's own tree and
 * the two meta pages. Pages on the free list are excluded: they are what defragment gives back.
 */
export function inUseBytes(environment: LmdbEnvironment): number {
  const rootStats = environment.root.getStats() as TreeStats & { root: TreeStats; free: TreeStats };
  let pages = 2 + treePages(rootStats.root) + treePages(rootStats.free);
  for (const bucket of environment.buckets.values()) pages += treePages(bucket.getStats() as TreeStats);
  return pages * rootStats.pageSize;
}
