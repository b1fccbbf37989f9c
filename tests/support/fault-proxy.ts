// A controllable TCP proxy on 127.0.0.1 in front of one server port (a cluster member's peer port), for fault
// injection. Members advertise the proxy's address as their peer URL, so every peer connection *to* a member
// passes through its proxy. The mode can change at any moment and applies to open connections too:
//   pass       forward both ways;
//   blackhole  keep the sockets, forward nothing (new connections are accepted but not passed on); see
//              proxy-pump.ts for why held bytes are delayed rather than dropped;
//   reset      reset open connections and every new one (accepted, then reset at once: the port stays ours);
//   latency    forward, each chunk delayed by `latencyMs` in each direction.
// A mode can be set for all connections or only for those coming from one source (a member name, told apart by
// `identifySource`); that is what makes a partition work in both directions (see peer-network.ts).
import net from 'node:net';
import { freePort, loopbackHost } from './ports.ts';
import { ProxyPump } from './proxy-pump.ts';

/** What the proxy does with traffic. */
export type FaultMode =
  | { kind: 'pass' }
  | { kind: 'blackhole' }
  | { kind: 'reset' }
  | { kind: 'latency'; latencyMs: number };

/** The mode that forwards everything. */
export const passMode: FaultMode = { kind: 'pass' };

/** Options of FaultProxy.start. */
export interface FaultProxyOptions {
  /** The port traffic is forwarded to, on 127.0.0.1. */
  targetPort: number;
  /**
   * The port to listen on. The default is a port from freePort(), not one the kernel picks at bind time: that one
   * could be a port freePorts() just handed out to a server that has not bound it yet (a cluster's member).
   */
  listenPort?: number;
  /** Names the source of a new connection from its client port (e.g. the member that opened it). */
  identifySource?: (clientPort: number, proxyPort: number) => Promise<string | undefined>;
  /** A name for messages. */
  name?: string;
}

/** Counters, for tests and reports. */
export interface FaultProxyStats {
  accepted: number;
  open: number;
  reset: number;
  /** Connections whose source `identifySource` could not name (they get the default mode). */
  unidentified: number;
  bytesForwarded: number;
}

type ConnectionState = 'identifying' | 'waiting' | 'connecting' | 'open' | 'closed';

/** One client connection and its upstream twin. */
class ProxiedConnection {
  state: ConnectionState = 'identifying';
  source: string | undefined;
  upstream: net.Socket | undefined;
  pumps: [ProxyPump, ProxyPump] | undefined;
  /** A side closed while traffic was held; the other side learns it when traffic flows again. */
  private closedWhileHeld = false;
  private held = false;

  constructor(readonly client: net.Socket, private readonly targetPort: number, private readonly onClosed: (connection: ProxiedConnection) => void) {
    client.on('error', () => undefined);
    client.on('close', (hadError) => this.sideClosed(hadError));
  }

  /** Applies `mode` now, whatever state the connection is in. */
  apply(mode: FaultMode): void {
    if (this.state === 'closed' || this.state === 'identifying') return;
    if (mode.kind === 'reset') return this.tearDown(true);
    this.held = mode.kind === 'blackhole';
    const latencyMs = mode.kind === 'latency' ? mode.latencyMs : 0;
    if (this.state === 'waiting' && !this.held) return this.dial(latencyMs);
    if (this.state !== 'open' || this.pumps === undefined) return;
    if (this.held) for (const pump of this.pumps) pump.hold();
    else {
      for (const pump of this.pumps) pump.release(latencyMs);
      if (this.closedWhileHeld) this.tearDown(true);
    }
  }

  /** Identification is done: wait (blackhole) or connect upstream. */
  identified(source: string | undefined, mode: FaultMode): void {
    if (this.state === 'closed') return;
    this.source = source;
    this.state = 'waiting';
    this.apply(mode);
  }

  private dial(latencyMs: number): void {
    this.state = 'connecting';
    const upstream = net.connect({ host: loopbackHost, port: this.targetPort, allowHalfOpen: true });
    this.upstream = upstream;
    upstream.on('error', () => undefined);
    upstream.on('close', (hadError) => this.sideClosed(hadError));
    upstream.once('connect', () => {
      if (this.state !== 'connecting') return;
      this.state = 'open';
      this.pumps = [new ProxyPump(this.client, upstream, this.held, latencyMs), new ProxyPump(upstream, this.client, this.held, latencyMs)];
    });
  }

