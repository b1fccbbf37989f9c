// The open key: its value as text (or hex/base64 when binary), the user's draft, and the writes. A save is a
// compare-and-swap on the mod revision the value was loaded at; when someone else changed the key meanwhile,
// the draft is kept and the conflict (with the server's current value) is shown for merge or overwrite.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { KeyHistory, KeyValue } from '../../../electron/common/contract.ts';
import { valueBytesDefault, valueBytesMax } from '../../../electron/common/limits.ts';
import { api, describeError, unwrap } from '../api/index.ts';
import { decodeUtf8, formatBytes, fromBase64, fromHex, hexDump, isText, toBase64 } from '../lib/bytes.ts';
import { pathText } from '../lib/tree-rows.ts';
import { detectFormat, validateFormat, type ValueFormat } from '../lib/value-format.ts';
import { useConnectionsStore } from './connections.ts';
import { useUiStore } from './ui.ts';

/** How a value is shown in the editor. */
export type ValueView = 'text' | 'hex' | 'base64';

/** Renders bytes for the chosen view; hex is a read-only dump, so editing binary goes through base64. */
export function renderValue(bytes: Uint8Array, view: ValueView): string {
  if (view === 'hex') return hexDump(bytes);
  if (view === 'base64') return toBase64(bytes);
  return decodeUtf8(bytes) ?? '';
}

/** Parses the editor text back to bytes, or explains why it cannot be. */
export function parseValue(text: string, view: ValueView): { bytes: Uint8Array } | { error: string } {
  if (view === 'text') return { bytes: new TextEncoder().encode(text) };
  if (view === 'base64') {
    const bytes = fromBase64(text);
    return bytes ? { bytes } : { error: 'The value is not valid base64: only A–Z, a–z, 0–9, +, / and = padding are allowed.' };
  }
  const bytes = fromHex(text);
  return bytes ? { bytes } : { error: 'The value is not valid hex: use pairs of the digits 0–9 and a–f.' };
}

