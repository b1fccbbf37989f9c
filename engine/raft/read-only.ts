// ReadIndex bookkeeping on the leader (ReadOnlySafe): each read request records the commit index at arrival
// and waits until a quorum answers a heartbeat carrying its context, which proves the leader was still the
// leader when the read arrived. An acknowledged context also confirms every request queued before it.
import type { Message, NodeId } from './types.ts';
import { bytesKey } from './util.ts';

/** A read request waiting for a quorum of heartbeat acknowledgements. */
export interface ReadIndexStatus {
  /** The MsgReadIndex (local or from a follower); entries[0].data is the request context. */
  request: Message;
  /** The commit index when the request arrived: reads are served once this index is applied. */
  index: number;
  acks: Map<NodeId, boolean>;
}

/** Pending read requests in arrival order. */
export class ReadOnly {
  private readonly pending = new Map<string, ReadIndexStatus>();
  private queue: string[] = [];

  /** Queues a request at commit index `index`; a repeated context is ignored. */
  addRequest(index: number, request: Message): void {
    const key = bytesKey(request.entries[0].data);
    if (this.pending.has(key)) return;
    this.pending.set(key, { request, index, acks: new Map() });
    this.queue.push(key);
  }

  /** Records a heartbeat acknowledgement for `context`; returns the acks so far, or undefined if unknown. */
  receiveAck(id: NodeId, context: Uint8Array): Map<NodeId, boolean> | undefined {
    const status = this.pending.get(bytesKey(context));
    if (!status) return undefined;
    status.acks.set(id, true);
    return status.acks;
  }

  /** Dequeues every request up to and including the one with `context` (all are confirmed by its quorum). */
  advance(context: Uint8Array): ReadIndexStatus[] {
    const key = bytesKey(context);
    const position = this.queue.indexOf(key);
    if (position < 0) return [];
    const confirmed = this.queue.slice(0, position + 1).map((queued) => this.pending.get(queued)!);
    for (const queued of this.queue.slice(0, position + 1)) this.pending.delete(queued);
    this.queue = this.queue.slice(position + 1);
    return confirmed;
  }

  /** The context of the newest pending request (heartbeats carry it so that their acks confirm everything). */
  lastPendingRequestContext(): Uint8Array | undefined {
    if (this.queue.length === 0) return undefined;
    return this.pending.get(this.queue[this.queue.length - 1])!.request.entries[0].data;
  }

  /** Pending requests (status reporting and tests). */
  pendingCount(): number {
    return this.queue.length;
  }
}
