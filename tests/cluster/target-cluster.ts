// Starts the 3-member cluster of the end-to-end target (E2E_TARGET=cairn|etcd, default cairn) behind peer proxies,
// for the suites in this folder. A cluster that does not elect a leader or serve on every member in time fails the
// test, with the tail of a member's log.
import { startProxiedCluster, type ProxiedCluster } from '../support/cluster.ts';
import { target, targetUnavailableReason } from '../e2e/target.ts';

/** How long the members may take to elect a first leader (etcd and Cairn need 1-3 s). */
export const firstLeaderTimeoutMs = 10_000;
/** How long a cluster may take to serve on every member once a leader exists (or once faults are repaired). */
export const clusterReadyTimeoutMs = 20_000;
/** Starts the target's cluster and waits until every member serves. */
export async function startTargetCluster(extraFlags: readonly string[] = []): Promise<ProxiedCluster> {
  const unavailable = targetUnavailableReason();
  if (unavailable !== undefined) throw new Error(unavailable);
  const cluster = await startProxiedCluster(target, { extraFlags });
  try {
    await cluster.waitForLeader(firstLeaderTimeoutMs);
    await cluster.waitReady(clusterReadyTimeoutMs);
  } catch (error) {
    await cluster.stop();
    throw new Error(`${(error as Error).message}; last lines of ${cluster.members[0].name}:\n${cluster.members[0].log.tail(20)}`);
  }
  return cluster;
}
