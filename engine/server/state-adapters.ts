// Binds the Applier's ports and the API's watch hub to the MVCC store and the lessor.
import type { KvStore } from '../mvcc/kv-store.ts';
import type { WatchableStore } from '../mvcc/watchable-store.ts';
import type { Lessor } from '../lease/lessor.ts';
import type { LeaseState, MvccState } from './state-ports.ts';
import type { WatchHub, WatchStream } from './watch-hub.ts';

/** The MVCC store as the Applier's MvccState. */
export function mvccState(kv: KvStore): MvccState {
  return {
    readView: () => kv.read(),
    write: (tx, apply) => kv.writeInTx(tx, apply),
    afterCommit: () => kv.afterCommit(),
    afterAbort: () => kv.afterAbort(),
    setConsistentIndex: (tx, index) => kv.setConsistentIndex(tx, index),
    consistentIndex: () => kv.consistentIndex(),
    // Not async: a refused compaction must throw synchronously, inside the apply transaction.
    compact: (tx, revision) => kv.compact(revision, tx).then(() => undefined),
    hash: (revision) => {
      const result = kv.hashByRev(revision);
      return { hash: result.hash, currentRevision: result.currentRev, compactRevision: result.compactRev, hashRevision: result.hashRev };
    },
    currentRevision: () => kv.currentRevision(),
    compactedRevision: () => kv.compactedRevision(),
  };
}

/** The lessor as the Applier's LeaseState; a new primary extends every lease by one election timeout. */
export function leaseState(lessor: Lessor, electionMs: number): LeaseState {
  return {
    grant: (tx, id, ttlSeconds) => {
      const lease = lessor.grant(tx, id, ttlSeconds);
      return { id: lease.id, ttlSeconds: lease.ttlSeconds };
    },
    revoke: (tx, id) => lessor.revoke(tx, id),
    checkpoint: (tx, checkpoints) => lessor.checkpoint(tx, checkpoints),
    exists: (id) => lessor.exists(id),
    renew: (id) => lessor.renew(id),
    timeToLive: (id, withKeys) => lessor.timeToLive(id, { keys: withKeys }),
    ids: () => lessor.leases().map((lease) => lease.id),
    expired: () => lessor.expiredLeases(),
    checkpoints: () => lessor.checkpoints(),
    setPrimary: (primary) => {
      if (primary && !lessor.isPrimary) lessor.promote(electionMs);
      else if (!primary && lessor.isPrimary) lessor.demote();
    },
  };
}

/** The watchable store as the API's WatchHub. */
export function watchHub(store: WatchableStore): WatchHub {
  return {
    openStream: (sink): WatchStream => {
      const stream = store.newWatchStream(sink);
      return {
        watch: (options) => {
          const filters: Array<'noPut' | 'noDelete'> = [];
          if (options.noPut) filters.push('noPut');
          if (options.noDelete) filters.push('noDelete');
          return stream.watch(options.key, options.end, options.startRevision, { id: options.id, prevKv: options.prevKv, filters }).id;
        },
        cancel: (id) => stream.cancel(id),
        progressRevision: () => {
          const revisions = stream.ids().map((id) => stream.progress(id));
          return revisions.every((revision) => revision !== undefined) ? store.currentRevision() : undefined;
        },
        syncedWatchers: () => stream.ids().filter((id) => stream.progress(id) !== undefined),
        resume: () => stream.resume(),
        close: () => stream.close(),
      };
    },
    currentRevision: () => store.currentRevision(),
    close: () => store.close(),
  };
}
