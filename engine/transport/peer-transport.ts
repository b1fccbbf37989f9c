// The peer transport of one member: a PeerServer on its peer URLs for inbound streams, snapshots, /version and
// /members, and per peer an outbound PeerLink (messages) and at most one snapshot upload at a time. The server
// hands it each Ready's messages with send(); everything inbound goes to the TransportHost.
//
// send() never throws and never waits: a message that cannot be queued is dropped and its peer reported
// unreachable, which is how Raft learns to slow down and probe (etcd does the same). Host callbacks caused by
// send() run in a microtask after it returns, so Raft is never re-entered from inside its own Ready handling.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { formatId, type Logger } from '../common/logger.ts';
import { MessageType, type Message, type NodeId } from '../raft/types.ts';
import { frameHeaderBytes, messageFrame } from './frames.ts';
import { InboundStream } from './inbound-stream.ts';
import { encodedMessageBytes } from './message-codec.ts';
import { newPeerCounters, type PeerCounters } from './peer-counters.ts';
import { PeerLink } from './peer-link.ts';
import { PeerServer } from './peer-server.ts';
import { parsePeerUrl, type PeerUrl } from './peer-url.ts';
import { prepareSnapshotDirectory, receiveSnapshot } from './snapshot-receiver.ts';
import { sendSnapshot } from './snapshot-sender.ts';
import { SocketTracker } from './socket-tracker.ts';
import { defaultTuning, type PeerStats, type TransportHost, type TransportOptions, type TransportTuning } from './transport-types.ts';

interface Peer {
  id: NodeId;
  link: PeerLink;
  counters: PeerCounters;
  inbound: InboundStream | undefined;
  /** The snapshot upload in progress, if any. */
  snapshot: AbortController | undefined;
}

/** Carries Raft messages between this member and its peers. */
export class PeerTransport {
  private readonly peers = new Map<NodeId, Peer>();
  private readonly sockets = new SocketTracker();
  private readonly server: PeerServer;
  private readonly tuning: TransportTuning;
  private readonly logger: Logger;
  private readonly host: TransportHost;
  private readonly tasks = new Set<Promise<void>>();
  /** Snapshot uploads being received, by sender. */
  private readonly receiving = new Map<NodeId, IncomingMessage>();
  private readonly unreachableReports = new Set<NodeId>();
  private reportScheduled = false;
  private stopped = false;
  private boundUrls: string[] = [];

  constructor(private readonly options: TransportOptions) {
    this.tuning = { ...defaultTuning, ...options.tuning };
    this.logger = options.logger;
    this.host = options.host;
    this.server = new PeerServer(
      {
        judge: {
          memberId: options.memberId,
          clusterId: options.clusterId,
          isPeer: (id) => this.peers.has(id),
          isRemoved: (id) => this.host.isRemoved(id),
        },
        logger: this.logger,
        members: () => this.host.members(),
        onStream: (socket, head, from) => this.onStream(socket, head, from),
        onSnapshot: (request, response, from) => this.onSnapshot(request, response, from),
        track: (socket) => this.sockets.track(socket),
      },
      options.tls,
    );
  }

  /** Prepares the snapshot directory and listens on the peer URLs; resolves with the URLs bound (ports resolved). */
  async start(): Promise<string[]> {
    await prepareSnapshotDirectory(this.options.snapshotDirectory);
    this.boundUrls = await this.server.listen(this.options.listenUrls);
    this.logger.info('started peer transport', { 'local-member-id': formatId(this.options.memberId), 'listen-peer-urls': this.boundUrls });
    return this.boundUrls;
  }

  /** The URLs the transport listens on (after start()). */
  get listenUrls(): string[] {
    return [...this.boundUrls];
  }

