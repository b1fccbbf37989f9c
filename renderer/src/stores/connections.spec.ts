// Every write path of the GUI on a production connection: nothing is sent until the user typed the name, and
// then the call carries it (`productionConfirmation`), which main requires (the fake applies main's rule).
import { beforeEach, describe, expect, test } from 'vitest';
import { changesCluster } from '../../../electron/common/contract-writes.ts';
import { startTestApp, settle, useProductionConnection, type TestApp } from '../testing/setup.ts';
import { useAuthStore } from './auth.ts';
import { useClusterStore } from './cluster.ts';
import { useConnectionsStore } from './connections.ts';
import { useKeyEditorStore } from './key-editor.ts';
import { useLeasesStore } from './leases.ts';
import { useMaintenanceStore } from './maintenance.ts';
import { useTransferStore } from './transfer.ts';
import { useUiStore } from './ui.ts';

const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);
const prodName = 'Payments prod';
let app: TestApp;

beforeEach(async () => {
  app = await startTestApp();
  app.fake.keyspace.put('/app/config', 'v1');
});

/** Answers every confirmation the action raises (the delete's own question, then the production name). */
async function confirmingEverything(action: () => Promise<unknown>): Promise<string[]> {
  const ui = useUiStore();
  const asked: string[] = [];
  const running = action();
  for (let round = 0; round < 20; round++) {
    await settle(1);
    const pending = ui.pendingConfirm;
    if (!pending) continue;
    asked.push(pending.typeToConfirm ?? pending.title);
    ui.answer(true);
  }
  await running;
  return asked;
}

/** Each write path of the stores, as a user would trigger it. */
const writePaths: [string, () => Promise<unknown>][] = [
  ['save a key', async () => {
    const editor = useKeyEditorStore();
    await editor.open(bytes('/app/config'));
    editor.draft = 'v2';
    await editor.save();
  }],
  ['create a key', async () => {
    const editor = useKeyEditorStore();
    editor.startNew(bytes('/app/new'), 'fresh');
    await editor.save();
  }],
  ['delete a key', async () => {
    const editor = useKeyEditorStore();
    await editor.open(bytes('/app/config'));
    await editor.remove();
  }],
  ['attach a lease', async () => {
    const editor = useKeyEditorStore();
    await editor.open(bytes('/app/config'));
    await editor.setLease('7');
  }],
  ['import keys', () => useTransferStore().importFile(JSON.stringify({ format: 'cairn-export/1', prefix: '/', revision: 1, exportedAt: '', keys: [{ key: '/imported', value: '1' }] }), 'keys.json')],
  ['grant a lease', () => useLeasesStore().grant(60)],
  ['revoke a lease', () => useLeasesStore().revoke('7')],
  ['add a member', () => useClusterStore().addMember(['http://10.0.0.4:2380'], true)],
  ['promote a learner', () => useClusterStore().promoteMember('2', 'member-2')],
  ['move the leader', () => useClusterStore().moveLeader('2', 'member-2')],
  ['remove a member', () => useClusterStore().removeMember('3', 'member-3')],
  ['defragment', () => useMaintenanceStore().defragment(['http://127.0.0.1:2379'])],
  ['compact', () => useMaintenanceStore().compact(2, false)],
  ['disarm an alarm', () => useMaintenanceStore().disarm({ memberId: '1', alarm: 'nospace' })],
  ['add a role', () => useAuthStore().addRole('reader')],
  ['enable auth', () => useAuthStore().setEnabled(true)],
];

/** The recorded calls that change the cluster. */
function writes(): { service: string; method: string; args: Record<string, unknown> }[] {
  return app.fake.calls.filter((call) => changesCluster(call.service, call.method, call.args)) as never;
}

describe('production confirmation', () => {
  test.each(writePaths)('%s on production sends the typed name with the call, and main accepts it', async (_name, action) => {
    await useProductionConnection(app, prodName);
    const asked = await confirmingEverything(action);
    expect(asked).toContain(prodName);
    expect(writes().length).toBeGreaterThan(0);
    for (const write of writes()) expect(write.args).toMatchObject({ connectionId: 'prod', productionConfirmation: prodName });
    expect(useUiStore().toasts.filter((toast) => toast.kind === 'error')).toEqual([]);
  });

  test.each(writePaths)('%s on production sends nothing when the user declines to type the name', async (_name, action) => {
    await useProductionConnection(app, prodName);
    const ui = useUiStore();
    const running = action();
    for (let round = 0; round < 20; round++) {
      await settle(1);
      // Agree to the action's own question, refuse the production one.
      if (ui.pendingConfirm) ui.answer(ui.pendingConfirm.typeToConfirm === undefined);
    }
    await running;
    expect(writes()).toEqual([]);
  });

  test.each(writePaths)('%s elsewhere asks no name and sends no confirmation', async (_name, action) => {
    const asked = await confirmingEverything(action);
    expect(asked).not.toContain(prodName);
    expect(writes().length).toBeGreaterThan(0);
    for (const write of writes()) expect(write.args).not.toHaveProperty('productionConfirmation');
  });

  test('the guard fixes the connection the user confirmed, even if the active one changes meanwhile', async () => {
    await useProductionConnection(app, prodName);
    const connections = useConnectionsStore();
    const pending = connections.guardWrite('Save.');
    await settle(1);
    connections.select('local');
    useUiStore().answer(true);
    expect(await pending).toEqual({ connectionId: 'prod', productionConfirmation: prodName });
  });
});
