// Export a prefix to a JSON file and import one back: the export reads every page at one revision (values
// larger than a listing carries are fetched one by one); the import writes one transaction per batch.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { valuePreviewBytesMax } from '../../../electron/common/limits.ts';
import { api, describeError, unwrap } from '../api/index.ts';
import { downloadFile } from '../api/platform.ts';
import { displayText, utf8Bytes } from '../lib/bytes.ts';
import { exportFormat, parseExport, toEntry, type ExportEntry, type ExportFile } from '../lib/export-format.ts';
import { useConnectionsStore } from './connections.ts';
import { useUiStore } from './ui.ts';

/** Most keys one export holds: the file is built in memory. */
export const exportKeysMax = 200_000;
/** Puts per import transaction, below etcd's default limit of 128 operations per transaction. */
export const importBatchKeys = 100;

/** The transfer store. */
export const useTransferStore = defineStore('transfer', () => {
  const connections = useConnectionsStore();
  const ui = useUiStore();
  const progress = ref<string | null>(null);

  async function exportPrefix(prefixText: string): Promise<void> {
    const connectionId = connections.connectionId;
    const prefix = utf8Bytes(prefixText);
    const entries: ExportEntry[] = [];
    let revision: number | undefined;
    let after: Uint8Array | undefined;
    progress.value = 'Exporting…';
    try {
      while (entries.length < exportKeysMax) {
        const page = await unwrap(api().keys.list({ connectionId, prefix, keysOnly: false, valuePreviewBytes: valuePreviewBytesMax, limit: 500, ...(revision ? { revision } : {}), ...(after ? { after } : {}) }));
        revision ??= page.revision;
        for (const kv of page.kvs) {
          const full = kv.valueTruncated ? (await unwrap(api().keys.get({ connectionId, key: kv.key, revision, valueBytesMax: kv.valueSize ?? undefined }))).kv ?? kv : kv;
          entries.push(toEntry(full.key, full.value));
        }
        progress.value = `Exporting… ${entries.length.toLocaleString()} keys`;
        if (!page.more || !page.next) break;
        after = page.next;
      }
      const file: ExportFile = { format: exportFormat, prefix: prefixText, revision: revision ?? 0, exportedAt: new Date().toISOString(), keys: entries };
      const name = (prefixText.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '') || 'all-keys') + '.json';
      downloadFile(name, JSON.stringify(file, null, 2), 'application/json');
      ui.notify('success', `Exported ${entries.length.toLocaleString()} keys at revision ${revision}${entries.length >= exportKeysMax ? ` (stopped at the limit of ${exportKeysMax.toLocaleString()})` : ''}.`);
    } catch (failure) {
      ui.notify('error', `The export failed: ${describeError(failure)}`);
    } finally {
      progress.value = null;
    }
  }

  /** Imports a file after a preview; resolves true when keys were written. */
  async function importFile(text: string, fileName: string): Promise<boolean> {
    const parsed = parseExport(text);
    if ('error' in parsed) {
      ui.notify('error', `${fileName} cannot be imported: ${parsed.error}`);
      return false;
    }
    const { pairs } = parsed;
    const sample = pairs.slice(0, 10).map((pair) => displayText(pair.key));
    if (pairs.length > sample.length) sample.push(`… and ${(pairs.length - sample.length).toLocaleString()} more`);
    const confirmed = await ui.confirm({
      title: 'Import keys',
      message: `Write ${pairs.length.toLocaleString()} keys from ${fileName} (exported from “${parsed.file.prefix || 'every key'}” at revision ${parsed.file.revision})? Existing keys with the same names are overwritten. Keys are written in transactions of ${importBatchKeys}.`,
      details: sample,
      confirmLabel: `Import ${pairs.length.toLocaleString()} keys`,
    });
    const target = confirmed ? await connections.guardWrite(`Import ${pairs.length} keys from ${fileName}.`) : null;
    if (!target) return false;
    let written = 0;
    try {
      for (let offset = 0; offset < pairs.length; offset += importBatchKeys) {
        const batch = pairs.slice(offset, offset + importBatchKeys);
        await unwrap(api().keys.txn({ ...target, compare: [], success: batch.map((pair) => ({ type: 'put' as const, key: pair.key, value: pair.value })), failure: [] }));
        written += batch.length;
        progress.value = `Importing… ${written.toLocaleString()} of ${pairs.length.toLocaleString()}`;
      }
      ui.notify('success', `Imported ${written.toLocaleString()} keys.`);
      return true;
    } catch (failure) {
      ui.notify('error', `The import stopped after ${written.toLocaleString()} keys: ${describeError(failure)}`);
      return written > 0;
    } finally {
      progress.value = null;
    }
  }

  return { progress, exportPrefix, importFile };
});