/** The key editor store. */
export const useKeyEditorStore = defineStore('keyEditor', () => {
  const connections = useConnectionsStore();
  const ui = useUiStore();
  const key = shallowRef<Uint8Array | null>(null);
  const isNew = ref(false);
  const kv = shallowRef<KeyValue | null>(null);
  const loading = ref(false);
  const loadError = ref<string | null>(null);
  const view = ref<ValueView>('text');
  const format = ref<ValueFormat>('text');
  const draft = ref('');
  const loadedText = ref('');
  const saving = ref(false);
  const saveError = ref<string | null>(null);
  const conflict = shallowRef<{ current: KeyValue | null } | null>(null);
  const history = shallowRef<KeyHistory | null>(null);
  const historyLoading = ref(false);
  const historyError = ref<string | null>(null);
  const compareWith = shallowRef<KeyValue | null>(null);

  const path = computed(() => (key.value ? pathText(key.value) : ''));
  const isBinary = computed(() => kv.value !== null && !isText(kv.value.value));
  const truncated = computed(() => kv.value?.valueTruncated ?? false);
  /** Hex dumps and cut-short values are shown but not editable. */
  const readOnly = computed(() => truncated.value || view.value === 'hex');
  const dirty = computed(() => isNew.value || draft.value !== loadedText.value);
  const problems = computed(() => (view.value === 'text' ? validateFormat(draft.value, format.value) : []));
  const sizeText = computed(() => (kv.value?.valueSize !== null && kv.value ? formatBytes(kv.value.valueSize) : ''));

  function showValue(value: KeyValue | null): void {
    kv.value = value;
    const bytes = value?.value ?? new Uint8Array();
    view.value = value && !isText(bytes) ? 'hex' : 'text';
    loadedText.value = renderValue(bytes, view.value);
    draft.value = loadedText.value;
    format.value = view.value === 'text' ? detectFormat(loadedText.value) : 'text';
  }

  /** Opens a key and loads its value (at most `valueBytesDefault` bytes unless `full`). */
  async function open(target: Uint8Array, full = false): Promise<void> {
    key.value = target;
    isNew.value = false;
    conflict.value = null;
    saveError.value = null;
    history.value = null;
    compareWith.value = null;
    loading.value = true;
    loadError.value = null;
    try {
      const limit = full ? Math.min(valueBytesMax, kv.value?.valueSize ?? valueBytesMax) : valueBytesDefault;
      const result = await unwrap(api().keys.get({ connectionId: connections.connectionId, key: target, valueBytesMax: limit }));
      if (key.value !== target) return;
      if (!result.kv) {
        kv.value = null;
        loadError.value = 'This key no longer exists: it was deleted, or it expired with its lease.';
        return;
      }
      showValue(result.kv);
    } catch (failure) {
      loadError.value = describeError(failure);
    } finally {
      loading.value = false;
    }
  }

  /** Starts a new key: nothing is written until save. */
  function startNew(target: Uint8Array, initialText = ''): void {
    key.value = target;
    isNew.value = true;
    kv.value = null;
    loadError.value = null;
    conflict.value = null;
    saveError.value = null;
    history.value = null;
    view.value = 'text';
    loadedText.value = '';
    draft.value = initialText;
    format.value = detectFormat(initialText);
  }

  function close(): void {
    key.value = null;
    kv.value = null;
    isNew.value = false;
    conflict.value = null;
  }

  /** The bytes the editor holds now, or undefined when the draft does not parse. */
  function currentBytes(): Uint8Array | undefined {
    if (view.value === 'hex') return kv.value?.value ?? new Uint8Array();
    const parsed = parseValue(draft.value, view.value);
    return 'bytes' in parsed ? parsed.bytes : undefined;
  }

  /** Switches between text, hex and base64, carrying the draft over when it parses. */
  function setView(next: ValueView): void {
    const bytes = currentBytes();
    if (!bytes) {
      saveError.value = 'Fix the value before switching views.';
      return;
    }
    if (next === 'text' && !isText(bytes)) {
      saveError.value = 'This value is not text; it can be edited as base64.';
      return;
    }
    const wasDirty = dirty.value;
    view.value = next;
    draft.value = renderValue(bytes, next);
    loadedText.value = wasDirty ? renderValue(kv.value?.value ?? new Uint8Array(), next) : draft.value;
    saveError.value = null;
  }

  /** Saves the draft with a compare-and-swap on the loaded mod revision (or on "does not exist" for a new key). */
  async function save(expectedModRevision?: number): Promise<boolean> {
    if (!key.value || readOnly.value) return false;
    const parsed = parseValue(draft.value, view.value);
    if ('error' in parsed) {
      saveError.value = parsed.error;
      return false;
    }
    const target = await connections.guardWrite(`Save the value of ${path.value}.`);
    if (!target) return false;
    saving.value = true;
    saveError.value = null;
    const expected = expectedModRevision ?? (isNew.value ? 0 : kv.value?.modRevision ?? 0);
    try {
      const outcome = await unwrap(api().keys.put({
        ...target,
        key: key.value,
        value: parsed.bytes,
        expectedModRevision: expected,
        // Rewriting a key would detach its lease; the compare-and-swap put carries the lease it had.
        ...(kv.value && kv.value.lease !== '0' && !isNew.value ? { lease: kv.value.lease } : {}),
      }));
      if (outcome.outcome === 'conflict') {
        conflict.value = { current: outcome.current };
        return false;
      }
      const savedText = draft.value;
      conflict.value = null;
      await open(key.value);
      // Keep exactly what the user typed on screen (the reload renders the same bytes).
      if (view.value === 'text') draft.value = savedText;
      ui.notify('success', `Saved ${path.value} at revision ${outcome.revision}.`);
      return true;
    } catch (failure) {
      saveError.value = describeError(failure);
      return false;
    } finally {
      saving.value = false;
    }
  }

  /** Resolves a conflict by writing the draft over what is now on the server. */
  function overwrite(): Promise<boolean> {
    return save(conflict.value?.current?.modRevision ?? 0);
  }

  /** Resolves a conflict by dropping the draft and loading the server's value. */
  async function takeTheirs(): Promise<void> {
    if (key.value) await open(key.value);
  }

  /** Deletes the open key after confirmation, only if it did not change since it was loaded. */
  async function remove(): Promise<boolean> {
    if (!key.value || !kv.value) return false;
    const confirmed = await ui.confirm({ title: 'Delete key', message: `Delete ${path.value}?`, confirmLabel: 'Delete', danger: true });
    const target = confirmed ? await connections.guardWrite(`Delete ${path.value}.`) : null;
    if (!target) return false;
    try {
      const outcome = await unwrap(api().keys.delete({ ...target, key: key.value, expectedModRevision: kv.value.modRevision }));
      if (outcome.outcome === 'conflict') {
        ui.notify('error', `${path.value} changed since you opened it, so it was not deleted. Reload it and try again.`);
        return false;
      }
      ui.notify('success', `Deleted ${path.value}.`);
      close();
      return true;
    } catch (failure) {
      ui.notify('error', `Could not delete ${path.value}: ${describeError(failure)}`);
      return false;
    }
  }

  /** Loads earlier versions of the key (newest first), or the next older batch. */
  async function loadHistory(older = false): Promise<void> {
    if (!key.value) return;
    historyLoading.value = true;
    historyError.value = null;
    const before = older ? history.value?.versions.at(-1)?.modRevision : undefined;
    try {
      const page = await unwrap(api().keys.history({ connectionId: connections.connectionId, key: key.value, limit: 50, ...(before ? { beforeRevision: before } : {}) }));
      history.value = older && history.value ? { ...page, versions: [...history.value.versions, ...page.versions] } : page;
    } catch (failure) {
      historyError.value = describeError(failure);
    } finally {
      historyLoading.value = false;
    }
  }

  /** Puts an earlier version's value back as the current one (compare-and-swap on the loaded revision). */
  async function restoreVersion(version: KeyValue): Promise<void> {
    if (version.valueTruncated) {
      ui.notify('error', 'This version is too large to restore from the GUI.');
      return;
    }
    view.value = isText(version.value) ? 'text' : 'base64';
    draft.value = renderValue(version.value, view.value);
    compareWith.value = null;
    if (await save()) ui.notify('success', `Restored the version from revision ${version.modRevision}.`);
  }

  /** Attaches a lease to the key ('0' detaches), keeping its value. */
  async function setLease(lease: string): Promise<void> {
    if (!key.value || !kv.value) return;
    if (kv.value.valueTruncated) {
      ui.notify('error', 'Load the full value before changing the lease: the key is rewritten with its value.');
      return;
    }
    const target = await connections.guardWrite(`${lease === '0' ? 'Detach the lease from' : `Attach lease ${lease} to`} ${path.value}.`);
    if (!target) return;
    try {
      const outcome = await unwrap(api().keys.put({ ...target, key: key.value, value: kv.value.value, lease, expectedModRevision: kv.value.modRevision }));
      if (outcome.outcome === 'conflict') ui.notify('error', `${path.value} changed since you opened it; reload it and try again.`);
      else ui.notify('success', lease === '0' ? 'Lease detached.' : `Lease ${lease} attached.`);
      await open(key.value);
    } catch (failure) {
      ui.notify('error', describeError(failure));
    }
  }

  return {
    key, isNew, kv, loading, loadError, view, format, draft, loadedText, saving, saveError, conflict, history, historyLoading,
    historyError, compareWith, path, isBinary, truncated, readOnly, dirty, problems, sizeText,
    open, startNew, close, setView, save, overwrite, takeTheirs, remove, loadHistory, restoreVersion, setLease,
  };
});
