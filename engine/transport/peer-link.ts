// The outbound stream to one peer: dials the peer's URLs in turn, upgrades GET /raft/stream to a framed stream,
// writes queued message frames in corked batches, pings to measure the round trip and to notice a dead peer,
// and after any failure waits a jittered, growing back-off before it dials again.
//
// Memory is bounded by design: a frame is accepted only while the queue plus the socket's buffer stays under
// the tuning's counts and bytes, and the writer hands the socket at most socketBufferBytesMax before it waits
// for 'drain'. Messages offered while the link is down (waiting to redial) are refused at once: Raft
// retransmits, and a queue of stale appends delivered late only wastes the peer's time.
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { PeerTlsOptions } from './peer-tls.ts';
import { assert, AssertionError } from '../common/assert.ts';
import { peerResponseBytesMax } from '../common/limits.ts';
import { formatId, type Logger } from '../common/logger.ts';
import { etcdServerVersion } from '../common/version.ts';
import { backoffDelayMs } from './backoff.ts';
import { FrameKind, FrameParser, pingFrame, pingPayloadBytes } from './frames.ts';
import { handshakeHeaders, type HandshakeIdentity } from './handshake.ts';
import { OutboundQueue } from './outbound-queue.ts';
import type { PeerCounters } from './peer-counters.ts';
import { peerRequest, readBodyText } from './peer-request.ts';
import type { PeerUrl } from './peer-url.ts';
import type { TransportTuning } from './transport-types.ts';

/** The HTTP Upgrade token of a Raft stream. */
export const streamUpgradeToken = 'cairn-raft';

/** Frames smaller than this are joined with their neighbours into one write. */
const joinedFrameBytesMax = 16 * 1024;

/** Bytes of small frames joined into one write. */
const joinedBatchBytes = 64 * 1024;

/** The path of the stream endpoint. */
export const streamPath = '/raft/stream';

/** What a link needs from its transport. */
export interface PeerLinkContext {
  identity: HandshakeIdentity;
  tls: PeerTlsOptions | undefined;
  tuning: TransportTuning;
  logger: Logger;
  counters: PeerCounters;
  clock: () => number;
  wallClock: () => number;
  random: () => number;
  /** Registers a socket so the transport's stop() can close it. */
  track(socket: Socket): void;
  /** Messages to the peer were lost (dropped from the queue or with a failed link). */
  onUnreachable(): void;
  onRoundTrip(seconds: number): void;
  /** The peer refused this member as removed from the cluster. */
  onRemovedFromCluster(): void;
}

type LinkState = 'dialing' | 'active' | 'waiting' | 'closed';

/** The outbound stream to one peer. */
export class PeerLink {
  private state: LinkState = 'waiting';
  private urls: PeerUrl[];
  private urlIndex = 0;
  private failures = 0;
  /** The error of the last failed dial, so that a new reason is logged at warn level even while retrying. */
  private lastDialError: string | undefined;
  private request: ClientRequest | undefined;
  private socket: Socket | undefined;
  private dialTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private readonly queue = new OutboundQueue();
  private flushScheduled = false;
  private lateFlushScheduled = false;
  private waitingForDrain = false;
  private pingSequence = 0;
  private pingSentAt: number | undefined;
  private lastHeardAt = 0;
  private activeSince: number | undefined;
  private lastRoundTripSeconds: number | undefined;

  constructor(
    private readonly context: PeerLinkContext,
    urls: PeerUrl[],
  ) {
    this.urls = urls;
    this.dial();
  }

  /** Whether the stream is established. */
  get active(): boolean {
    return this.state === 'active';
  }

  /** Wall-clock milliseconds since the stream came up, or undefined while it is down. */
  get activeSinceMs(): number | undefined {
    return this.activeSince;
  }

  /** The last measured round trip, in seconds. */
  get roundTripSeconds(): number | undefined {
    return this.lastRoundTripSeconds;
  }

  /** Frames waiting to be written. */
  get queuedMessages(): number {
    return this.queue.length;
  }

  /** Bytes waiting: queued frames and the socket's unsent buffer. */
  get queuedBytes(): number {
    return this.queue.bytes + (this.socket?.writableLength ?? 0);
  }

  /** The URLs the link dials. */
  get peerUrls(): string[] {
    return this.urls.map((url) => url.text);
  }

  /** Whether a frame of `frameBytes` would be queued now (checked before encoding, so a drop costs nothing). */
  canAccept(frameBytes: number): boolean {
    if (this.state !== 'active' && this.state !== 'dialing') return false;
    if (this.queue.length >= this.context.tuning.queueMessagesMax) return false;
    return this.queuedBytes + frameBytes <= this.context.tuning.queueBytesMax;
  }

  /**
   * Queues a frame that canAccept admitted; it is written with the rest of this turn's frames. A frame that is
   * not `urgent` waits until the client responses of this turn have been written (scheduleLateFlush).
   */
  enqueue(frame: Buffer, urgent = true): void {
    assert(this.canAccept(frame.length), 'enqueue after canAccept refused the frame');
    this.queue.push(frame);
    if (urgent) this.scheduleFlush();
    else this.scheduleLateFlush();
  }

