// A simulated network between members: each message is delayed by a random number of steps (which reorders
// them), may be dropped or duplicated, and never crosses a partition. Time is the simulation step counter.
import type { Message, NodeId } from '../types.ts';
import type { Rng } from './rng.ts';

/** How unreliable the network is. */
export interface NetworkFaults {
  dropRate: number;
  duplicateRate: number;
  /** Delivery happens 0..maxDelaySteps steps after sending. */
  maxDelaySteps: number;
}

/** The reliable settings used while checking that a healed cluster makes progress. */
export const reliableNetwork: NetworkFaults = { dropRate: 0, duplicateRate: 0, maxDelaySteps: 1 };

interface InFlight {
  deliverAt: number;
  sequence: number;
  message: Message;
  /** Lost on the way: the sender's transport notices (and reports it) when delivery would have happened. */
  lost: boolean;
}

/** What happens to messages at one step. */
export interface Deliveries {
  delivered: Message[];
  /** Messages that did not arrive; a transport reports these (unreachable peer, failed snapshot). */
  lost: Message[];
}

/** Messages in flight. */
export class SimNetwork {
  faults: NetworkFaults;
  private inFlight: InFlight[] = [];
  private sequence = 0;
  /** Partition group per member; members in different groups (or unlisted ones) are cut off. */
  private groups: Map<NodeId, number> | undefined;
  dropped = 0;
  delivered = 0;

  constructor(
    private readonly rng: Rng,
    faults: NetworkFaults,
  ) {
    this.faults = faults;
  }

  /** Accepts messages sent at step `now`. */
  send(messages: readonly Message[], now: number): void {
    for (const message of messages) {
      const lost = this.rng.chance(this.faults.dropRate);
      const copies = !lost && this.rng.chance(this.faults.duplicateRate) ? 2 : 1;
      for (let i = 0; i < copies; i++) {
        this.inFlight.push({ deliverAt: now + this.rng.int(this.faults.maxDelaySteps + 1), sequence: this.sequence++, message, lost });
      }
    }
  }

  /** Removes and returns the messages due at `now`, in delivery order; those crossing a partition are lost. */
  due(now: number): Deliveries {
    const ready: InFlight[] = [];
    const waiting: InFlight[] = [];
    for (const item of this.inFlight) (item.deliverAt <= now ? ready : waiting).push(item);
    this.inFlight = waiting;
    ready.sort((x, y) => x.deliverAt - y.deliverAt || x.sequence - y.sequence);
    const delivered: Message[] = [];
    const lost: Message[] = [];
    for (const item of ready) {
      if (!item.lost && this.connected(item.message.from, item.message.to)) delivered.push(item.message);
      else lost.push(item.message);
    }
    this.delivered += delivered.length;
    this.dropped += lost.length;
    return { delivered, lost };
  }

  /** Splits members into groups that can only talk within themselves. */
  partition(groups: readonly (readonly NodeId[])[]): void {
    this.groups = new Map();
    groups.forEach((group, index) => group.forEach((id) => this.groups!.set(id, index)));
  }

  /** Removes the partition. */
  heal(): void {
    this.groups = undefined;
  }

  /** Whether a partition is in place. */
  isPartitioned(): boolean {
    return this.groups !== undefined;
  }

  /** Whether two members can currently exchange messages. */
  connected(a: NodeId, b: NodeId): boolean {
    if (!this.groups) return true;
    const ga = this.groups.get(a);
    return ga !== undefined && ga === this.groups.get(b);
  }

  /** Messages still in flight. */
  pending(): number {
    return this.inFlight.length;
  }
}