  /** Starts talking to peer `id` at `urls` (its advertised peer URLs). Adding a known peer updates its URLs. */
  addPeer(id: NodeId, urls: readonly string[]): void {
    if (this.stopped || id === this.options.memberId) return;
    const existing = this.peers.get(id);
    if (existing) {
      existing.link.setUrls(this.parseUrls(id, urls));
      return;
    }
    const counters = newPeerCounters();
    const link = new PeerLink(
      {
        identity: { clusterId: this.options.clusterId, from: this.options.memberId, to: id },
        tls: this.options.tls,
        tuning: this.tuning,
        logger: this.logger,
        counters,
        clock: this.options.clock ?? (() => performance.now()),
        wallClock: this.options.wallClock ?? Date.now,
        random: this.options.random ?? Math.random,
        track: (socket) => this.sockets.track(socket),
        onUnreachable: () => this.reportUnreachable(id),
        onRoundTrip: (seconds) => this.callHost('observeRoundTrip', () => this.host.observeRoundTrip?.(id, seconds)),
        onRemovedFromCluster: () => this.callHost('removedFromCluster', () => this.host.removedFromCluster?.(id)),
      },
      this.parseUrls(id, urls),
    );
    this.peers.set(id, { id, link, counters, inbound: undefined, snapshot: undefined });
    this.logger.info('added remote peer', { 'local-member-id': formatId(this.options.memberId), 'remote-peer-id': formatId(id), 'remote-peer-urls': [...urls] });
  }

  /** Changes the URLs of peer `id`; a stream on a URL that is gone reconnects to the new ones. */
  updatePeer(id: NodeId, urls: readonly string[]): void {
    const peer = this.peers.get(id);
    if (!peer || this.stopped) return;
    peer.link.setUrls(this.parseUrls(id, urls));
    this.logger.info('updated remote peer', { 'local-member-id': formatId(this.options.memberId), 'remote-peer-id': formatId(id), 'remote-peer-urls': [...urls] });
  }

  /** Stops talking to peer `id`: closes its streams and aborts a snapshot upload (no status is reported for it). */
  removePeer(id: NodeId): void {
    const peer = this.peers.get(id);
    if (!peer) return;
    this.peers.delete(id);
    peer.link.close();
    peer.inbound?.close();
    peer.snapshot?.abort();
    // An upload from a peer that is no longer a member must not reach the host.
    this.receiving.get(id)?.destroy(new Error('peer removed'));
    this.unreachableReports.delete(id);
    this.logger.info('removed remote peer', { 'local-member-id': formatId(this.options.memberId), 'remote-peer-id': formatId(id) });
  }

  /**
   * Queues messages for their peers, in order per peer; MsgSnap starts a snapshot upload. Never throws and never
   * waits: what cannot be queued is dropped and its peer reported unreachable.
   */
  send(messages: readonly Message[]): void {
    if (this.stopped) return;
    for (const message of messages) {
      try {
        this.sendOne(message);
      } catch (error) {
        // Only a bug gets here (an unencodable message): log it rather than break the caller's Ready cycle.
        this.logger.error('failed to send raft message', { 'remote-peer-id': formatId(message.to), 'message-type': message.type, error: (error as Error).message });
        this.reportUnreachable(message.to);
      }
    }
  }

  /** Traffic and link state of every peer. */
  peerStats(): PeerStats[] {
    return [...this.peers.values()].map((peer) => ({
      id: peer.id,
      urls: peer.link.peerUrls,
      active: peer.link.active,
      activeSinceMs: peer.link.activeSinceMs,
      roundTripSeconds: peer.link.roundTripSeconds,
      sentBytes: peer.counters.sentBytes,
      receivedBytes: peer.counters.receivedBytes,
      droppedMessages: peer.counters.droppedMessages,
      queuedMessages: peer.link.queuedMessages,
      queuedBytes: peer.link.queuedBytes,
    }));
  }

  /** Wall-clock milliseconds since the stream to `id` came up, or undefined (etcd's ActiveSince). */
  activeSince(id: NodeId): number | undefined {
    return this.peers.get(id)?.link.activeSinceMs;
  }

