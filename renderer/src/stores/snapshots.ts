// Snapshots: take one into the app's library with a progress bar, list and delete them, and restore one into
// the local cluster (the user types the phrase the contract asks for; the cluster restarts with that data). A file
// the user picks is sent to main in chunks and checked there into the library first, then restored the same way.
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { restoreConfirmation, type Disposable, type OperationProgress, type SnapshotInfo } from '../../../electron/common/contract.ts';
import { snapshotImportBytesMax, snapshotImportChunkBytesMax } from '../../../electron/common/limits.ts';
import { api, ApiError, describeError, unwrap } from '../api/index.ts';
import { formatBytes } from '../lib/bytes.ts';
import { useConnectionsStore } from './connections.ts';
import { useStatusStore } from './status.ts';
import { useUiStore } from './ui.ts';

let operationCounter = 0;

/** How the last restore ended, kept on screen (a toast alone is gone before a restore's outcome is read). */
export interface RestoreOutcome {
  phase: 'done' | 'failed';
  /** Plain words: what happened and what state the local cluster is in. */
  message: string;
  /** The underlying tool's own words, for the curious (e.g. cairn-util's sha256 message). */
  detail: string | null;
}

/** A fresh id for a long operation, so its progress events can be matched before the call returns. */
function newOperationId(kind: string): string {
  operationCounter++;
  return `${kind}-${Date.now().toString(36)}-${operationCounter}`;
}

/** Where a snapshot comes from, in words: its revision and who took it when, or when it was imported. */
export function describeOrigin(snapshot: SnapshotInfo): string {
  if (snapshot.importedAt !== null) return `revision ${snapshot.revision}, a file imported ${new Date(snapshot.importedAt).toLocaleString()}; when it was taken is unknown`;
  return `revision ${snapshot.revision}, ${snapshot.connectionName}, taken ${new Date(snapshot.takenAt).toLocaleString()}`;
}

