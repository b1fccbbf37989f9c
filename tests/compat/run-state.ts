// What the operation generators know about the servers, learned from the reference server's answers: the current
// and compacted revisions, live leases and live watchers. Generators use it to aim requests at interesting values
// (a revision just below the compacted one, a lease that exists), and because etcd is deterministic the sequence
// for a seed is the same on every run.
import type { Operation } from './operations.ts';
import type { Outcome } from './normalize.ts';

/** A source of operations: the next one to send, and what the reference server answered to the last one. */
export interface OperationSource {
  next(): Operation | undefined;
  observe(operation: Operation, reference: Outcome): void;
}

/** The servers' state as far as generating requests needs it. */
export class RunState {
  /** The newest revision any reference answer reported. */
  revision = 1;
  /** The revision of the last successful compaction (0: none yet). */
  compacted = 0;
  /** Ids of leases granted and not revoked. */
  readonly leases = new Set<string>();
  /** Ids of watchers created and not cancelled. */
  readonly watches = new Set<string>();

  /** Updates the state from the reference server's outcome of `operation`. */
  observe(operation: Operation, reference: Outcome): void {
    if (!('response' in reference) || typeof reference.response !== 'object' || reference.response === null) return;
    const response = reference.response as { header?: { revision?: string }; ID?: string; watch_id?: string;
      canceled?: boolean };
    const revision = Number(response.header?.revision ?? 0);
    if (revision > this.revision) this.revision = revision;
    switch (operation.kind) {
      case 'compact':
        this.compacted = Math.max(this.compacted, Number(operation.request.revision ?? 0));
        break;
      case 'leaseGrant':
        if (response.ID !== undefined) this.leases.add(response.ID);
        break;
      case 'leaseRevoke':
        this.leases.delete(operation.id);
        break;
      case 'watchCreate':
        if (response.watch_id !== undefined && !response.canceled) this.watches.add(response.watch_id);
        break;
      case 'watchCancel':
        this.watches.delete(operation.watchId);
        break;
      default:
        break;
    }
  }
}
