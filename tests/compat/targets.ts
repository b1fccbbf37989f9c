// The two servers of a compat run: the reference (always a real etcd 3.4) and the subject (Cairn by default, or a
// second etcd to prove the harness itself: two etcds must always agree). Each run gets fresh single-member
// servers, so both start from revision 1 with no history.
import { cairnEngineAvailable, cairnEnginePath, startServers, type ClusterHandle } from '../support/processes.ts';
import { connect } from '../support/grpc-client.ts';
import type { Session } from './operations.ts';

/** Which implementation is tested against etcd. */
export type CompatTarget = 'cairn' | 'etcd';

/** `COMPAT_TARGET` (cairn or etcd), cairn by default. */
export function compatTargetFromEnv(): CompatTarget {
  const target = process.env.COMPAT_TARGET ?? 'cairn';
  if (target !== 'cairn' && target !== 'etcd') throw new Error(`COMPAT_TARGET must be cairn or etcd, not ${target}`);
  return target;
}

/** Why the subject cannot run, or undefined when it can. */
export function subjectUnavailableReason(target: CompatTarget): string | undefined {
  if (target === 'etcd' || cairnEngineAvailable()) return undefined;
  return `the Cairn engine executable ${cairnEnginePath} does not exist yet; ` +
    'run with COMPAT_TARGET=etcd to check the harness against a second etcd';
}

/** A reference and a subject server with one session each. */
export interface ServerPair {
  reference: Session;
  subject: Session;
  /** The tail of both servers' logs, for failure reports. */
  logTail(lineCount: number): string;
  stop(): Promise<void>;
}

function session(label: string, cluster: ClusterHandle): Session {
  const client = connect(cluster.endpoints[0]);
  return { label, client, watch: client.watch() };
}

/** Starts a fresh etcd and a fresh subject (in parallel) and opens a session on each. */
export async function startPair(target: CompatTarget): Promise<ServerPair> {
  const [referenceCluster, subjectCluster] = await Promise.allSettled([startServers('etcd'), startServers(target)]);
  if (referenceCluster.status === 'rejected' || subjectCluster.status === 'rejected') {
    for (const started of [referenceCluster, subjectCluster]) if (started.status === 'fulfilled') await started.value.stop();
    throw referenceCluster.status === 'rejected' ? referenceCluster.reason : (subjectCluster as PromiseRejectedResult).reason;
  }
  const clusters = [referenceCluster.value, subjectCluster.value];
  const reference = session('reference etcd', clusters[0]);
  const subject = session(`subject ${target}`, clusters[1]);
  return {
    reference,
    subject,
    logTail: (lineCount) => clusters.map((cluster) =>
      `--- ${cluster.kind} ${cluster.endpoints[0]} ---\n${cluster.members[0].log.tail(lineCount)}`).join('\n'),
    stop: async () => {
      for (const side of [reference, subject]) {
        side.watch.close();
        side.client.close();
      }
      await Promise.all(clusters.map((cluster) => cluster.stop()));
    },
  };
}
