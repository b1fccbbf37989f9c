// The data dirs of a snapshot restore beside the live ones: `<name>.data.restored` is built while the cluster still
// runs; the swap renames `<name>.data` to `<name>.data.pre-restore` and the restored dir into its place; the old
// data is deleted only once the restored cluster is healthy, and swapped back otherwise. Each swap is two renames
// in one folder (no copy), so it takes no time whatever the data's size.
import fs from 'node:fs';

/** A member whose data is replaced. */
export interface RestoreTarget {
  name: string;
  dataDir: string;
  peerUrl: string;
}

/** Where the restored data of `target` is built. */
export function restoredDir(target: RestoreTarget): string {
  return `${target.dataDir}.restored`;
}

/** Where the replaced data of `target` waits until the restored cluster is healthy. */
export function previousDir(target: RestoreTarget): string {
  return `${target.dataDir}.pre-restore`;
}

/** Removes restored dirs that were built but not swapped in (a failed or abandoned restore). */
export function discardRestored(targets: readonly RestoreTarget[]): void {
  for (const target of targets) fs.rmSync(restoredDir(target), { recursive: true, force: true });
}

/** Puts every restored dir in place, keeping the old data beside it. The members must be stopped. */
export function swapIn(targets: readonly RestoreTarget[]): void {
  for (const target of targets) {
    if (!fs.existsSync(restoredDir(target))) throw new Error(`the restored data of ${target.name} is missing`);
  }
  for (const target of targets) {
    fs.rmSync(previousDir(target), { recursive: true, force: true });
    // A member that never started has no data dir yet: there is nothing to keep.
    if (fs.existsSync(target.dataDir)) fs.renameSync(target.dataDir, previousDir(target));
    fs.renameSync(restoredDir(target), target.dataDir);
  }
}

/** Undoes swapIn (once): the restored data is dropped and the old data, if any, put back. The members must be stopped. */
export function swapBack(targets: readonly RestoreTarget[]): void {
  for (const target of targets) {
    fs.rmSync(target.dataDir, { recursive: true, force: true });
    if (fs.existsSync(previousDir(target))) fs.renameSync(previousDir(target), target.dataDir);
  }
}

/** Deletes the old data once the restored cluster is healthy. */
export function dropPrevious(targets: readonly RestoreTarget[]): void {
  for (const target of targets) fs.rmSync(previousDir(target), { recursive: true, force: true });
}

/**
 * Repairs a swap the app did not finish (it was killed between the two renames of a member): a member without
 * data but with its pre-restore data gets that data back, and the half-used restored dir is dropped. Runs before
 * the members start; a completed swap (restored data in place) is left as it is.
 */
export function recoverInterruptedSwap(targets: readonly Pick<RestoreTarget, 'dataDir'>[]): number {
  let recovered = 0;
  for (const target of targets) {
    const previous = `${target.dataDir}.pre-restore`;
    if (fs.existsSync(target.dataDir) || !fs.existsSync(previous)) continue;
    fs.renameSync(previous, target.dataDir);
    fs.rmSync(`${target.dataDir}.restored`, { recursive: true, force: true });
    recovered += 1;
  }
  return recovered;
}
