// Restoring a library snapshot into the local cluster, as an operator restores an etcd cluster with etcdutl: every
// member's data is rebuilt from the one file with the cluster's own names, peer URLs and token (`cairn-util
// snapshot restore`), then all members start on it. Steps, each reported to the GUI:
//   1. build `<member>.data.restored` for every member while the cluster keeps running: a damaged file is refused
//      here, and the cluster never notices;
//   2. stop the members, swap the restored dirs in (the old data kept beside them), start the members;
//   3. healthy: delete the old data. Not healthy (or the swap failed): stop, swap the old data back, start again.
// Members added later (joined, possibly learners) are restored like the founding ones, so they come back as voters:
// `--initial-cluster` has no way to say learner, in etcd either.
import fs from 'node:fs';
import type { LocalClusterState } from '../../common/contract.ts';
import { loadLayout } from '../supervisor/cluster-layout.ts';
import type { LocalCluster } from '../supervisor/local-cluster.ts';
import { discardRestored, dropPrevious, restoredDir, swapBack, swapIn, type RestoreTarget } from '../supervisor/restored-data-dirs.ts';
import { runUtil, utilErrorText, type UtilCommand } from './util-command.ts';

/** Reports a step in words, with bytes of the snapshot processed so far. */
export type RestoreReporter = (step: string, bytesDone: number, bytesTotal: number | null) => void;

/** A restore that failed, in words for the GUI, with what happened to the cluster. */
export class LocalRestoreError extends Error {
  override name = 'LocalRestoreError';

  constructor(
    message: string,
    readonly code: 'invalid-argument' | 'unavailable',
    readonly detail: string,
  ) {
    super(message);
  }
}

/** cairn-util's refusal in plain words (its own text goes to the detail). */
export function explainUtilError(text: string): string {
  if (text.startsWith('expected sha256')) return 'The snapshot file is damaged: its contents do not match the sha256 checksum saved with it. Nothing was changed.';
  if (text.includes('snapshot missing hash')) return 'The snapshot file has no sha256 checksum at its end, so its integrity cannot be checked (it is not a file saved by Cairn or etcdctl). Nothing was changed.';
  if (text.includes('is not a snapshot file')) return 'The file is not an etcd or Cairn snapshot. Nothing was changed.';
  return `The snapshot could not be unpacked: ${text}. Nothing was changed.`;
}

function sameMembers(a: readonly RestoreTarget[], b: readonly RestoreTarget[]): boolean {
  return JSON.stringify(a.map((each) => [each.name, each.dataDir, each.peerUrl])) === JSON.stringify(b.map((each) => [each.name, each.dataDir, each.peerUrl]));
}

async function buildRestored(file: string, targets: readonly RestoreTarget[], token: string, util: UtilCommand, report: RestoreReporter): Promise<void> {
  const sizeBytes = fs.statSync(file).size;
  const total = sizeBytes * targets.length;
  const initialCluster = targets.map((target) => `${target.name}=${target.peerUrl}`).join(',');
  discardRestored(targets);
  for (const [index, target] of targets.entries()) {
    report(`Unpacking the snapshot for ${target.name} (${index + 1} of ${targets.length})`, sizeBytes * index, total);
    const run = await runUtil(util, ['snapshot', 'restore', file, '--data-dir', restoredDir(target), '--name', target.name,
      '--initial-cluster', initialCluster, '--initial-cluster-token', token, '--initial-advertise-peer-urls', target.peerUrl]);
    if (run.code !== 0) {
      discardRestored(targets);
      const text = utilErrorText(run);
      throw new LocalRestoreError(explainUtilError(text), 'invalid-argument', text);
    }
  }
  report('Unpacked the snapshot for every member', total, total);
}

/** Restores `file` into the local cluster; resolves with the state once the restored cluster is healthy. */
export async function restoreLocalCluster(cluster: LocalCluster, file: string, util: UtilCommand, report: RestoreReporter): Promise<LocalClusterState> {
  const state = cluster.state();
  const layout = loadLayout(state.dataDir);
  if (!layout || state.members.length === 0) throw new LocalRestoreError('The local cluster has not been created yet: start it once, then restore.', 'unavailable', 'no cluster.json');
  const targets: RestoreTarget[] = state.members.map((member) => ({ name: member.name, dataDir: member.dataDir, peerUrl: member.peerUrl }));
  await buildRestored(file, targets, layout.token, util, report);
  let swapped = false;
  try {
    report('Stopping the members and swapping in the restored data', 0, null);
    await cluster.replaceData(async (members, current) => {
      // The cluster may have changed (a member added, TLS switched) while the dirs were built for the old shape.
      if (!sameMembers(members, targets) || current.token !== layout.token) throw new Error('the local cluster changed while the snapshot was unpacked; try again');
      swapIn(targets);
      swapped = true;
      report('Starting the members on the restored data', 0, null);
    });
  } catch (error) {
    const reason = (error as Error).message;
    if (!swapped) {
      discardRestored(targets);
      await cluster.start().catch(() => undefined);
      throw new LocalRestoreError(`The restore could not start: ${reason}. The local cluster keeps its data.`, 'unavailable', reason);
    }
    report('The restored cluster did not become healthy; putting the previous data back', 0, null);
    await cluster.replaceData(async () => swapBack(targets)).catch(() => undefined);
    throw new LocalRestoreError(`The restored cluster did not become healthy, so the previous data was put back: ${reason}`, 'unavailable', reason);
  }
  dropPrevious(targets);
  return cluster.state();
}
