// The key browser's state: a flat list or a folder tree of the keys under a search prefix, loaded page by
// page (keys only) and pinned to the first page's revision so that pages agree with each other. Nothing here
// walks the whole keyspace: a million keys cost one page per scroll, and folder counts come from main.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { KeyValue } from '../../../electron/common/contract.ts';
import { pageLimitDefault } from '../../../electron/common/limits.ts';
import { ApiError, api, describeError, unwrap } from '../api/index.ts';
import { loadSetting, saveSetting } from '../api/platform.ts';
import { utf8Bytes } from '../lib/bytes.ts';
import { flattenLevels, pathText, type TreeLevel } from '../lib/tree-rows.ts';
import { useConnectionsStore } from './connections.ts';

/** How the keys are shown. */
export type KeysMode = 'tree' | 'list';

/** The keys store. */
export const useKeysStore = defineStore('keys', () => {
  const connections = useConnectionsStore();
  const mode = ref<KeysMode>(loadSetting('keysMode', 'tree'));
  const separator = ref<string>(loadSetting('separator', '/'));
  const search = ref('');
  const selected = shallowRef<Uint8Array | null>(null);
  const selectedPath = computed(() => (selected.value ? pathText(selected.value) : null));

  const listItems = shallowRef<KeyValue[]>([]);
  const listNext = shallowRef<Uint8Array | null>(null);
  const listMore = ref(false);
  const listRevision = ref<number | null>(null);
  const listTotal = ref<number | null>(null);
  const listLoading = ref(false);
  const listError = ref<string | null>(null);

  const levels = shallowRef<Map<string, TreeLevel>>(new Map());
  const expanded = ref<Set<string>>(new Set());
  const treeRevision = ref<number | null>(null);
  const treeTotal = ref<number | null>(null);

  const prefix = computed(() => utf8Bytes(search.value));
  /** A search that is not a folder path is shown as a list even in tree mode. */
  const showsTree = computed(() => mode.value === 'tree' && separator.value !== '' && (search.value === '' || search.value.endsWith(separator.value)));
  const treeRows = computed(() => flattenLevels(levels.value, search.value, expanded.value));
  const rootLevel = computed(() => levels.value.get(search.value));

  /** Reloads whatever the current mode shows, from a fresh revision. */
  async function reload(): Promise<void> {
    if (showsTree.value) await reloadTree();
    else await reloadList();
  }

  async function reloadList(): Promise<void> {
    // The old rows stay on screen until the first new page replaces them in one step (no blank flash).
    listNext.value = null;
    listMore.value = false;
    listRevision.value = null;
    listTotal.value = null;
    await loadMoreList(true);
  }

  /** Loads the next page of the flat list. */
  async function loadMoreList(replace = false): Promise<void> {
    if (listLoading.value && !replace) return;
    if (!replace && listRevision.value !== null && !listMore.value) return;
    listLoading.value = true;
    listError.value = null;
    const requestedFor = search.value;
    try {
      const page = await unwrap(api().keys.list({
        connectionId: connections.connectionId,
        prefix: prefix.value,
        limit: pageLimitDefault,
        keysOnly: true,
        ...(listNext.value ? { after: listNext.value } : {}),
        ...(listRevision.value !== null ? { revision: listRevision.value } : {}),
      }));
      if (requestedFor !== search.value) return;
      if (listRevision.value === null) listTotal.value = page.remaining;
      listRevision.value = page.revision;
      listItems.value = replace ? page.kvs : [...listItems.value, ...page.kvs];
      listNext.value = page.next;
      listMore.value = page.more;
    } catch (failure) {
      if (failure instanceof ApiError && failure.code === 'compacted') {
        // The pinned revision was compacted away between pages: start over at the current revision.
        listLoading.value = false;
        await reloadList();
        return;
      }
      listError.value = describeError(failure);
    } finally {
      listLoading.value = false;
    }
  }

  async function reloadTree(): Promise<void> {
    const root = search.value;
    const rootKey = prefix.value;
    treeTotal.value = null;
    void api().keys.count({ connectionId: connections.connectionId, prefix: rootKey }).then((result) => {
      if (result.ok && root === search.value) treeTotal.value = result.value.count;
    });
    if (!levels.value.has(root)) levels.value = new Map([[root, emptyLevel(rootKey, true)]]);
    // Fetch the root and every open folder first, then swap them in at once: the tree never blanks out or
    // jumps while it refreshes, and rows do not move under the pointer twice.
    const fresh = new Map<string, TreeLevel>();
    const first = await fetchLevel(rootKey, null, null);
    if (root !== search.value) return;
    fresh.set(root, first.level);
    const open = [...expanded.value].filter((path) => path.startsWith(root) && path !== root);
    const children = await Promise.all(open.map((path) => fetchLevel(utf8Bytes(path), null, first.revision)));
    open.forEach((path, index) => fresh.set(path, children[index]!.level));
    if (root !== search.value) return;
    treeRevision.value = first.revision;
    levels.value = fresh;
  }

  function emptyLevel(folderKey: Uint8Array, loading: boolean): TreeLevel {
    return { prefix: folderKey, entries: [], more: false, next: null, loading, error: null };
  }

  /** One page of one folder, as a level (an error becomes the level's message, shown in its place). */
  async function fetchLevel(folderKey: Uint8Array, after: Uint8Array | null, revision: number | null): Promise<{ level: TreeLevel; revision: number | null; compacted?: boolean }> {
    try {
      const page = await unwrap(api().keys.tree({
        connectionId: connections.connectionId,
        prefix: folderKey,
        separator: separator.value,
        limit: pageLimitDefault,
        ...(after ? { after } : {}),
        ...(revision !== null ? { revision } : {}),
      }));
      return { level: { prefix: folderKey, entries: page.entries, more: page.more, next: page.next, loading: false, error: null }, revision: page.revision };
    } catch (failure) {
      const compacted = failure instanceof ApiError && failure.code === 'compacted';
      return { level: { ...emptyLevel(folderKey, false), error: describeError(failure) }, revision, compacted };
    }
  }

  function setLevel(path: string, level: TreeLevel): void {
    const next = new Map(levels.value);
    next.set(path, level);
    levels.value = next;
  }

  /** Loads the first (or next) page of one folder level, at the tree's pinned revision. */
  async function loadLevel(path: string, folderKey: Uint8Array): Promise<void> {
    const existing = levels.value.get(path);
    if (existing?.loading) return;
    const base = existing ?? emptyLevel(folderKey, false);
    setLevel(path, { ...base, loading: true, error: null });
    const { level, revision, compacted } = await fetchLevel(folderKey, base.next, treeRevision.value);
    if (compacted) {
      // The pinned revision was compacted away between pages: start over at the current revision.
      setLevel(path, { ...base, loading: false });
      await reloadTree();
      return;
    }
    treeRevision.value ??= revision;
    setLevel(path, level.error ? { ...base, loading: false, error: level.error } : { ...level, entries: [...base.entries, ...level.entries] });
  }

  /** Opens or closes a folder, loading its first page on first open. */
  async function toggleFolder(path: string, folderKey: Uint8Array): Promise<void> {
    const next = new Set(expanded.value);
    if (next.has(path)) {
      next.delete(path);
      expanded.value = next;
      return;
    }
    next.add(path);
    expanded.value = next;
    if (!levels.value.has(path)) await loadLevel(path, folderKey);
  }

  /** Loads the next page of a folder (or of the root). */
  async function loadMoreLevel(path: string): Promise<void> {
    const level = levels.value.get(path);
    if (level?.more) await loadLevel(path, level.prefix);
  }

  function setMode(next: KeysMode): void {
    mode.value = next;
    saveSetting('keysMode', next);
    void reload();
  }

  function setSeparator(next: string): void {
    separator.value = next;
    saveSetting('separator', next);
    expanded.value = new Set();
    void reload();
  }

  function setSearch(next: string): void {
    search.value = next;
    void reload();
  }

  function select(key: Uint8Array | null): void {
    selected.value = key;
  }

  /** Opens every folder on the way to a key so that it shows in the tree (after creating it, for example). */
  async function reveal(key: Uint8Array): Promise<void> {
    select(key);
    if (!showsTree.value || separator.value === '') return;
    const text = pathText(key);
    if (!text.startsWith(search.value)) return;
    let index = text.indexOf(separator.value, search.value.length);
    const next = new Set(expanded.value);
    while (index >= 0) {
      next.add(text.slice(0, index + separator.value.length));
      index = text.indexOf(separator.value, index + separator.value.length);
    }
    expanded.value = next;
  }

  return {
    mode, separator, search, selected, selectedPath, listItems, listMore, listRevision, listTotal, listLoading, listError,
    levels, expanded, treeRevision, treeTotal, showsTree, treeRows, rootLevel,
    reload, loadMoreList, toggleFolder, loadMoreLevel, setMode, setSeparator, setSearch, select, reveal,
  };
});
