// The HTTP server on a member's peer URLs. It answers GET /version and GET /members (how a member started with
// --initial-cluster-state existing learns the cluster ID and members, as in etcd), upgrades GET /raft/stream to
// a Raft stream and accepts POST /raft/snapshot, both after the handshake check. Streams and snapshots are
// handed to the transport; this file only routes and refuses.
import http from 'node:http';
import type net from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type PeerCertificate, type Server as TlsServer, type TLSSocket } from 'node:tls';
import { peerServerOptions, peerTlsFailureReason, type PeerTlsOptions } from './peer-tls.ts';
import { formatId, type Logger } from '../common/logger.ts';
import { etcdClusterVersion, etcdServerVersion } from '../common/version.ts';
import type { NodeId } from '../raft/types.ts';
import { handshakeHeader, judgeHandshake, type HandshakeJudge } from './handshake.ts';
import { streamPath, streamUpgradeToken } from './peer-link.ts';
import { formatPeerUrl, parsePeerUrl } from './peer-url.ts';
import { snapshotPath } from './snapshot-sender.ts';

/** Where the server hands what it accepts. */
export interface PeerServerHandlers {
  judge: HandshakeJudge;
  logger: Logger;
  /** The member list for GET /members. */
  members(): unknown;
  /** An accepted stream from `from`; `head` holds bytes that arrived with the request. */
  onStream(socket: Socket, head: Buffer, from: NodeId): void;
  /** An accepted snapshot upload from `from`; the handler answers `response`. */
  onSnapshot(request: http.IncomingMessage, response: http.ServerResponse, from: NodeId): void;
  track(socket: Socket): void;
}

/** One peer URL's listener and the HTTP server it hands connections to (the same object for http URLs). */
interface PeerListener {
  listener: net.Server;
  http: http.Server;
}

/** The HTTP(S) servers of one member's peer URLs. */
export class PeerServer {
  private readonly listeners: PeerListener[] = [];

  constructor(
    private readonly handlers: PeerServerHandlers,
    private readonly tls: PeerTlsOptions | undefined,
  ) {}

