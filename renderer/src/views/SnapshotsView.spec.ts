import type { VueWrapper } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { restoreConfirmation, type CairnApi, type CairnError, type LocalClusterState, type OperationProgress, type Result, type SnapshotImportArgs, type SnapshotInfo } from '../../../electron/common/contract.ts';
import { snapshotImportChunkBytesMax } from '../../../electron/common/limits.ts';
import { setApi } from '../api/index.ts';
import ConfirmDialog from '../components/ConfirmDialog.vue';
import { useUiStore } from '../stores/ui.ts';
import { mountScreen, unmountScreens } from '../testing/mount-screen.ts';
import { settle, startTestApp, type TestApp } from '../testing/setup.ts';
import SnapshotsView from './SnapshotsView.vue';

let app: TestApp;

const snapshot: SnapshotInfo = {
  id: 'snap-1', fileName: 'snap-1.db', path: '/data/snapshots/snap-1.db', sizeBytes: 73_760, revision: 42,
  sha256: 'a'.repeat(64), takenAt: '2026-11-23T10:00:00.000Z', importedAt: null, connectionName: 'Local cluster', inLibrary: true,
};

/** What the fake main does when asked to restore: emits progress, then answers with `answer`. */
interface RestoreScript {
  steps: string[];
  answer: () => Result<LocalClusterState>;
  calls: unknown[];
  /** Resolves the pending call, so a test can look at the screen while the restore runs. */
  release?: () => void;
}

let script: RestoreScript;

/** The fake API with a library of one snapshot and a scripted restore (the shared fake has neither). */
function installRestoreApi(): void {
  const base = app.fake.api;
  const override: Partial<Record<string, Record<string, unknown>>> = {
    maintenance: { listSnapshots: async () => ({ ok: true, value: [snapshot] }) },
    localCluster: {
      restoreSnapshot: (args: { operationId: string }) => {
        script.calls.push(args);
        for (const step of script.steps) app.fake.emitProgress({ operationId: args.operationId, kind: 'restore', phase: 'running', step, bytesDone: 10, bytesTotal: 30 } satisfies OperationProgress);
        return new Promise((resolve) => (script.release = () => resolve(script.answer())));
      },
    },
  };
  setApi(new Proxy({} as CairnApi, {
    get: (_target, service: string) => new Proxy({}, {
      get: (_inner, method: string) => override[service]?.[method] ?? (base as unknown as Record<string, Record<string, unknown>>)[service]![method],
    }),
  }));
}

beforeEach(async () => {
  app = await startTestApp();
  script = { steps: [], calls: [], answer: () => ({ ok: true, value: app.fake.local }) };
  installRestoreApi();
});
afterEach(unmountScreens);

/** The Snapshots screen with the app-wide confirmation dialog beside it. */
function mountSnapshots(): Promise<VueWrapper> {
  return mountScreen(app, SnapshotsView, [ConfirmDialog]);
}

/** Clicks Restore, types `phrase` into the dialog and presses its confirm button; returns whether it was enabled. */
async function restoreWithPhrase(view: VueWrapper, phrase: string): Promise<boolean> {
  await view.get('[data-testid="restore-snapshot"]').trigger('click');
  await settle();
  expect(useUiStore().pendingConfirm?.typeToConfirm).toBe(restoreConfirmation);
  const input = view.get('.modal input, [role="dialog"] input');
  await input.setValue(phrase);
  const confirm = view.findAll('button').find((button) => button.text() === 'Restore')!;
  const enabled = confirm.attributes('disabled') === undefined;
  if (enabled) await confirm.trigger('click');
  await settle();
  return enabled;
}

