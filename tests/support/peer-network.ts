// Partitions between cluster members, made of the fault proxies in front of their peer URLs.
//
// Why both directions need care: a proxy sits in front of each member's peer port, so it sees the connections
// *to* that member, but etcd's peer transport sends in both directions over a connection either side opened
// (member A reads B's messages from a stream A dialed to B; A falls back to POSTing to B when its streams fail).
// Cutting only B's proxy would leave B talking to A over connections B opens to A's proxy. So every proxy tells
// apart where each connection comes from (the process that opened it, see socket-owner.ts), and cutting the link
// A-B means: B's proxy stops connections from A, and A's proxy stops connections from B. Isolating B cuts B-A and
// B-C, and nothing else (A and C still talk, and clients still reach B, as in a real partition of peer traffic).
import type { FaultMode, FaultProxy } from './fault-proxy.ts';

/** How a cut link behaves: silently dropped (blackhole, the default) or actively refused (reset). */
export type CutKind = 'blackhole' | 'reset';

/** The peer links of a cluster, keyed by member name, each member's proxy in front of its peer port. */
export class PeerNetwork {
  /** A network over `proxies` (member name -> the proxy in front of that member's peer port). */
  constructor(private readonly proxies: ReadonlyMap<string, FaultProxy>) {}

  /** The member names. */
  get names(): string[] {
    return [...this.proxies.keys()];
  }

  private proxy(name: string): FaultProxy {
    const proxy = this.proxies.get(name);
    if (proxy === undefined) throw new Error(`no member named ${name} (members: ${this.names.join(', ')})`);
    return proxy;
  }

  /** Applies `mode` to the link between `a` and `b`, in both directions. */
  setLink(a: string, b: string, mode: FaultMode): void {
    if (a === b) throw new Error(`a link needs two members, not ${a} twice`);
    this.proxy(a).setModeFrom(b, mode);
    this.proxy(b).setModeFrom(a, mode);
  }

  /** Cuts the link between `a` and `b`, in both directions. */
  cut(a: string, b: string, kind: CutKind = 'blackhole'): void {
    this.setLink(a, b, { kind });
  }

  /** Cuts every link of `name`: it is alone on one side of the partition, the others together on the other. */
  isolate(name: string, kind: CutKind = 'blackhole'): void {
    for (const other of this.names) if (other !== name) this.cut(name, other, kind);
  }

  /** Delays every message to and from `name` by `latencyMs` in each direction. */
  delay(name: string, latencyMs: number): void {
    for (const other of this.names) if (other !== name) this.setLink(name, other, { kind: 'latency', latencyMs });
  }

  /** Restores every link. */
  heal(): void {
    for (const proxy of this.proxies.values()) proxy.heal();
  }
}
