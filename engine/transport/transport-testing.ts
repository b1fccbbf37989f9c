// Helpers for the transport's tests and benchmark (not used by production code): a host that records what the
// transport hands it, transports on 127.0.0.1 with free ports and short timings, and small message builders.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { PeerTlsOptions } from './peer-tls.ts';
import { createLogger, type Logger } from '../common/logger.ts';
import { EntryType, MessageType, type Message, type NodeId } from '../raft/types.ts';
import { PeerTransport } from './peer-transport.ts';
import type { TransportHost, TransportTuning } from './transport-types.ts';

/** Timings short enough for tests to see reconnects and timeouts within a second. */
export const testTuning: Partial<TransportTuning> = {
  pingIntervalMs: 50,
  linkTimeoutMs: 1000,
  dialTimeoutMs: 500,
  backoff: { baseMs: 10, maxMs: 100 },
};

/** A TransportHost that records every callback. */
export class RecordingHost implements TransportHost {
  readonly messages: Message[] = [];
  readonly snapshots: { message: Message; payloadFile: string }[] = [];
  readonly unreachableIds: NodeId[] = [];
  readonly snapshotStatuses: { id: NodeId; ok: boolean }[] = [];
  readonly removedReports: NodeId[] = [];
  readonly roundTrips: { id: NodeId; seconds: number }[] = [];
  removed = new Set<NodeId>();
  memberList: unknown = [];
  /** Payload for outbound snapshots; tests replace it. */
  payload: (message: Message) => AsyncIterable<Uint8Array> = async function* () {};
  /** What processSnapshot does with the file (default: keep it for the test to read). */
  onSnapshot: (message: Message, payloadFile: string) => void | Promise<void> = () => undefined;
  /** Called for each inbound message after it is recorded. */
  onMessage: (message: Message) => void = () => undefined;
  /** When false, inbound messages are counted but not kept (benchmarks). */
  keepMessages = true;
  messageCount = 0;

  process(message: Message): void {
    this.messageCount++;
    if (this.keepMessages) this.messages.push(message);
    this.onMessage(message);
  }

  async processSnapshot(message: Message, payloadFile: string): Promise<void> {
    this.snapshots.push({ message, payloadFile });
    await this.onSnapshot(message, payloadFile);
  }

  snapshotPayload(message: Message): AsyncIterable<Uint8Array> {
    return this.payload(message);
  }

  unreachable(peerId: NodeId): void {
    this.unreachableIds.push(peerId);
  }

  snapshotStatus(peerId: NodeId, ok: boolean): void {
    this.snapshotStatuses.push({ id: peerId, ok });
  }

  isRemoved(id: NodeId): boolean {
    return this.removed.has(id);
  }

  members(): unknown {
    return this.memberList;
  }

  removedFromCluster(reportedBy: NodeId): void {
    this.removedReports.push(reportedBy);
  }

  observeRoundTrip(peerId: NodeId, seconds: number): void {
    this.roundTrips.push({ id: peerId, seconds });
  }
}

/** A logger that keeps its lines, parsed, for assertions. */
export function recordingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ sink: (line) => lines.push(JSON.parse(line) as Record<string, unknown>), level: 'info' });
  return { logger, lines };
}

/** One transport under test with its host, log and snapshot directory. */
export interface TestMember {
  id: NodeId;
  transport: PeerTransport;
  host: RecordingHost;
  lines: Record<string, unknown>[];
  url: string;
  directory: string;
}

/** Starts a transport for member `id` on 127.0.0.1 (port 0 unless `port` is given). */
export async function startMember(
  id: NodeId,
  options: { clusterId?: bigint; port?: number; tuning?: Partial<TransportTuning>; host?: RecordingHost; directory?: string; tls?: PeerTlsOptions } = {},
): Promise<TestMember> {
  const host = options.host ?? new RecordingHost();
  const { logger, lines } = recordingLogger();
  const directory = options.directory ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-transport-'));
  const transport = new PeerTransport({
    memberId: id,
    clusterId: options.clusterId ?? 0xc1n,
    listenUrls: [`${options.tls ? 'https' : 'http'}://127.0.0.1:${options.port ?? 0}`],
    tls: options.tls,
    snapshotDirectory: directory,
    host,
    logger,
    tuning: { ...testTuning, ...options.tuning },
  });
  const [url] = await transport.start();
  return { id, transport, host, lines, url: url!, directory };
}

/** A URL on 127.0.0.1 whose port was free a moment ago (a peer that is down). */
export async function unusedPeerUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/** Makes every member a peer of every other. */
export function connectAll(members: TestMember[]): void {
  for (const member of members) {
    for (const other of members) if (other !== member) member.transport.addPeer(other.id, [other.url]);
  }
}

/** Resolves once `condition` holds; rejects after `timeoutMs` naming `what`. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Waits until the stream from `from` to each of `to` is up. */
export async function waitForLinks(from: TestMember, to: TestMember[]): Promise<void> {
  await waitFor(`links from ${from.id}`, () => to.every((other) => from.transport.activeSince(other.id) !== undefined));
}

/** An append message carrying `count` entries of `dataBytes` each, numbered from `index`. */
export function appendMessage(from: NodeId, to: NodeId, index: number, count = 1, dataBytes = 16): Message {
  const entries = Array.from({ length: count }, (_, position) => ({
    term: 3,
    index: index + position,
    type: EntryType.Normal,
    data: new Uint8Array(dataBytes).fill((index + position) & 0xff),
  }));
  return { type: MessageType.App, to, from, term: 3, logTerm: 3, index, entries, commit: index, reject: false, rejectHint: 0 };
}

/** Stops members and removes their directories. */
export async function stopMembers(members: TestMember[]): Promise<void> {
  await Promise.all(members.map((member) => member.transport.stop()));
  for (const member of members) fs.rmSync(member.directory, { recursive: true, force: true });
}