describe('SnapshotsView restore', () => {
  test('the restore waits for the exact phrase, shows progress while it runs, then says in words that the data is back', async () => {
    script.steps = ['Unpacking the snapshot for member-1 (1 of 3)', 'Starting the members on the restored data'];
    const view = await mountSnapshots();
    expect(view.get('[data-testid="snapshots-table"]').text()).toContain('42');
    expect(await restoreWithPhrase(view, 'replace local data')).toBe(false);
    expect(script.calls).toEqual([]);
    await view.get('.modal input, [role="dialog"] input').setValue(restoreConfirmation);
    await view.findAll('button').find((button) => button.text() === 'Restore')!.trigger('click');
    await settle();
    expect(script.calls).toEqual([expect.objectContaining({ snapshotId: 'snap-1', confirm: restoreConfirmation })]);
    const progress = view.get('[data-testid="snapshot-progress"]');
    expect(progress.text()).toContain('Restoring: Starting the members on the restored data');
    expect(view.get('[data-testid="restore-snapshot"]').attributes('disabled'), 'one restore at a time').toBeDefined();
    script.release!();
    await settle();
    expect(view.find('[data-testid="snapshot-progress"]').exists()).toBe(false);
    const outcome = view.get('[data-testid="restore-outcome"]');
    expect(outcome.text()).toContain('Restore finished');
    expect(outcome.text()).toContain('The local cluster is back with the data of snap-1.db (revision 42)');
    expect(outcome.text()).toContain('Keys written after the snapshot are gone.');
    await outcome.findAll('button').find((button) => button.text() === 'Dismiss')!.trigger('click');
    expect(view.find('[data-testid="restore-outcome"]').exists()).toBe(false);
  });

  test('a refused restore stays on screen in plain words, with the tool\'s own message under Details', async () => {
    const error: CairnError = {
      code: 'invalid-argument',
      message: 'The snapshot file is damaged: its contents do not match the sha256 checksum saved with it. Nothing was changed.',
      detail: 'expected sha256 [1 2 3], got [4 5 6]',
    };
    script.answer = () => ({ ok: false, error });
    const view = await mountSnapshots();
    const pending = restoreWithPhrase(view, restoreConfirmation);
    for (let round = 0; round < 20 && !script.release; round++) await settle(1);
    script.release!();
    expect(await pending).toBe(true);
    await settle();
    const outcome = view.get('[data-testid="restore-outcome"]');
    expect(outcome.attributes('role')).toBe('alert');
    expect(outcome.text()).toContain('Restore failed');
    expect(outcome.text()).toContain(error.message);
    expect(outcome.get('details').text()).toContain('expected sha256 [1 2 3], got [4 5 6]');
    expect(useUiStore().toasts.at(-1)?.message).toBe(`The restore failed: ${error.message}`);
  });
});

