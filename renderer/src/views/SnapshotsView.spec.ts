import { mount, type VueWrapper } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { defineComponent, h, KeepAlive } from 'vue';
import { restoreConfirmation, type CairnApi, type CairnError, type LocalClusterState, type OperationProgress, type Result, type SnapshotInfo } from '../../../electron/common/contract.ts';
import { setApi } from '../api/index.ts';
import ConfirmDialog from '../components/ConfirmDialog.vue';
import { useUiStore } from '../stores/ui.ts';
import { settle, startTestApp, type TestApp } from '../testing/setup.ts';
import SnapshotsView from './SnapshotsView.vue';

let app: TestApp;
let wrapper: VueWrapper | undefined;

const snapshot: SnapshotInfo = {
  id: 'snap-1', fileName: 'snap-1.db', path: '/data/snapshots/snap-1.db', sizeBytes: 73_760, revision: 42,
  sha256: 'a'.repeat(64), takenAt: '2026-11-23T10:00:00.000Z', connectionName: 'Local cluster', inLibrary: true,
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
afterEach(() => wrapper?.unmount());

async function mountSnapshots(): Promise<VueWrapper> {
  wrapper = mount(defineComponent({ render: () => [h(KeepAlive, null, [h(SnapshotsView)]), h(ConfirmDialog)] }), { global: { plugins: [app.pinia] }, attachTo: document.body });
  await settle();
  return wrapper;
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