  /** Replaces the peer's URLs; a link using a URL that is gone is closed and dialled again at once. */
  setUrls(urls: PeerUrl[]): void {
    const current = this.urls.length > 0 ? this.urls[this.urlIndex % this.urls.length]!.text : undefined;
    this.urls = urls;
    const kept = urls.findIndex((url) => url.text === current);
    this.urlIndex = Math.max(0, kept);
    if (this.state === 'closed' || kept >= 0) return;
    this.fail(new Error('peer URLs updated'));
    this.urlIndex = 0;
    this.failures = 0;
    this.redialAfter(0);
  }

  /**
   * The peer just opened a stream to us, so it is up: a link waiting out its back-off dials now. Without this a
   * restarted member waits up to the back-off's maximum (2 s) for its leader's messages, then starts an election.
   */
  peerIsUp(): void {
    if (this.state !== 'waiting' || this.retryTimer === undefined) return;
    this.failures = 0;
    this.redialAfter(0);
  }

  /** Closes the link for good; queued frames are dropped without a report (the peer is being removed or we stop). */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.clearTimers();
    this.request?.destroy();
    this.request = undefined;
    this.socket?.destroy();
    this.socket = undefined;
    this.queue.clear();
    this.activeSince = undefined;
  }

  private dial(): void {
    if (!(this.state === 'waiting')) throw new AssertionError(`dial from state ${this.state}`);
    if (this.urls.length === 0) return; // No usable URL: the link stays down and every send is refused.
    const url = this.urls[this.urlIndex % this.urls.length]!;
    this.state = 'dialing';
    const request = peerRequest(url, this.context.tls, {
      method: 'GET',
      path: streamPath,
      headers: { ...handshakeHeaders(this.context.identity, etcdServerVersion), connection: 'Upgrade', upgrade: streamUpgradeToken },
    });
    this.request = request;
    request.on('socket', (socket: Socket) => this.context.track(socket));
    this.dialTimer = setTimeout(() => request.destroy(new Error(`no answer within ${this.context.tuning.dialTimeoutMs} ms`)), this.context.tuning.dialTimeoutMs);
    request.once('upgrade', (_response: IncomingMessage, socket: Socket, head: Buffer) => {
      if (request === this.request) this.onUpgrade(url, socket, head);
      else socket.destroy();
    });
    request.once('response', (response: IncomingMessage) => void this.onRefused(request, url, response));
    request.on('error', (error: Error) => {
      if (request === this.request) this.fail(error, url);
    });
    request.end();
  }

  private onUpgrade(url: PeerUrl, socket: Socket, head: Buffer): void {
    clearTimeout(this.dialTimer);
    this.dialTimer = undefined;
    this.request = undefined;
    this.socket = socket;
    this.state = 'active';
    this.failures = 0;
    this.waitingForDrain = false;
    this.pingSentAt = undefined;
    this.activeSince = this.context.wallClock();
    this.lastHeardAt = this.context.clock();
    socket.setNoDelay(true);
    // Bytes that arrived with the 101 answer belong to the stream: put them back before reading.
    if (head.length > 0) socket.unshift(head);
    const parser = new FrameParser(new Map([[FrameKind.Pong, pingPayloadBytes]]));
    socket.on('data', (chunk: Buffer) => {
      if (socket !== this.socket) return;
      this.context.counters.receivedBytes += chunk.length;
      try {
        for (const frame of parser.push(chunk)) this.onPong(frame.payload.readUInt32BE(0));
      } catch (error) {
        this.fail(error as Error, url);
      }
    });
    socket.on('error', (error: Error) => {
      if (socket === this.socket) this.fail(error, url);
    });
    socket.on('close', () => {
      if (socket === this.socket) this.fail(new Error('connection closed by the peer'), url);
    });
    this.context.logger.info('established TCP streaming connection with remote peer', this.fields(url));
    this.pingTimer = setInterval(() => this.onPingTick(url), this.context.tuning.pingIntervalMs);
    this.sendPing();
  }

  private async onRefused(request: ClientRequest, url: PeerUrl, response: IncomingMessage): Promise<void> {
    // Keep the dial timer: a refusal whose body never ends still fails the dial in time.
    const reason = (await readBodyText(response, peerResponseBytesMax)).trim();
    if (request !== this.request) return;
    const status = response.statusCode ?? 0;
    this.context.logger.warn('peer refused the stream', { ...this.fields(url), status, reason });
    if (status === 410) this.context.onRemovedFromCluster();
    this.fail(new Error(`refused with status ${status}: ${reason}`), url);
  }

  private onPingTick(url: PeerUrl): void {
    const silentMs = this.context.clock() - this.lastHeardAt;
    if (silentMs > this.context.tuning.linkTimeoutMs) {
      this.fail(new Error(`no answer from the peer for ${Math.round(silentMs)} ms`), url);
      return;
    }
    if (this.pingSentAt === undefined) this.sendPing();
  }

  private sendPing(): void {
    this.pingSequence = (this.pingSequence + 1) >>> 0;
    this.pingSentAt = this.context.clock();
    // Pings bypass the bounds: they are tiny, at most one is outstanding, and they are what detects a dead link.
    this.queue.push(pingFrame(FrameKind.Ping, this.pingSequence));
    this.scheduleFlush();
  }

  private onPong(sequence: number): void {
    const now = this.context.clock();
    this.lastHeardAt = now;
    if (this.pingSentAt === undefined || sequence !== this.pingSequence) return;
    const seconds = (now - this.pingSentAt) / 1000;
    this.pingSentAt = undefined;
    this.lastRoundTripSeconds = seconds;
    this.context.onRoundTrip(seconds);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.state !== 'active') return;
    this.flushScheduled = true;
    // A microtask: every frame queued in this synchronous turn (one Ready's messages) goes out in one batch.
    queueMicrotask(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /**
   * Flushes two check phases from now, unless a flush comes sooner. Node writes an HTTP/2 response in the next
   * check phase (native immediates run before JavaScript ones) and its trailers in the one after: a client
   * waiting for a commit then hears of it before this member spends the time (and wakes the followers) to write
   * to its peers.
   */
  private scheduleLateFlush(): void {
    if (this.flushScheduled || this.lateFlushScheduled || this.state !== 'active') return;
    this.lateFlushScheduled = true;
    setImmediate(() =>
      setImmediate(() => {
        this.lateFlushScheduled = false;
        this.flush();
      }),
    );
  }

  private flush(): void {
    const socket = this.socket;
    if (socket === undefined || this.state !== 'active' || this.waitingForDrain || this.queue.length === 0) return;
    const bufferMax = this.context.tuning.socketBufferBytesMax;
    // Small frames are joined into one buffer per batch: one write instead of hundreds of tiny iovecs.
    let batch: Buffer[] = [];
    let batchBytes = 0;
    const writeBatch = () => {
      if (batch.length === 0) return;
      socket.write(batch.length === 1 ? batch[0]! : Buffer.concat(batch, batchBytes));
      batch = [];
      batchBytes = 0;
    };
    socket.cork();
    while (this.queue.length > 0 && socket.writableLength + batchBytes < bufferMax) {
      const frame = this.queue.shift()!;
      this.context.counters.sentBytes += frame.length;
      if (frame.length >= joinedFrameBytesMax) {
        writeBatch();
        socket.write(frame);
        continue;
      }
      batch.push(frame);
      batchBytes += frame.length;
      if (batchBytes >= joinedBatchBytes) writeBatch();
    }
    writeBatch();
    socket.uncork();
    if (this.queue.length === 0) return;
    // The socket holds more than socketBufferBytesMax, far above its high-water mark, so 'drain' will follow.
    this.waitingForDrain = true;
    socket.once('drain', () => {
      if (socket !== this.socket) return;
      this.waitingForDrain = false;
      this.flush();
    });
  }

  private fail(error: Error, url?: PeerUrl): void {
    if (this.state === 'closed' || this.state === 'waiting') return;
    const wasActive = this.state === 'active';
    this.clearTimers();
    this.request?.destroy();
    this.request = undefined;
    this.socket?.destroy();
    this.socket = undefined;
    const dropped = this.queue.clear();
    this.context.counters.droppedMessages += dropped;
    this.activeSince = undefined;
    this.pingSentAt = undefined;
    this.state = 'waiting';
    this.failures++;
    // The next attempt tries the peer's next URL, as etcd's URL picker does after a failure.
    this.urlIndex = (this.urlIndex + 1) % Math.max(1, this.urls.length);
    const fields = { ...this.fields(url), error: error.message, failures: this.failures };
    // Retries with the same reason log at debug level; a new reason (the peer came up but its certificate is
    // refused, say) is a warning again, or an operator would only ever see the first "connection refused".
    const newReason = error.message !== this.lastDialError;
    this.lastDialError = wasActive ? undefined : error.message;
    if (wasActive) this.context.logger.warn('lost TCP streaming connection with remote peer', fields);
    else if (this.failures === 1 || newReason) this.context.logger.warn('failed to dial remote peer', fields);
    else this.context.logger.debug('failed to dial remote peer', fields);
    if (wasActive || dropped > 0) this.context.onUnreachable();
    this.redialAfter(backoffDelayMs(this.context.tuning.backoff, this.failures, this.context.random));
  }

  private redialAfter(delayMs: number): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.state === 'waiting') this.dial();
    }, delayMs);
  }

  private clearTimers(): void {
    clearTimeout(this.dialTimer);
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    this.dialTimer = undefined;
    this.retryTimer = undefined;
    this.pingTimer = undefined;
  }

  private fields(url: PeerUrl | undefined): Record<string, string> {
    const fields: Record<string, string> = {
      'local-member-id': formatId(this.context.identity.from),
      'remote-peer-id': formatId(this.context.identity.to),
    };
    if (url) fields['remote-peer-url'] = url.text;
    return fields;
  }
}
