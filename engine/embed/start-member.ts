// Starts a member the way etcd's embed package does: open the server from its data dir, serve gRPC and HTTP
// on every client URL (one port each, cmux-style), serve /metrics on the extra metrics URLs, publish the
// member's name and client URLs through the log, and report readiness.
import http from 'node:http';
import https from 'node:https';
import type { Logger } from '../common/logger.ts';
import { openMember } from '../server/bootstrap.ts';
import type { EtcdServer } from '../server/etcd-server.ts';
import { ServerMetrics } from '../server/metrics.ts';
import type { ServerConfig } from '../server/server-config.ts';
import { createGrpcServer } from '../api/grpc-server.ts';
import { httpHandler } from '../api/http-handler.ts';
import { listenClient, type ClientListener } from '../api/client-listener.ts';
import type { PeerTransport } from '../transport/index.ts';
import { peerTransportTls, startPeerLinks } from './peer-links.ts';
import type { MemberTlsSettings } from '../common/tls-settings.ts';
import { leaderClientTls, resolveMemberTls } from './member-tls.ts';

/** A running member with its listeners. */
export interface RunningMember {
  server: EtcdServer;
  /** The bound client addresses, as host:port. */
  clientAddresses: string[];
  stop(): Promise<void>;
}

/** Options of startMember. */
export interface StartMemberOptions {
  logger: Logger;
  /** How long to wait for a leader before giving up, in milliseconds. */
  readyTimeoutMs?: number;
  /** Extra URLs serving /metrics and /health only (--listen-metrics-urls). */
  metricsUrls?: string[];
}

function hostAndPort(url: string): { host: string; port: number; secure: boolean } {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`URL scheme must be http or https: ${url}`);
  const secure = parsed.protocol === 'https:';
  const port = parsed.port === '' ? (secure ? 443 : 80) : Number(parsed.port);
  // URL keeps brackets around IPv6 hosts; node's listen wants them without.
  return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port, secure };
}

/**
 * Opens, starts and publishes a member; resolves once it serves client requests. The TLS settings come with
 * the config when it was built from etcd's flags (engine/cli's EngineConfig); without them the member is plain http.
 */
export async function startMember(config: ServerConfig & Partial<MemberTlsSettings>, options: StartMemberOptions): Promise<RunningMember> {
  const { logger } = options;
  // Before anything is opened: a bad certificate file must stop the start with its name, not half a member.
  const memberTls = await resolveMemberTls(config, logger);
  const serverConfig: ServerConfig = {
    ...config,
    leaderClientTls: leaderClientTls(memberTls),
    joinPeerTls: peerTransportTls(memberTls),
    clientCertAuth: memberTls.client?.clientCertificateAuth ?? false,
  };
  const metrics = new ServerMetrics();
  const server = await openMember(serverConfig, { logger, metrics });
  let peerLinks: PeerTransport | undefined;
  // With CAIRN_GRPC_SERVER=grpc-js, CAIRN_UNARY_FAST_PATH=0 also leaves unary calls to grpc-js's own machinery.
  const { grpc, injector, fastPath, own } = createGrpcServer(server.api, {
    requestBytesMax: config.requestBytesMax,
    concurrentStreamsMax: config.concurrentStreamsMax,
    unaryFastPath: process.env['CAIRN_UNARY_FAST_PATH'] !== '0',
    onConnectionError: (error) => logger.debug('closed a gRPC connection', { error: error.message }),
    metrics,
  });
  // The engine's own HTTP/2 server serves gRPC; CAIRN_GRPC_SERVER=grpc-js hands the connections to grpc-js (with
  // the unary fast path) instead, the path every release before it used.
  const ownGrpc = process.env['CAIRN_GRPC_SERVER'] === 'grpc-js' ? undefined : own;
  if (!ownGrpc) logger.info('gRPC is served by grpc-js (CAIRN_GRPC_SERVER=grpc-js)');
  if (!ownGrpc && !fastPath && process.env['CAIRN_UNARY_FAST_PATH'] !== '0') logger.warn('unary fast path unavailable (unknown grpc-js internals); grpc-js serves every call');
  const httpServer = http.createServer(httpHandler(server.api, metrics));
  const listeners: ClientListener[] = [];
  const metricsServers: http.Server[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(listeners.map((listener) => listener.close()));
    for (const metricsServer of metricsServers) metricsServer.close();
    await ownGrpc?.close();
    injector.destroy();
    grpc.forceShutdown();
    httpServer.close();
    // The transport outlives the server's stop: a leader's last lease checkpoint still needs the peers.
    await server.stop();
    await peerLinks?.stop();
  };
  try {
    peerLinks = await startPeerLinks(server, serverConfig, metrics, logger, memberTls);
    server.start();
    for (const url of config.clientUrls) {
      const { host, port, secure } = hostAndPort(url);
      const tls = secure ? memberTls.client?.server : undefined;
      const listener = await listenClient(
        {
          host,
          port,
          tls,
          checkCertificate: memberTls.clientChecks === undefined ? undefined : (socket) => memberTls.clientChecks?.refusal(socket),
          onConnectionError: (error, remote) => logger.warn('rejected connection', { 'remote-addr': remote, error: error.message }),
        },
        { grpc: injector, http: httpServer, ownGrpc },
      );
      listeners.push(listener);
      const address = `${host}:${listener.address().port}`;
      if (tls) logger.info('serving client traffic securely', { address, 'client-cert-auth': memberTls.client?.clientCertificateAuth ?? false });
      else logger.info('serving client traffic insecurely; this is strongly discouraged!', { address });
    }
    for (const url of options.metricsUrls ?? []) {
      const { host, port, secure } = hostAndPort(url);
      // etcd serves https metrics URLs with the client port's TLS.
      if (secure && memberTls.client === undefined) throw new Error(`TLS key/cert (--cert-file, --key-file) must be provided for metrics url ${url} with HTTPS scheme`);
      const metricsServer = secure && memberTls.client ? https.createServer(memberTls.client.server, httpHandler(server.api, metrics)) : http.createServer(httpHandler(server.api, metrics));
      await new Promise<void>((resolve, reject) => metricsServer.once('error', reject).listen(port, host, () => resolve()));
      metricsServers.push(metricsServer);
      logger.info('serving metrics', { address: `${host}:${port}` });
    }
    await server.waitUntilReady(options.readyTimeoutMs ?? 60_000);
    await server.publish(config.name, config.advertiseClientUrls);
    logger.info('ready to serve client requests', {});
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  const clientAddresses = listeners.map((listener) => `127.0.0.1:${listener.address().port}`);
  return { server, clientAddresses, stop };
}
