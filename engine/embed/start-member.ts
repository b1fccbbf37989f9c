// Starts a member the way etcd's embed package does: open the server from its data dir, serve gRPC and HTTP
// on every client URL (one port each, cmux-style), serve /metrics on the extra metrics URLs, publish the
// member's name and client URLs through the log, and report readiness.
import http from 'node:http';
import type { Logger } from '../common/logger.ts';
import { openMember } from '../server/bootstrap.ts';
import type { EtcdServer } from '../server/etcd-server.ts';
import { ServerMetrics } from '../server/metrics.ts';
import type { ServerConfig } from '../server/server-config.ts';
import { createGrpcServer } from '../api/grpc-server.ts';
import { httpHandler } from '../api/http-handler.ts';
import { listenClient, type ClientListener } from '../api/client-listener.ts';
import type { PeerTransport } from '../transport/index.ts';
import { startPeerLinks } from './peer-links.ts';

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

function hostAndPort(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`URL scheme must be http or https: ${url}`);
  if (parsed.protocol === 'https:') throw new Error(`TLS client URLs are not supported yet: ${url}`);
  const port = parsed.port === '' ? 80 : Number(parsed.port);
  // URL keeps brackets around IPv6 hosts; node's listen wants them without.
  return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port };
}

/** Opens, starts and publishes a member; resolves once it serves client requests. */
export async function startMember(config: ServerConfig, options: StartMemberOptions): Promise<RunningMember> {
  const { logger } = options;
  const metrics = new ServerMetrics();
  const server = await openMember(config, { logger, metrics });
  let peerLinks: PeerTransport | undefined;
  const { grpc, injector } = createGrpcServer(server, { requestBytesMax: config.requestBytesMax, concurrentStreamsMax: config.concurrentStreamsMax });
  const httpServer = http.createServer(httpHandler(server, metrics));
  const listeners: ClientListener[] = [];
  const metricsServers: http.Server[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(listeners.map((listener) => listener.close()));
    for (const metricsServer of metricsServers) metricsServer.close();
    injector.destroy();
    grpc.forceShutdown();
    httpServer.close();
    // The transport outlives the server's stop: a leader's last lease checkpoint still needs the peers.
    await server.stop();
    await peerLinks?.stop();
  };
  try {
    peerLinks = await startPeerLinks(server, config, metrics, logger);
    server.start();
    for (const url of config.clientUrls) {
      const { host, port } = hostAndPort(url);
      const listener = await listenClient(
        { host, port, onConnectionError: (error, remote) => logger.warn('rejected connection', { 'remote-addr': remote, error: error.message }) },
        { grpc: injector, http: httpServer },
      );
      listeners.push(listener);
      logger.info('serving client traffic insecurely; this is strongly discouraged!', { address: `${host}:${listener.address().port}` });
    }
    for (const url of options.metricsUrls ?? []) {
      const { host, port } = hostAndPort(url);
      const metricsServer = http.createServer(httpHandler(server, metrics));
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