  /** Closes every stream, upload and listener; resolves when all sockets are closed. No host callback follows. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const id of [...this.peers.keys()]) this.removePeer(id);
    const serverClosed = this.server.close();
    await this.sockets.closeAll();
    await Promise.all([...this.tasks]);
    await serverClosed;
    await this.sockets.closeAll();
    this.logger.info('stopped peer transport', { 'local-member-id': formatId(this.options.memberId) });
  }

  private sendOne(message: Message): void {
    const peer = this.peers.get(message.to);
    if (!peer) {
      this.logger.debug('ignored message send request; unknown remote peer target', { 'unknown-target-peer-id': formatId(message.to), 'message-type': message.type });
      return;
    }
    if (message.type === MessageType.Snap) {
      this.startSnapshot(peer, message);
      return;
    }
    const frameBytes = frameHeaderBytes + encodedMessageBytes(message);
    if (frameBytes > this.tuning.messageBytesMax + frameHeaderBytes) {
      this.logger.error('dropped raft message larger than the peer message limit', { 'remote-peer-id': formatId(peer.id), bytes: frameBytes, limit: this.tuning.messageBytesMax });
      this.drop(peer);
      return;
    }
    if (!peer.link.canAccept(frameBytes)) {
      this.drop(peer);
      return;
    }
    peer.link.enqueue(messageFrame(message), isUrgent(message));
  }

  private drop(peer: Peer): void {
    peer.counters.droppedMessages++;
    this.reportUnreachable(peer.id);
  }

  private startSnapshot(peer: Peer, message: Message): void {
    if (peer.snapshot) {
      // Raft waits for the status of the upload in progress before it sends another snapshot to this peer.
      this.logger.warn('dropped snapshot message: a snapshot to this peer is already being sent', { 'remote-peer-id': formatId(peer.id), index: message.snapshot?.metadata.index });
      return;
    }
    const controller = new AbortController();
    peer.snapshot = controller;
    const task = this.uploadSnapshot(peer, message, controller);
    this.tasks.add(task);
    void task.finally(() => this.tasks.delete(task));
  }

  private async uploadSnapshot(peer: Peer, message: Message, controller: AbortController): Promise<void> {
    const fields = { 'local-member-id': formatId(this.options.memberId), 'remote-peer-id': formatId(peer.id), index: message.snapshot?.metadata.index };
    let ok = false;
    try {
      const urls = this.parseUrls(peer.id, peer.link.peerUrls);
      if (urls.length === 0) throw new Error('the peer has no usable URL');
      this.logger.info('sending database snapshot to remote peer', fields);
      const startedMs = performance.now();
      const bytes = await sendSnapshot({
        url: urls[0]!,
        tls: this.options.tls,
        identity: { clusterId: this.options.clusterId, from: this.options.memberId, to: peer.id },
        message,
        payload: this.host.snapshotPayload(message),
        chunkBytesMax: this.tuning.snapshotChunkBytesMax,
        idleTimeoutMs: this.tuning.snapshotIdleTimeoutMs,
        counters: peer.counters,
        signal: controller.signal,
        track: (socket) => this.sockets.track(socket),
      });
      ok = true;
      this.logger.info('sent database snapshot to remote peer', { ...fields, bytes, 'took-ms': Math.round(performance.now() - startedMs) });
    } catch (error) {
      if (!controller.signal.aborted) this.logger.warn('failed to send database snapshot to remote peer', { ...fields, error: (error as Error).message });
    } finally {
      if (peer.snapshot === controller) peer.snapshot = undefined;
    }
    if (controller.signal.aborted || this.stopped) return;
    this.callHost('snapshotStatus', () => this.host.snapshotStatus(peer.id, ok));
    if (!ok) this.callHost('unreachable', () => this.host.unreachable(peer.id));
  }

  private onStream(socket: Socket, head: Buffer, from: NodeId): void {
    const peer = this.peers.get(from);
    if (!peer || this.stopped) {
      socket.destroy();
      return;
    }
    this.sockets.track(socket);
    // A new stream from a peer supersedes the old one: the peer only reconnects after it gave up on the old one.
    peer.inbound?.close();
    peer.inbound = new InboundStream(socket, head, {
      localId: this.options.memberId,
      peerId: from,
      messageBytesMax: this.tuning.messageBytesMax,
      linkTimeoutMs: this.tuning.linkTimeoutMs,
      logger: this.logger,
      counters: peer.counters,
      process: (message) => this.host.process(message),
    });
    peer.link.peerIsUp();
  }

  private onSnapshot(request: IncomingMessage, response: ServerResponse, from: NodeId): void {
    const peer = this.peers.get(from);
    if (!peer || this.stopped) return refuse(response, 503, 'transport stopping');
    if (this.receiving.has(from) || this.receiving.size >= this.tuning.snapshotReceivesMax) {
      this.logger.warn('refused snapshot: too many snapshots being received', { 'remote-peer-id': formatId(from), receiving: this.receiving.size });
      return refuse(response, 503, 'too many snapshots in progress');
    }
    this.receiving.set(from, request);
    const task = this.receiveSnapshot(request, response, peer).finally(() => this.receiving.delete(from));
    this.tasks.add(task);
    void task.finally(() => this.tasks.delete(task));
  }

  private async receiveSnapshot(request: IncomingMessage, response: ServerResponse, peer: Peer): Promise<void> {
    const fields = { 'local-member-id': formatId(this.options.memberId), 'remote-peer-id': formatId(peer.id) };
    this.logger.info('receiving database snapshot', fields);
    const outcome = await receiveSnapshot(request, {
      localId: this.options.memberId,
      from: peer.id,
      directory: this.options.snapshotDirectory,
      messageBytesMax: this.tuning.messageBytesMax,
      chunkBytesMax: this.tuning.snapshotChunkBytesMax,
      payloadBytesMax: this.tuning.snapshotPayloadBytesMax,
      idleTimeoutMs: this.tuning.snapshotIdleTimeoutMs,
      counters: peer.counters,
      processSnapshot: (message, file) =>
        this.stopped || this.peers.get(peer.id) !== peer ? Promise.reject(new Error('transport stopped or peer removed')) : this.host.processSnapshot(message, file),
    });
    const index = outcome.message?.snapshot?.metadata.index;
    if (outcome.status === 204) this.logger.info('received and saved database snapshot', { ...fields, index, bytes: outcome.payloadBytes });
    else this.logger.warn('failed to receive database snapshot', { ...fields, index, status: outcome.status, error: outcome.reason });
    if (response.destroyed || response.headersSent) return;
    if (outcome.status === 204) {
      response.writeHead(204);
      response.end();
    } else {
      refuse(response, outcome.status, outcome.reason);
    }
  }

  private parseUrls(id: NodeId, urls: readonly string[]): PeerUrl[] {
    const parsed: PeerUrl[] = [];
    for (const text of urls) {
      try {
        parsed.push(parsePeerUrl(text));
      } catch (error) {
        this.logger.error('ignored invalid peer URL', { 'remote-peer-id': formatId(id), error: (error as Error).message });
      }
    }
    return parsed;
  }

  private reportUnreachable(id: NodeId): void {
    this.unreachableReports.add(id);
    if (this.reportScheduled) return;
    this.reportScheduled = true;
    queueMicrotask(() => {
      this.reportScheduled = false;
      const ids = [...this.unreachableReports];
      this.unreachableReports.clear();
      if (this.stopped) return;
      for (const peerId of ids) this.callHost('unreachable', () => this.host.unreachable(peerId));
    });
  }

  /** Runs a host callback; a throw is the host's bug, logged rather than allowed to break the transport. */
  private callHost(name: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      this.logger.error('transport host callback failed', { callback: name, error: (error as Error).message });
    }
  }
}

function refuse(response: ServerResponse, status: number, reason: string): void {
  response.setHeader('connection', 'close');
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(reason) });
  response.end(reason);
}

/**
 * Whether a message is on someone's critical path: entries to persist, answers, votes, read-index heartbeats.
 * The rest (an append that only carries the commit index, a plain heartbeat) may wait for the client responses
 * of this turn (PeerLink.enqueue).
 */
function isUrgent(message: Message): boolean {
  if (message.type === MessageType.App) return message.entries.length > 0;
  if (message.type === MessageType.Heartbeat) return (message.context?.length ?? 0) > 0;
  return true;
}
