// What the status bar shows: the leader and the store revision of the active connection, polled every few
// seconds (and at once after a switch), plus whether the page still reaches main in browser mode.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { WebConnectionState } from '../../../electron/common/web-client.ts';
import { api, describeError, watchBackendState } from '../api/index.ts';
import { useConnectionsStore } from './connections.ts';

/** A key nobody writes, read only for the revision in the response header (a cheap point read). */
const probeKey = new Uint8Array([0]);

/** The status store. */
export const useStatusStore = defineStore('status', () => {
  const connections = useConnectionsStore();
  const leaderName = ref<string | null>(null);
  const raftTerm = ref<number | null>(null);
  const revision = ref<number | null>(null);
  const memberCount = ref<number | null>(null);
  const reachable = ref<boolean | null>(null);
  const problem = ref<string | null>(null);
  const backend = ref<WebConnectionState>('open');

  // Two independent guards: a read that hangs on a stopped member must not hold up the leader display.
  let pollingOverview = false;
  let pollingRevision = false;

  async function pollOverview(connectionId: string): Promise<void> {
    if (pollingOverview) return;
    pollingOverview = true;
    try {
      const overview = await api().cluster.overview({ connectionId });
      if (connectionId !== connections.connectionId) return;
      reachable.value = overview.ok;
      problem.value = overview.ok ? null : overview.error.message;
      if (!overview.ok) return;
      const leader = overview.value.members.find((member) => member.id === overview.value.leaderId);
      leaderName.value = leader ? leader.name || leader.id : null;
      raftTerm.value = leader?.status?.reachable ? leader.status.raftTerm : null;
      memberCount.value = overview.value.members.length;
    } catch (failure) {
      // The bridge itself failed (not the cluster): say so in the bar instead of leaving stale numbers.
      reachable.value = false;
      problem.value = describeError(failure);
    } finally {
      pollingOverview = false;
    }
  }

  async function pollRevision(connectionId: string): Promise<void> {
    if (pollingRevision) return;
    pollingRevision = true;
    try {
      const probe = await api().keys.get({ connectionId, key: probeKey, valueBytesMax: 0 });
      if (connectionId === connections.connectionId) revision.value = probe.ok ? probe.value.revision : null;
    } catch {
      revision.value = null;
    } finally {
      pollingRevision = false;
    }
  }

  /** Refreshes the leader and the revision (each on its own, so one slow answer does not hold the other). */
  async function poll(): Promise<void> {
    const connectionId = connections.connectionId;
    await Promise.all([pollOverview(connectionId), pollRevision(connectionId)]);
  }

  function start(): void {
    backend.value = watchBackendState((state) => {
      backend.value = state;
    });
    void poll();
  }

  function reset(): void {
    leaderName.value = null;
    raftTerm.value = null;
    revision.value = null;
    reachable.value = null;
    problem.value = null;
    void poll();
  }

  return { leaderName, raftTerm, revision, memberCount, reachable, problem, backend, poll, start, reset };
});