  /** Listens on every URL and returns the URLs actually bound (a port of 0 replaced by the chosen port). */
  async listen(urls: string[]): Promise<string[]> {
    const bound: string[] = [];
    for (const text of urls) {
      const url = parsePeerUrl(text);
      if (url.secure && this.tls === undefined) throw new Error(`peer URL ${text} is https but no peer TLS material was given`);
      const server = http.createServer();
      // A snapshot upload of a large backend may take minutes; the receiver has its own idle timeout instead.
      server.requestTimeout = 0;
      server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => this.onRequest(request, response));
      server.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(request, socket as Socket, head));
      const listener = url.secure ? this.secureListener(this.tls!, server) : server;
      listener.on('connection', (socket: Socket) => this.handlers.track(socket));
      this.listeners.push({ listener, http: server });
      await new Promise<void>((resolve, reject) => {
        listener.once('error', reject);
        listener.listen(url.port, url.host, () => {
          listener.off('error', reject);
          resolve();
        });
      });
      listener.on('error', (error: Error) => this.handlers.logger.error('peer listener failed', { url: text, error: error.message }));
      bound.push(formatPeerUrl(url.secure, url.host, (listener.address() as AddressInfo).port));
    }
    return bound;
  }

  /**
   * A TLS listener that refuses, with the reason in the log, peers whose certificate fails verification
   * (--peer-client-cert-auth) or that the embedder's check refuses (allowed CN or host name, SAN, revocation list),
   * and hands the others to `server`. As etcd's TLS listener does, a connection reaches HTTP only once every check
   * has passed: no request of a peer that is then refused is ever read.
   */
  private secureListener(tls: PeerTlsOptions, server: http.Server): TlsServer {
    const listener = createTlsServer({ ...peerServerOptions(tls), ALPNProtocols: ['http/1.1'] });
    // Remembered at accept time: a socket dropped for its certificate has forgotten its peer by the time of the error.
    const remotes = new WeakMap<object, string>();
    listener.on('connection', (socket: Socket) => remotes.set(socket, `${socket.remoteAddress}:${socket.remotePort}`));
    const remoteOf = (socket: TLSSocket): string =>
      remotes.get((socket as unknown as { _parent?: object })._parent ?? socket) ?? `${socket.remoteAddress}:${socket.remotePort}`;
    listener.on('tlsClientError', (error: Error, socket: TLSSocket) => {
      this.handlers.logger.warn('rejected peer connection', { 'remote-addr': remoteOf(socket), error: peerTlsFailureReason(error, socket) });
    });
    listener.on('secureConnection', (socket: TLSSocket) => {
      const check = tls.checkCertificate;
      if (check === undefined) return void server.emit('connection', socket);
      this.judgeCertificate(socket, check, remoteOf(socket)).then((accepted) => {
        if (accepted) server.emit('connection', socket);
      });
    });
    return listener;
  }

  /** Runs the embedder's check on a new connection; a refusal is logged and the socket destroyed. */
  private async judgeCertificate(socket: TLSSocket, check: NonNullable<PeerTlsOptions['checkCertificate']>, remote: string): Promise<boolean> {
    // A peer that hangs up while a slow check runs must not crash the process with an unhandled 'error'.
    const ignoreError = (): void => undefined;
    socket.on('error', ignoreError);
    const names = presentedNames(socket);
    let refusal: string | undefined;
    try {
      refusal = await check(socket);
    } catch (error) {
      refusal = `certificate check failed: ${(error as Error).message}`;
    }
    socket.off('error', ignoreError);
    if (refusal === undefined && !socket.destroyed) return true;
    if (refusal !== undefined) this.handlers.logger.warn('rejected peer connection', { 'remote-addr': remote, ...names, error: refusal });
    socket.destroy();
    return false;
  }

  /** Stops listening; resolves when every server has closed (the transport closes the connections). */
  async close(): Promise<void> {
    await Promise.all(
      this.listeners.map(
        ({ listener, http: server }) =>
          new Promise<void>((resolve) => {
            listener.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  }

  private onRequest(request: http.IncomingMessage, response: http.ServerResponse): void {
    const route = `${request.method} ${(request.url ?? '').split('?')[0]}`;
    response.setHeader(handshakeHeader.clusterId, formatId(this.handlers.judge.clusterId));
    response.setHeader(handshakeHeader.serverVersion, etcdServerVersion);
    if (route === 'GET /version') return sendJson(response, { etcdserver: etcdServerVersion, etcdcluster: etcdClusterVersion });
    if (route === 'GET /members') return this.sendMembers(response);
    if (route === `POST ${snapshotPath}`) return this.onSnapshotRequest(request, response);
    const known = ['/version', '/members', snapshotPath, streamPath].includes((request.url ?? '').split('?')[0]!);
    sendText(response, known ? 405 : 404, known ? 'Method Not Allowed' : 'Not Found');
  }

  private sendMembers(response: http.ServerResponse): void {
    let members: unknown;
    try {
      members = this.handlers.members();
    } catch (error) {
      this.handlers.logger.warn('failed to list members for a peer', { error: (error as Error).message });
      return sendText(response, 500, 'failed to list members');
    }
    sendJson(response, members);
  }

  private onSnapshotRequest(request: http.IncomingMessage, response: http.ServerResponse): void {
    const verdict = this.judge(request);
    if (!verdict.accepted) {
      // Close the connection: the body that would follow is of no use.
      response.setHeader('connection', 'close');
      return sendText(response, verdict.status, verdict.reason);
    }
    this.handlers.onSnapshot(request, response, verdict.from);
  }

  private onUpgrade(request: http.IncomingMessage, socket: Socket, head: Buffer): void {
    // node:http hands the socket over without an error listener: a peer that resets it (a removed member
    // exiting right after its refusal) would otherwise crash the process with an unhandled 'error'.
    socket.on('error', () => socket.destroy());
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET' || path !== streamPath || request.headers.upgrade !== streamUpgradeToken) {
      return refuseRaw(socket, 404, 'Not Found');
    }
    const verdict = this.judge(request);
    if (!verdict.accepted) return refuseRaw(socket, verdict.status, verdict.reason);
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nupgrade: ${streamUpgradeToken}\r\nconnection: Upgrade\r\n` +
        `${handshakeHeader.clusterId}: ${formatId(this.handlers.judge.clusterId)}\r\n\r\n`,
    );
    this.handlers.onStream(socket, head, verdict.from);
  }

  /** The handshake verdict, logged when it refuses (a host callback that throws refuses with 500). */
  private judge(request: http.IncomingMessage): { accepted: true; from: NodeId } | { accepted: false; status: number; reason: string } {
    try {
      const verdict = judgeHandshake(request.headers, this.handlers.judge);
      if (!verdict.accepted) this.handlers.logger.warn(verdict.logMessage, verdict.fields);
      return verdict;
    } catch (error) {
      this.handlers.logger.error('failed to check a peer handshake', { error: (error as Error).message });
      return { accepted: false, status: 500, reason: 'internal error' };
    }
  }
}

function sendJson(response: http.ServerResponse, value: unknown): void {
  const body = JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? formatId(item) : item));
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function sendText(response: http.ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/** Answers an upgrade request that is refused, on the raw socket (node:http no longer owns it), and closes it. */
function refuseRaw(socket: Socket, status: number, reason: string): void {
  const body = Buffer.from(reason, 'utf8');
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: text/plain; charset=utf-8\r\n` +
      `content-length: ${body.length}\r\nconnection: close\r\n\r\n${reason}`,
  );
}

/** etcd's fields of a refused connection that presented a certificate: the SNI name and the leaf's SANs. */
function presentedNames(socket: TLSSocket): Record<string, string | string[]> {
  const serverName = (socket as { servername?: string | false }).servername;
  const fields: Record<string, string | string[]> = { 'server-name': typeof serverName === 'string' ? serverName : '' };
  // Empty (or null, once the socket is gone) when the peer presented no certificate.
  const altNames = (socket.getPeerCertificate() as Partial<PeerCertificate> | null)?.subjectaltname;
  if (altNames === undefined) return fields;
  const entries = altNames.split(', ');
  fields['ip-addresses'] = entries.filter((entry) => entry.startsWith('IP Address:')).map((entry) => entry.slice('IP Address:'.length));
  fields['dns-names'] = entries.filter((entry) => entry.startsWith('DNS:')).map((entry) => entry.slice('DNS:'.length));
  return fields;
}
