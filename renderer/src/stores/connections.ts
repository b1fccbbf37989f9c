// Saved connections, which one is active, its live status, and the write guard: every write in the GUI asks
// `guardWrite` first, which makes a production connection confirm by typing its name and hands back what the
// call must carry (main refuses a production write without `productionConfirmation`).
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import {
  localConnectionId,
  type ConnectionDraft, type ConnectionStatus, type ConnectionSummary, type ConnectionTestReport, type OnConnection,
  type SecretStorageStatus, type TlsCheckArgs, type TlsFinding,
} from '../../../electron/common/contract.ts';
import { api, describeError, unwrap } from '../api/index.ts';
import { loadSetting, saveSetting } from '../api/platform.ts';
import { useUiStore } from './ui.ts';

/** What a confirmed write is sent with: spread it into the call's arguments. */
export type WriteTarget = OnConnection;

/** The connections store. */
export const useConnectionsStore = defineStore('connections', () => {
  const connections = ref<ConnectionSummary[]>([]);
  const secretStorage = ref<SecretStorageStatus | null>(null);
  const activeId = ref<string>(loadSetting('activeConnection', localConnectionId));
  const statuses = ref<Record<string, ConnectionStatus>>({});
  const loading = ref(false);
  const error = ref<string | null>(null);
  let subscribed = false;

  const active = computed(() => connections.value.find((connection) => connection.id === activeId.value) ?? connections.value[0] ?? null);
  const activeStatus = computed(() => (active.value ? statuses.value[active.value.id] ?? null : null));
  const isProduction = computed(() => active.value?.environment === 'production');
  /** The id every data call goes to. */
  const connectionId = computed(() => active.value?.id ?? localConnectionId);

  async function load(): Promise<void> {
    loading.value = true;
    error.value = null;
    try {
      const list = await unwrap(api().connections.list());
      connections.value = list.connections;
      secretStorage.value = list.secretStorage;
    } catch (failure) {
      error.value = describeError(failure);
    } finally {
      loading.value = false;
    }
    if (!subscribed) {
      subscribed = true;
      api().connections.onDidChange((list) => {
        connections.value = list.connections;
        secretStorage.value = list.secretStorage;
      });
      api().connections.onDidChangeStatus((status) => {
        statuses.value = { ...statuses.value, [status.connectionId]: status };
      });
    }
  }

  function select(id: string): void {
    activeId.value = id;
    saveSetting('activeConnection', id);
  }

  async function add(draft: ConnectionDraft): Promise<ConnectionSummary> {
    const saved = await unwrap(api().connections.add({ draft }));
    await load();
    return saved;
  }

  async function update(id: string, draft: ConnectionDraft): Promise<ConnectionSummary> {
    const saved = await unwrap(api().connections.update({ id, draft }));
    await load();
    return saved;
  }

  async function remove(id: string): Promise<void> {
    await unwrap(api().connections.remove({ id }));
    if (activeId.value === id) select(localConnectionId);
    await load();
  }

  function test(draft: ConnectionDraft | undefined, id: string | undefined): Promise<ConnectionTestReport> {
    return unwrap(api().connections.test({ ...(draft ? { draft } : {}), ...(id ? { id } : {}) }));
  }

  function checkTls(args: TlsCheckArgs): Promise<TlsFinding[]> {
    return unwrap(api().connections.checkTls(args));
  }

  /**
   * Asks before a write; resolves with the arguments the write call must be spread with (the connection it was
   * confirmed for and, on production, the name the user typed), or null when the user declined. On a production
   * connection the user confirms each write by typing the connection's name; elsewhere writes go ahead (deletes
   * have their own confirmation). The connection is fixed here, so a write never lands on another one than the
   * one the user confirmed.
   */
  async function guardWrite(action: string): Promise<WriteTarget | null> {
    const connection = active.value;
    if (!connection) return { connectionId: localConnectionId };
    if (connection.environment !== 'production') return { connectionId: connection.id };
    const confirmed = await useUiStore().confirm({
      title: 'Write to production?',
      message: `${action}\n\nThis connection, “${connection.name}”, is tagged production.`,
      confirmLabel: 'Write to production',
      danger: true,
      typeToConfirm: connection.name,
    });
    // The dialog enables its button only when the typed text equals the name, so the name is what was typed.
    return confirmed ? { connectionId: connection.id, productionConfirmation: connection.name } : null;
  }

  return {
    connections, secretStorage, activeId, statuses, loading, error, active, activeStatus, isProduction, connectionId,
    load, select, add, update, remove, test, checkTls, guardWrite,
  };
});