  private sideClosed(hadError: boolean): void {
    if (this.state === 'closed') return;
    if (this.state === 'connecting' && this.upstream?.destroyed) return this.tearDown(true);
    const otherOpen = !this.client.destroyed || (this.upstream !== undefined && !this.upstream.destroyed);
    if (!otherOpen) return this.tearDown(false);
    if (this.held) {
      this.closedWhileHeld = true;
      return;
    }
    // A clean close was already passed on as an end by the pumps; an abortive one is passed on as a reset.
    if (hadError || this.state !== 'open') this.tearDown(true);
  }

  /** Closes both sides (with a reset when `abortive`) and forgets the connection. */
  tearDown(abortive: boolean): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    for (const pump of this.pumps ?? []) pump.dispose();
    for (const socket of [this.client, this.upstream]) {
      if (socket === undefined || socket.destroyed) continue;
      if (abortive) socket.resetAndDestroy();
      else socket.destroy();
    }
    this.onClosed(this);
  }

  /** Bytes forwarded in both directions. */
  get bytesForwarded(): number {
    return (this.pumps?.[0].bytesForwarded ?? 0) + (this.pumps?.[1].bytesForwarded ?? 0);
  }
}

/** A TCP proxy whose behaviour tests switch at runtime. */
export class FaultProxy {
  private defaultMode: FaultMode = passMode;
  private readonly modesBySource = new Map<string, FaultMode>();
  private readonly connections = new Set<ProxiedConnection>();
  private readonly counters = { accepted: 0, reset: 0, unidentified: 0, closedBytes: 0 };

  private constructor(private readonly server: net.Server, private readonly options: FaultProxyOptions) {
    server.on('connection', (socket) => this.accept(socket));
  }

  /** Starts a proxy listening on 127.0.0.1. */
  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
    const port = options.listenPort ?? (await freePort());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: loopbackHost, port, exclusive: true }, () => resolve());
    });
    return new FaultProxy(server, options);
  }

  /** The port the proxy listens on. */
  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** `http://127.0.0.1:port`, for use as an advertised peer URL. */
  get url(): string {
    return `http://${loopbackHost}:${this.port}`;
  }

  /** The proxy's name, for messages. */
  get name(): string {
    return this.options.name ?? `proxy :${this.port} -> :${this.options.targetPort}`;
  }

  /** The mode a connection from `source` gets. */
  modeFor(source: string | undefined): FaultMode {
    return (source !== undefined ? this.modesBySource.get(source) : undefined) ?? this.defaultMode;
  }

  /** Sets the mode of every connection without a mode of its own source, open ones included. */
  setMode(mode: FaultMode): void {
    this.defaultMode = mode;
    this.reapply();
  }

  /** Sets the mode of connections from `source` (as named by `identifySource`), open ones included. */
  setModeFrom(source: string, mode: FaultMode): void {
    this.modesBySource.set(source, mode);
    this.reapply();
  }

  /** Back to passing everything from everyone. */
  heal(): void {
    this.modesBySource.clear();
    this.defaultMode = passMode;
    this.reapply();
  }

  /** Counters since the start. */
  get stats(): FaultProxyStats {
    let bytesForwarded = this.counters.closedBytes;
    for (const connection of this.connections) bytesForwarded += connection.bytesForwarded;
    const { accepted, reset, unidentified } = this.counters;
    return { accepted, open: this.connections.size, reset, unidentified, bytesForwarded };
  }

  /** The sources of the open connections that are past identification (undefined where unknown), for tests. */
  openSources(): Array<string | undefined> {
    return [...this.connections].filter((connection) => connection.state !== 'identifying').map((connection) => connection.source);
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of [...this.connections]) connection.tearDown(false);
    await closed;
  }

  private reapply(): void {
    for (const connection of [...this.connections]) {
      const mode = this.modeFor(connection.source);
      if (mode.kind === 'reset' && connection.state !== 'identifying') this.counters.reset += 1;
      connection.apply(mode);
    }
  }

  private accept(socket: net.Socket): void {
    this.counters.accepted += 1;
    const connection = new ProxiedConnection(socket, this.options.targetPort, (closed) => {
      this.counters.closedBytes += closed.bytesForwarded;
      this.connections.delete(closed);
    });
    this.connections.add(connection);
    const clientPort = socket.remotePort;
    const identify = this.options.identifySource && clientPort !== undefined
      ? this.options.identifySource(clientPort, this.port).catch(() => undefined)
      : Promise.resolve(undefined);
    void identify.then((source) => {
      if (source === undefined && this.options.identifySource !== undefined) this.counters.unidentified += 1;
      const mode = this.modeFor(source);
      if (mode.kind === 'reset') this.counters.reset += 1;
      connection.identified(source, mode);
    });
  }
}
