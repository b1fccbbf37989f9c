// Maintenance of the active connection: alarms, compaction, defragmentation (one endpoint, or all with the
// leader last because defragmenting blocks a member and a blocked leader stalls the whole cluster), HashKV.
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { AlarmInfo, EndpointStatus, HashKvResult } from '../../../electron/common/contract.ts';
import { api, describeError, unwrap } from '../api/index.ts';
import { useConnectionsStore } from './connections.ts';
import { useUiStore } from './ui.ts';

/** Orders endpoints for a rolling defragmentation: reachable followers first, the leader last. */
export function defragmentOrder(endpoints: readonly EndpointStatus[]): string[] {
  const reachable = endpoints.filter((status) => status.reachable);
  return [...reachable].sort((a, b) => Number(a.reachable && a.isLeader) - Number(b.reachable && b.isLeader)).map((status) => status.endpoint);
}

/** The maintenance store. */
export const useMaintenanceStore = defineStore('maintenance', () => {
  const connections = useConnectionsStore();
  const ui = useUiStore();
  const endpoints = shallowRef<EndpointStatus[]>([]);
  const alarms = shallowRef<AlarmInfo[]>([]);
  const hashes = shallowRef<Record<string, HashKvResult | string>>({});
  const loading = ref(false);
  const error = ref<string | null>(null);
  const running = ref<string | null>(null);

  async function refresh(): Promise<void> {
    loading.value = true;
    error.value = null;
    try {
      const [status, alarmList] = await Promise.all([
        unwrap(api().cluster.status({ connectionId: connections.connectionId })),
        unwrap(api().maintenance.alarms({ connectionId: connections.connectionId })),
      ]);
      endpoints.value = status;
      alarms.value = alarmList;
    } catch (failure) {
      error.value = describeError(failure);
    } finally {
      loading.value = false;
    }
  }

  async function run(label: string, action: () => Promise<string>): Promise<void> {
    running.value = label;
    try {
      ui.notify('success', await action());
    } catch (failure) {
      ui.notify('error', `${label} failed: ${describeError(failure)}`);
    } finally {
      running.value = null;
      void refresh();
    }
  }

  async function defragment(targets: string[]): Promise<void> {
    const target = await connections.guardWrite(`Defragment ${targets.join(', ')}.`);
    if (!target) return;
    await run('Defragmentation', async () => {
      for (const endpoint of targets) {
        running.value = `Defragmenting ${endpoint}`;
        await unwrap(api().maintenance.defragment({ ...target, endpoint }));
      }
      return `Defragmented ${targets.length === 1 ? targets[0] : `${targets.length} endpoints`}.`;
    });
  }

  async function compact(revision: number, physical: boolean): Promise<void> {
    const confirmed = await ui.confirm({
      title: 'Compact history',
      message: `Discard every version older than revision ${revision}? Watches and history views cannot go back before it afterwards.`,
      confirmLabel: 'Compact',
      danger: true,
    });
    const target = confirmed ? await connections.guardWrite(`Compact history up to revision ${revision}.`) : null;
    if (!target) return;
    await run('Compaction', async () => {
      await unwrap(api().maintenance.compact({ ...target, revision, physical }));
      return `Compacted history up to revision ${revision}.`;
    });
  }

  async function disarm(alarm: AlarmInfo): Promise<void> {
    const target = await connections.guardWrite(`Disarm the ${alarm.alarm} alarm of member ${alarm.memberId}.`);
    if (!target) return;
    await run('Disarming', async () => {
      alarms.value = await unwrap(api().maintenance.disarm({ ...target, memberId: alarm.memberId, alarm: alarm.alarm }));
      return `Disarmed the ${alarm.alarm} alarm.`;
    });
  }

  async function hashAll(): Promise<void> {
    running.value = 'Computing hashes';
    const results: Record<string, HashKvResult | string> = {};
    for (const status of endpoints.value) {
      const result = await api().maintenance.hashKv({ connectionId: connections.connectionId, endpoint: status.endpoint });
      results[status.endpoint] = result.ok ? result.value : result.error.message;
    }
    hashes.value = results;
    running.value = null;
  }

  return { endpoints, alarms, hashes, loading, error, running, refresh, defragment, compact, disarm, hashAll };
});
