// Turns the loaded levels of the key tree (each folder is fetched page by page from main with `keys.tree`)
// into the flat rows of a virtualized list: a folder's children follow it only when it is expanded, and a
// folder with more entries on the server ends with a "load more" row.
import type { KeyValue, TreeEntry } from '../../../electron/common/contract.ts';
import { displayText } from './bytes.ts';

/** One loaded (or loading) folder level. */
export interface TreeLevel {
  prefix: Uint8Array;
  entries: TreeEntry[];
  more: boolean;
  next: Uint8Array | null;
  loading: boolean;
  error: string | null;
}

/** One visible line of the tree. */
export type TreeRow =
  | { kind: 'folder'; depth: number; label: string; path: string; key: Uint8Array; count: number; expanded: boolean }
  | { kind: 'key'; depth: number; label: string; path: string; kv: KeyValue }
  | { kind: 'more'; depth: number; path: string; loaded: number; loading: boolean }
  | { kind: 'status'; depth: number; path: string; message: string; error: boolean };

/** The text shown for a folder or key path (escaped when not printable). */
export function pathText(bytes: Uint8Array): string {
  return displayText(bytes);
}

/** Flattens the levels below `rootPath` into rows, descending into expanded folders only. */
export function flattenLevels(levels: ReadonlyMap<string, TreeLevel>, rootPath: string, expanded: ReadonlySet<string>): TreeRow[] {
  const rows: TreeRow[] = [];
  const visit = (path: string, depth: number): void => {
    const level = levels.get(path);
    if (!level) return;
    for (const entry of level.entries) {
      if (entry.kind === 'folder') {
        const folderPath = pathText(entry.key);
        const isExpanded = expanded.has(folderPath);
        rows.push({ kind: 'folder', depth, label: labelOf(folderPath, path), path: folderPath, key: entry.key, count: entry.count, expanded: isExpanded });
        if (isExpanded) visit(folderPath, depth + 1);
      } else {
        const keyPath = pathText(entry.kv.key);
        rows.push({ kind: 'key', depth, label: labelOf(keyPath, path), path: keyPath, kv: entry.kv });
      }
    }
    if (level.error) rows.push({ kind: 'status', depth, path, message: level.error, error: true });
    else if (level.loading && level.entries.length === 0) rows.push({ kind: 'status', depth, path, message: 'Loading…', error: false });
    else if (level.more) rows.push({ kind: 'more', depth, path, loaded: level.entries.length, loading: level.loading });
    else if (level.entries.length === 0 && depth > 0) rows.push({ kind: 'status', depth, path, message: 'No keys', error: false });
  };
  visit(rootPath, 0);
  return rows;
}

function labelOf(path: string, parentPath: string): string {
  const label = path.startsWith(parentPath) ? path.slice(parentPath.length) : path;
  return label === '' ? '(empty name)' : label;
}
