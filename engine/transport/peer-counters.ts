// Per-peer traffic counters, kept by the transport and shared by the stream and snapshot code of that peer.

/** Running totals for one peer; they only grow, as the Prometheus counters they feed. */
export interface PeerCounters {
  sentBytes: number;
  receivedBytes: number;
  droppedMessages: number;
}

/** Counters at zero. */
export function newPeerCounters(): PeerCounters {
  return { sentBytes: 0, receivedBytes: 0, droppedMessages: 0 };
}
