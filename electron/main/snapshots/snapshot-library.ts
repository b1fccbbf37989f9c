// Snapshots taken by the app: `<userData>/snapshots/<id>.db` (the stream exactly as etcd sends it: the backend
// copy followed by its sha256, the same file `etcdctl snapshot save` writes) and `<id>.json` beside it with what
// the list shows. Files chosen in a save dialog are not in the library; their info is returned once.
import fs from 'node:fs';
import path from 'node:path';
import type { SnapshotInfo } from '../../common/contract.ts';
import { boolean, integer, nullable, object, optional, text } from '../../common/validate.ts';
import { readJsonFile, writeFileAtomic } from '../util/atomic-file.ts';

/** What the library lists as the source of an imported file (no connection took it). */
export const importedConnectionName = 'Imported file';

/** A record as stored: records written before imports were told apart have no `importedAt`. */
type StoredInfo = Omit<SnapshotInfo, 'importedAt'> & { importedAt?: string | null };

const infoCheck = object<StoredInfo>({
  id: text({ min: 1, max: 128, pattern: /^[A-Za-z0-9._-]+$/ }),
  fileName: text({ min: 1, max: 256 }),
  path: text({ min: 1, max: 4096 }),
  sizeBytes: integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  revision: integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  sha256: text({ min: 64, max: 64 }),
  takenAt: text({ min: 1, max: 64 }),
  importedAt: optional(nullable(text({ min: 1, max: 64 }))),
  connectionName: text({ max: 1024 }),
  inLibrary: boolean(),
});

/** The folder of snapshots taken by the app. */
export class SnapshotLibrary {
  /** A library in `directory` (created on first use). */
  constructor(readonly directory: string) {}

  /** The data file of a new snapshot with `id` (the folder is created if needed). */
  fileFor(id: string): string {
    fs.mkdirSync(this.directory, { recursive: true });
    return path.join(this.directory, `${id}.db`);
  }

  /** Records a finished snapshot. */
  add(info: SnapshotInfo): void {
    fs.mkdirSync(this.directory, { recursive: true });
    writeFileAtomic(path.join(this.directory, `${info.id}.json`), `${JSON.stringify(info, null, 2)}\n`);
  }

  /** Every snapshot whose data file still exists, newest first; unreadable records are skipped and reported. */
  list(): SnapshotInfo[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.directory);
    } catch {
      return [];
    }
    const found: SnapshotInfo[] = [];
    for (const name of names.filter((each) => each.endsWith('.json'))) {
      try {
        const checked = infoCheck(readJsonFile(path.join(this.directory, name)), name);
        if (!checked.ok) throw new Error(checked.error);
        if (fs.existsSync(checked.value.path)) found.push(withImportedAt(checked.value));
      } catch (error) {
        console.warn(`snapshot library: skipping ${name}: ${(error as Error).message}`);
      }
    }
    return found.sort((a, b) => b.takenAt.localeCompare(a.takenAt));
  }

  /** One snapshot by id, or undefined. */
  find(id: string): SnapshotInfo | undefined {
    return this.list().find((info) => info.id === id);
  }

  /** Deletes a snapshot's files; false when there is no such snapshot. */
  remove(id: string): boolean {
    const info = this.find(id);
    if (!info) return false;
    fs.rmSync(info.path, { force: true });
    fs.rmSync(path.join(this.directory, `${id}.json`), { force: true });
    return true;
  }
}

/**
 * A stored record with `importedAt` filled in. Imports recorded before the field existed are recognized by the id
 * and source the import gives them; their `takenAt` was the import time.
 */
function withImportedAt(stored: StoredInfo): SnapshotInfo {
  if (stored.importedAt !== undefined) return { ...stored, importedAt: stored.importedAt };
  const imported = stored.id.startsWith('imported-') && stored.connectionName === importedConnectionName;
  return { ...stored, importedAt: imported ? stored.takenAt : null };
}