describe('SnapshotsView restore from a file', () => {
  // The shared fake imports chunks in order and restores library snapshots; no scripted restore here.
  beforeEach(() => setApi(app.fake.api));

  /** Picks `file` in the hidden file input, as the browser's file dialog does. */
  async function pick(view: VueWrapper, file: File): Promise<void> {
    const input = view.get('[data-testid="restore-file-input"]');
    Object.defineProperty(input.element, 'files', { value: [file], configurable: true });
    await input.trigger('change');
    await settle();
  }

  const confirmButton = (view: VueWrapper) => view.findAll('button').find((button) => button.text() === 'Restore')!;

  test('a picked file goes to main in chunks, joins the library, and is restored once the phrase is typed', async () => {
    const bytes = new Uint8Array(snapshotImportChunkBytesMax + 1000).map((_, index) => index % 251);
    const view = await mountSnapshots();
    expect(view.get('[data-testid="restore-from-file"]').text()).toBe('Restore from a file…');
    await pick(view, new File([bytes], 'nightly.db'));
    for (let round = 0; round < 20 && !useUiStore().pendingConfirm; round++) await settle(1);
    const chunks = app.fake.callsOf('maintenance', 'importSnapshot') as SnapshotImportArgs[];
    expect(chunks.map((chunk) => [chunk.offset, chunk.chunk.length, chunk.sizeBytes, chunk.fileName])).toEqual([
      [0, snapshotImportChunkBytesMax, bytes.length, 'nightly.db'],
      [snapshotImportChunkBytesMax, 1000, bytes.length, 'nightly.db'],
    ]);
    expect(new Set(chunks.map((chunk) => chunk.operationId)).size, 'one import').toBe(1);
    expect(Array.from(chunks[1]!.chunk.subarray(0, 3))).toEqual(Array.from(bytes.subarray(snapshotImportChunkBytesMax, snapshotImportChunkBytesMax + 3)));
    expect(view.get('[data-testid="snapshots-table"]').text(), 'listed before the restore is confirmed').toContain('nightly.db');
    expect(useUiStore().pendingConfirm?.message).toContain('nightly.db');
    await view.get('[role="dialog"] input').setValue(restoreConfirmation);
    await confirmButton(view).trigger('click');
    await settle();
    expect(app.fake.callsOf('localCluster', 'restoreSnapshot')).toEqual([expect.objectContaining({ snapshotId: 'imported-1', confirm: restoreConfirmation })]);
    expect(view.get('[data-testid="restore-outcome"]').text()).toContain('The local cluster is back with the data of nightly.db');
  });

  test('an imported file is labelled "Imported <date>" with its own revision; when it was taken shows as unknown', async () => {
    const taken: SnapshotInfo = { ...snapshot, takenAt: '2026-11-20T08:00:00.000Z' };
    const imported: SnapshotInfo = {
      ...snapshot, id: 'imported-x', fileName: 'prod-backup.db', revision: 977, takenAt: '2026-11-23T10:00:00.000Z', importedAt: '2026-11-23T10:00:00.000Z', connectionName: 'Imported file',
    };
    app.fake.snapshots = [imported, taken];
    const view = await mountSnapshots();
    const rows = view.findAll('[data-testid="snapshots-table"] tbody tr');
    const importedTaken = rows[0]!.get('[data-testid="snapshot-taken"]');
    expect(importedTaken.text()).toBe(`Unknown Imported ${new Date(imported.importedAt!).toLocaleString()}`);
    expect(importedTaken.attributes('title')).toContain('does not record when it was taken');
    expect(rows[0]!.get('[data-testid="imported-badge"]').text()).toBe('Imported');
    expect(rows[0]!.text()).toContain('977');
    expect(rows[1]!.get('[data-testid="snapshot-taken"]').text(), 'a snapshot Cairn took shows when').toBe(new Date(taken.takenAt).toLocaleString());
    expect(rows[1]!.find('[data-testid="imported-badge"]').exists()).toBe(false);
    expect(rows[1]!.text()).toContain('Local cluster');
    await rows[0]!.get('[data-testid="restore-snapshot"]').trigger('click');
    await settle();
    expect(useUiStore().pendingConfirm?.message).toContain(`prod-backup.db (revision 977, a file imported ${new Date(imported.importedAt!).toLocaleString()}; when it was taken is unknown)`);
    useUiStore().answer(false);
  });

  test('a file main refuses is explained on screen, with its reason under Details, and nothing is restored', async () => {
    app.fake.fail('maintenance', 'importSnapshot', {
      code: 'invalid-argument', message: 'The snapshot file is damaged: its contents do not match the sha256 checksum saved with it. Nothing was changed.',
      detail: 'expected sha256 [1 2], got [3 4]',
    });
    const view = await mountSnapshots();
    await pick(view, new File([new Uint8Array(544)], 'broken.db'));
    const outcome = view.get('[data-testid="restore-outcome"]');
    expect(outcome.attributes('role')).toBe('alert');
    expect(outcome.text()).toContain('The snapshot file is damaged');
    expect(outcome.get('details').text()).toContain('expected sha256 [1 2], got [3 4]');
    expect(useUiStore().toasts.at(-1)?.message).toMatch(/^broken\.db was not imported: The snapshot file is damaged/);
    expect(useUiStore().pendingConfirm).toBeUndefined();
    expect(app.fake.callsOf('localCluster', 'restoreSnapshot')).toEqual([]);
    expect(view.find('[data-testid="snapshot-progress"]').exists()).toBe(false);
  });

  test('an empty file is refused before anything is sent; a cancelled restore keeps the import in the library', async () => {
    const view = await mountSnapshots();
    await pick(view, new File([], 'empty.db'));
    expect(view.get('[data-testid="restore-outcome"]').text()).toContain('The file is empty.');
    expect(app.fake.callsOf('maintenance', 'importSnapshot')).toEqual([]);

    await pick(view, new File([new Uint8Array(544)], 'keep-me.db'));
    for (let round = 0; round < 20 && !useUiStore().pendingConfirm; round++) await settle(1);
    expect(view.find('[data-testid="restore-outcome"]').exists(), 'a new attempt clears the old outcome').toBe(false);
    await view.findAll('button').find((button) => button.text() === 'Cancel')!.trigger('click');
    await settle();
    expect(app.fake.callsOf('localCluster', 'restoreSnapshot')).toEqual([]);
    expect(useUiStore().toasts.at(-1)?.message).toBe('keep-me.db was added to the snapshot library; restore it from the list whenever you are ready.');
    expect(view.get('[data-testid="snapshots-table"]').text()).toContain('keep-me.db');
  });
});
