// Cluster membership and health for the active connection, plus the supervised local cluster's processes and
// logs. The overview is polled while the Cluster screen is open so a stopped member and the election that
// follows show up within a couple of seconds.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { resetConfirmation, type ClusterOverview, type Disposable, type LocalClusterState } from '../../../electron/common/contract.ts';
import { api, describeError, unwrap } from '../api/index.ts';
import { useConnectionsStore } from './connections.ts';
import { useUiStore } from './ui.ts';

/** Log lines kept per member on screen. */
const logLinesKept = 2000;

/** The cluster store. */
export const useClusterStore = defineStore('cluster', () => {
  const connections = useConnectionsStore();
  const ui = useUiStore();
  const overview = shallowRef<ClusterOverview | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const local = shallowRef<LocalClusterState | null>(null);
  const localError = ref<string | null>(null);
  const busy = ref<Record<string, boolean>>({});
  const logMember = ref<string | null>(null);
  const logLines = shallowRef<string[]>([]);
  const logError = ref<string | null>(null);
  let subscriptions: Disposable[] = [];

  const isLocal = computed(() => connections.active?.isLocal ?? false);
  const leader = computed(() => overview.value?.members.find((member) => member.id === overview.value?.leaderId) ?? null);

  async function refresh(): Promise<void> {
    loading.value = overview.value === null;
    try {
      overview.value = await unwrap(api().cluster.overview({ connectionId: connections.connectionId }));
      error.value = null;
    } catch (failure) {
      error.value = describeError(failure);
    } finally {
      loading.value = false;
    }
    // The status bar takes this overview too (every overview answer reaches it), so it follows an election as
    // closely as this screen without asking again.
    if (isLocal.value) await refreshLocal();
  }

  async function refreshLocal(): Promise<void> {
    subscribe();
    try {
      local.value = await unwrap(api().localCluster.state());
      localError.value = null;
    } catch (failure) {
      localError.value = describeError(failure);
    }
  }

  function subscribe(): void {
    if (subscriptions.length > 0) return;
    subscriptions = [
      api().localCluster.onDidChangeState((state) => {
        local.value = state;
      }),
      api().localCluster.onDidAppendLog((lines) => {
        if (lines.name === logMember.value) logLines.value = [...logLines.value, ...lines.lines].slice(-logLinesKept);
      }),
    ];
  }

  /** Runs a membership or process action, marking `id` busy and reporting the outcome in words. */
  async function act(id: string, description: string, action: () => Promise<unknown>): Promise<boolean> {
    busy.value = { ...busy.value, [id]: true };
    try {
      await action();
      if (description) ui.notify('success', description);
      return true;
    } catch (failure) {
      ui.notify('error', describeError(failure));
      return false;
    } finally {
      busy.value = { ...busy.value, [id]: false };
      void refresh();
    }
  }

  async function memberProcess(name: string, action: 'start' | 'stop' | 'restart'): Promise<void> {
    const call = { start: api().localCluster.startMember, stop: api().localCluster.stopMember, restart: api().localCluster.restartMember }[action];
    const words = { start: 'Started', stop: 'Stopped', restart: 'Restarted' }[action];
    await act(name, `${words} ${name}.`, async () => {
      local.value = await unwrap(call({ name }));
    });
  }

  async function addMember(peerUrls: string[], isLearner: boolean): Promise<boolean> {
    const target = await connections.guardWrite(`Add a member at ${peerUrls.join(', ')}.`);
    if (!target) return false;
    return act('add', `Added ${isLearner ? 'a learner' : 'a member'} at ${peerUrls.join(', ')}. Start the new member with --initial-cluster-state existing.`, () =>
      unwrap(api().cluster.addMember({ ...target, peerUrls, isLearner })),
    );
  }

  async function removeMember(id: string, name: string): Promise<void> {
    const confirmed = await ui.confirm({
      title: 'Remove member',
      message: `Remove ${name || id} from the cluster? It stops taking part at once; to bring it back it must be added again with an empty data directory.`,
      confirmLabel: 'Remove member',
      danger: true,
    });
    const target = confirmed ? await connections.guardWrite(`Remove member ${name || id}.`) : null;
    if (!target) return;
    await act(id, `Removed ${name || `the member ${id}, which had not started`}.`, () => unwrap(api().cluster.removeMember({ ...target, id })));
  }

  async function promoteMember(id: string, name: string): Promise<void> {
    const target = await connections.guardWrite(`Promote learner ${name || id} to a voting member.`);
    if (!target) return;
    await act(id, `Promoted ${name || id} to a voting member.`, () => unwrap(api().cluster.promoteMember({ ...target, id })));
  }

  async function moveLeader(id: string, name: string): Promise<void> {
    const target = await connections.guardWrite(`Move leadership to ${name || id}.`);
    if (!target) return;
    await act(id, `Leadership moved to ${name || id}.`, () => unwrap(api().cluster.moveLeader({ ...target, id })));
  }

  /**
   * Adds a member process to the local cluster (a learner by default): main registers it with MemberAdd and starts
   * it on new ports; it then copies the data and can be promoted from the members table.
   */
  async function addLocalMember(asLearner: boolean): Promise<void> {
    const before = new Set(local.value?.members.map((member) => member.name) ?? []);
    let added = 'a new member';
    await act('add-local', '', async () => {
      local.value = await unwrap(api().localCluster.addMember({ asLearner }));
      added = local.value.members.find((member) => !before.has(member.name))?.name ?? added;
    }).then((done) => {
      if (done) ui.notify('success', asLearner ? `Started ${added} as a learner. Promote it in the members table once it has caught up.` : `Started ${added} as a voting member.`);
    });
  }

  /** Stops a member added later, removes it from the cluster and deletes its data, after a confirmation. */
  async function removeLocalMember(name: string): Promise<void> {
    const confirmed = await ui.confirm({
      title: 'Remove member process',
      message: `Stop ${name}, remove it from the local cluster and delete its data?`,
      confirmLabel: 'Remove member',
      danger: true,
    });
    if (!confirmed) return;
    await act(name, `Removed ${name} and deleted its data.`, async () => {
      local.value = await unwrap(api().localCluster.removeMember({ name }));
    });
  }

  /** Wipes the local cluster's data and starts a new, empty cluster, after the user types the contract's phrase. */
  async function resetLocal(): Promise<void> {
    const confirmed = await ui.confirm({
      title: 'Reset the local cluster',
      message: 'Delete every key, lease, user and snapshot-restored data of the local cluster and start it again empty? Saved snapshots in the library are kept.',
      confirmLabel: 'Reset local cluster',
      danger: true,
      typeToConfirm: resetConfirmation,
    });
    if (!confirmed) return;
    await act('reset', 'The local cluster was reset and runs again, empty.', async () => {
      local.value = await unwrap(api().localCluster.reset({ confirm: resetConfirmation }));
    });
  }

  async function showLogs(name: string | null): Promise<void> {
    logMember.value = name;
    logLines.value = [];
    logError.value = null;
    if (!name) return;
    try {
      const logs = await unwrap(api().localCluster.logs({ name, lines: 500 }));
      if (logMember.value === name) logLines.value = logs.lines;
    } catch (failure) {
      logError.value = describeError(failure);
    }
  }

  return {
    overview, loading, error, local, localError, busy, logMember, logLines, logError, isLocal, leader,
    refresh, refreshLocal, resetLocal, memberProcess, addLocalMember, removeLocalMember, addMember, removeMember, promoteMember, moveLeader, showLogs,
  };
});
