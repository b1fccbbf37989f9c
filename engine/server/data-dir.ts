// The layout of a member's data directory. Our own design, shaped like etcd's so operators find their way:
//   <data-dir>/member/wal/    write-ahead log segments
//   <data-dir>/member/snap/   Raft snapshot records (*.snap) and the backend copies they point to
//   <data-dir>/member/db/     the backend (lmdb environment)
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Paths inside one member's data directory. */
export interface DataDirLayout {
  root: string;
  member: string;
  wal: string;
  snap: string;
  db: string;
}

/** The layout for `dataDir`, with the WAL optionally elsewhere (--wal-dir). */
export function dataDirLayout(dataDir: string, walDir?: string): DataDirLayout {
  const member = path.join(dataDir, 'member');
  return { root: dataDir, member, wal: walDir ?? path.join(member, 'wal'), snap: path.join(member, 'snap'), db: path.join(member, 'db') };
}

/** Whether the layout holds a write-ahead log, i.e. the member has started before. */
export function hasWal(layout: DataDirLayout): boolean {
  return existsSync(layout.wal) && readdirSync(layout.wal).some((name) => name.endsWith('.wal'));
}
