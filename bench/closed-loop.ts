// The load pattern of etcd's benchmark tool: `clients` concurrent loops share `connections` (client i uses
// connection i mod conns), and each loop sends its next request as soon as the previous one is answered, until
// `total` requests have been sent between them.
import type { EtcdClient } from '../tests/support/grpc-client.ts';
import { LatencyRecorder, type RunSummary } from './latency.ts';

/** Sends one request over `client`; `index` counts requests across all loops (0-based). */
export type RequestSender = (client: EtcdClient, index: number) => Promise<unknown>;

/** Runs `total` requests from `clients` concurrent loops over `connections`; returns latencies and throughput. */
export async function closedLoop(connections: readonly EtcdClient[], clients: number, total: number, send: RequestSender):
  Promise<RunSummary> {
  if (connections.length === 0 || clients < 1 || total < 1) throw new Error('closedLoop needs connections, clients and requests');
  const recorder = new LatencyRecorder();
  let issued = 0;
  const loop = async (clientIndex: number): Promise<void> => {
    const connection = connections[clientIndex % connections.length];
    while (issued < total) {
      const index = issued;
      issued += 1;
      const startMs = performance.now();
      try {
        await send(connection, index);
        recorder.record(performance.now() - startMs);
      } catch (error) {
        recorder.fail(error);
      }
    }
  };
  const startMs = performance.now();
  await Promise.all(Array.from({ length: clients }, (_, clientIndex) => loop(clientIndex)));
  return recorder.summary(performance.now() - startMs);
}

/** Makes one cheap call on every connection, so connection setup is not timed as request latency. */
export async function warmUp(connections: readonly EtcdClient[]): Promise<void> {
  await Promise.all(connections.map((connection) => connection.maintenance.status()));
}
