// What the status bar shows: the leader and the store revision of the active connection, plus whether the page
// still reaches main in browser mode. The revision follows every answer the screens receive (key reads and
// writes, the cluster overview) and every watch event, so it moves as soon as the Watch screen does; the
// leader comes from the cluster overview, asked every few seconds, at once after a switch, and when the local
// cluster's processes change. Neither is blanked while a new answer is on its way: an election or a restore
// shows the last known leader, marked, until the cluster names the next one.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ClusterOverview, Disposable } from '../../../electron/common/contract.ts';
import type { WebConnectionState } from '../../../electron/common/web-client.ts';
import { answerClock, answerRevision, type Answer } from '../api/answer-tap.ts';
import { api, describeError, onDidAnswer, watchBackendState } from '../api/index.ts';
import { useConnectionsStore } from './connections.ts';

/** Why the leader shown is the last known one rather than the cluster's current answer. */
export type LeaderStaleReason = 'electing' | 'unreachable';

/** While the cluster names no leader, ask again this soon (an election takes a second or two), in milliseconds. */
export const electionRecheckMs = 1000;
/** At most this many early checks in a row; then the regular refresh takes over. */
export const electionRechecksMax = 5;
/** Local cluster changes come in bursts (a restore restarts every member): one refresh per this many milliseconds. */
const localChangeDebounceMs = 300;

/** The status store. */
export const useStatusStore = defineStore('status', () => {
  const connections = useConnectionsStore();
  const leaderName = ref<string | null>(null);
  const leaderStale = ref<LeaderStaleReason | null>(null);
  const raftTerm = ref<number | null>(null);
  const revision = ref<number | null>(null);
  const memberCount = ref<number | null>(null);
  const reachable = ref<boolean | null>(null);
  const problem = ref<string | null>(null);
  const backend = ref<WebConnectionState>('open');
  /** The answer clock when the revision shown was last raised or confirmed (see `answerClock`). */
  let revisionSeenAt = -1;
  /** The connection whose overview is being asked for, if any. */
  let refreshingFor: string | null = null;
  let rechecks = 0;
  let recheckTimer: ReturnType<typeof setTimeout> | undefined;
  let localChangeTimer: ReturnType<typeof setTimeout> | undefined;
  let subscriptions: Disposable[] = [];

  /** Takes a revision seen in an answer or a watch event; it only ever moves the revision forward. */
  function observeRevision(connectionId: string, seen: number): void {
    if (connectionId !== connections.connectionId || !Number.isSafeInteger(seen) || seen <= 0) return;
    if (revision.value !== null && seen < revision.value) return;
    revision.value = seen;
    revisionSeenAt = answerClock();
  }

  /**
   * Takes a cluster overview, whoever asked for it. Its revision may also move the revision back (a restore or a
   * reset starts the store over), but only when nothing newer was seen since the overview was asked for.
   */
  function applyOverview(connectionId: string, overview: ClusterOverview, issued: number): void {
    if (connectionId !== connections.connectionId) return;
    reachable.value = true;
    problem.value = null;
    memberCount.value = overview.members.length;
    if (overview.revision !== null && revision.value !== null && overview.revision < revision.value && revisionSeenAt < issued) {
      revision.value = overview.revision;
      revisionSeenAt = issued;
    } else if (overview.revision !== null) {
      observeRevision(connectionId, overview.revision);
    }
    const leader = overview.members.find((member) => member.id === overview.leaderId);
    if (leader) {
      leaderName.value = leader.name || leader.id;
      leaderStale.value = null;
      raftTerm.value = leader.status?.reachable ? leader.status.raftTerm : null;
      rechecks = 0;
    } else {
      leaderStale.value = 'electing';
      scheduleRecheck();
    }
  }

  function onAnswer(answer: Answer): void {
    if (answer.service === 'cluster' && answer.method === 'overview') {
      if (answer.result.ok) applyOverview(answer.connectionId, answer.result.value as ClusterOverview, answer.issued);
      else if (answer.connectionId === connections.connectionId) markUnreachable(answer.result.error.message);
      return;
    }
    const seen = answerRevision(answer);
    if (seen !== null) observeRevision(answer.connectionId, seen);
  }

  function markUnreachable(message: string): void {
    reachable.value = false;
    problem.value = message;
    if (leaderName.value !== null) leaderStale.value = 'unreachable';
  }

  function scheduleRecheck(): void {
    if (recheckTimer !== undefined || rechecks >= electionRechecksMax) return;
    rechecks++;
    recheckTimer = setTimeout(() => {
      recheckTimer = undefined;
      void poll();
    }, electionRecheckMs);
  }

  /** Asks for the cluster overview (the answer reaches `onAnswer` through the tap, as everyone's does). */
  async function poll(): Promise<void> {
    // One at a time per connection: an overview that waits on a stopped member must not pile up behind the
    // timer, but a switch to another connection asks at once.
    const connectionId = connections.connectionId;
    if (refreshingFor === connectionId) return;
    refreshingFor = connectionId;
    try {
      await api().cluster.overview({ connectionId });
    } catch (failure) {
      // The bridge itself failed (not the cluster): say so in the bar instead of leaving stale numbers.
      if (connectionId === connections.connectionId) markUnreachable(describeError(failure));
    } finally {
      if (refreshingFor === connectionId) refreshingFor = null;
    }
  }

  function onLocalClusterChange(): void {
    if (!(connections.active?.isLocal ?? false)) return;
    clearTimeout(localChangeTimer);
    localChangeTimer = setTimeout(() => void poll(), localChangeDebounceMs);
  }

  function start(): void {
    backend.value = watchBackendState((state) => {
      backend.value = state;
    });
    if (subscriptions.length === 0) subscriptions = [onDidAnswer(onAnswer), api().localCluster.onDidChangeState(onLocalClusterChange)];
    void poll();
  }

  /** Forgets the previous connection's figures (another cluster) and asks the new one. */
  function reset(): void {
    leaderName.value = null;
    leaderStale.value = null;
    raftTerm.value = null;
    revision.value = null;
    revisionSeenAt = -1;
    memberCount.value = null;
    reachable.value = null;
    problem.value = null;
    rechecks = 0;
    void poll();
  }

  /** Stops listening (for tests; the app's status store lives as long as the page). */
  function dispose(): void {
    subscriptions.forEach((subscription) => subscription.dispose());
    subscriptions = [];
    clearTimeout(recheckTimer);
    clearTimeout(localChangeTimer);
    recheckTimer = undefined;
  }

  return {
    leaderName, leaderStale, raftTerm, revision, memberCount, reachable, problem, backend,
    observeRevision, applyOverview, poll, start, reset, dispose,
  };
});