/** The snapshots store. */
export const useSnapshotsStore = defineStore('snapshots', () => {
  const connections = useConnectionsStore();
  const ui = useUiStore();
  const snapshots = shallowRef<SnapshotInfo[]>([]);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const progress = shallowRef<OperationProgress | null>(null);
  const restoreOutcome = shallowRef<RestoreOutcome | null>(null);
  let currentOperation: string | null = null;
  let subscription: Disposable | undefined;

  function subscribe(): void {
    subscription ??= api().maintenance.onDidProgress((update) => {
      if (update.operationId === currentOperation) progress.value = update;
    });
  }

  async function refresh(): Promise<void> {
    subscribe();
    loading.value = true;
    try {
      snapshots.value = await unwrap(api().maintenance.listSnapshots());
      error.value = null;
    } catch (failure) {
      error.value = describeError(failure);
    } finally {
      loading.value = false;
    }
  }

  async function take(): Promise<void> {
    subscribe();
    currentOperation = newOperationId('snapshot');
    progress.value = { operationId: currentOperation, kind: 'snapshot', phase: 'running', step: 'Starting', bytesDone: 0, bytesTotal: null };
    try {
      const info = await unwrap(api().maintenance.saveSnapshot({ connectionId: connections.connectionId, operationId: currentOperation, destination: 'library' }));
      ui.notify('success', `Snapshot saved: ${info.fileName} (revision ${info.revision}).`);
    } catch (failure) {
      ui.notify('error', `The snapshot failed: ${describeError(failure)}`);
    } finally {
      progress.value = null;
      currentOperation = null;
      await refresh();
    }
  }

  async function remove(snapshot: SnapshotInfo): Promise<void> {
    if (!(await ui.confirm({ title: 'Delete snapshot', message: `Delete ${snapshot.fileName}? The file is removed from disk.`, confirmLabel: 'Delete', danger: true }))) return;
    try {
      await unwrap(api().maintenance.deleteSnapshot({ id: snapshot.id }));
      await refresh();
    } catch (failure) {
      ui.notify('error', describeError(failure));
    }
  }

  async function restore(snapshot: SnapshotInfo): Promise<boolean> {
    const confirmed = await ui.confirm({
      title: 'Restore into the local cluster',
      message: `Replace all data of the local cluster with ${snapshot.fileName} (${describeOrigin(snapshot)})? The snapshot is checked and unpacked first; then every member is stopped, its data replaced, and the cluster started again. Keys written since the snapshot are lost. If the restored cluster does not start, the current data is put back.`,
      confirmLabel: 'Restore',
      danger: true,
      typeToConfirm: restoreConfirmation,
    });
    if (!confirmed) return false;
    subscribe();
    currentOperation = newOperationId('restore');
    restoreOutcome.value = null;
    progress.value = { operationId: currentOperation, kind: 'restore', phase: 'running', step: 'Starting', bytesDone: 0, bytesTotal: null };
    try {
      const state = await unwrap(api().localCluster.restoreSnapshot({ snapshotId: snapshot.id, confirm: restoreConfirmation, operationId: currentOperation }));
      const message = `The local cluster is back with the data of ${snapshot.fileName} (revision ${snapshot.revision}): ${state.members.length} member${state.members.length === 1 ? '' : 's'} running. Keys written after the snapshot are gone.`;
      restoreOutcome.value = { phase: 'done', message, detail: null };
      ui.notify('success', message);
      // The store revision went back to the snapshot's: let the status bar say so now, not at its next refresh.
      void useStatusStore().poll();
      return true;
    } catch (failure) {
      const message = describeError(failure);
      restoreOutcome.value = { phase: 'failed', message, detail: failure instanceof ApiError ? (failure.detail ?? null) : null };
      ui.notify('error', `The restore failed: ${message}`);
      return false;
    } finally {
      progress.value = null;
      currentOperation = null;
    }
  }

  /**
   * Sends a file the user picked to main in chunks (main checks its sha256 trailer and reads it with cairn-util),
   * so it joins the library; then asks to restore it as any library snapshot. Resolves true when it was restored.
   */
  async function restoreFromFile(file: File): Promise<boolean> {
    restoreOutcome.value = null;
    const imported = await importFile(file);
    if (!imported) return false;
    await refresh();
    const restored = await restore(imported);
    if (!restored && restoreOutcome.value === null) {
      ui.notify('info', `${imported.fileName} was added to the snapshot library; restore it from the list whenever you are ready.`);
    }
    return restored;
  }

  async function importFile(file: File): Promise<SnapshotInfo | null> {
    const refuse = (message: string, detail: string | null = null): null => {
      restoreOutcome.value = { phase: 'failed', message, detail };
      ui.notify('error', `${file.name} was not imported: ${message}`);
      return null;
    };
    if (file.size === 0) return refuse('The file is empty. Pick a snapshot saved by Cairn or by etcdctl snapshot save.');
    if (file.size > snapshotImportBytesMax) return refuse(`The file is ${formatBytes(file.size)}; Cairn imports snapshots up to ${formatBytes(snapshotImportBytesMax)}.`);
    subscribe();
    currentOperation = newOperationId('import');
    const operationId = currentOperation;
    const step = `Reading ${file.name} into the snapshot library`;
    progress.value = { operationId, kind: 'restore', phase: 'running', step, bytesDone: 0, bytesTotal: file.size };
    try {
      let imported: SnapshotInfo | null = null;
      for (let offset = 0; offset < file.size; offset += snapshotImportChunkBytesMax) {
        const chunk = new Uint8Array(await file.slice(offset, offset + snapshotImportChunkBytesMax).arrayBuffer());
        const last = offset + chunk.length >= file.size;
        if (last) progress.value = { operationId, kind: 'restore', phase: 'running', step: `Checking ${file.name} (sha256 and database)`, bytesDone: file.size, bytesTotal: file.size };
        imported = await unwrap(api().maintenance.importSnapshot({ operationId, fileName: file.name, sizeBytes: file.size, offset, chunk }));
        if (!last) progress.value = { operationId, kind: 'restore', phase: 'running', step, bytesDone: offset + chunk.length, bytesTotal: file.size };
      }
      if (!imported) throw new Error('main did not confirm the last part of the file');
      ui.notify('success', `${imported.fileName} is in the snapshot library (revision ${imported.revision}).`);
      return imported;
    } catch (failure) {
      return refuse(describeError(failure), failure instanceof ApiError ? (failure.detail ?? null) : null);
    } finally {
      progress.value = null;
      currentOperation = null;
    }
  }

  /** Hides the last restore's outcome. */
  function dismissRestoreOutcome(): void {
    restoreOutcome.value = null;
  }

  return { snapshots, loading, error, progress, restoreOutcome, refresh, take, remove, restore, restoreFromFile, dismissRestoreOutcome };
});
