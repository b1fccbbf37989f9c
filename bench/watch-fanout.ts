// The watch workload: W watchers on one prefix, spread over the connections (one Watch stream per connection),
// then P puts under that prefix at a fixed rate. Each put's value carries its sequence number, so every watcher
// can time each event from the moment its put was sent: the latency is put-sent to event-delivered.
import { connect, connectMany, type EtcdClient, type WatchStream } from '../tests/support/grpc-client.ts';
import { LatencyRecorder, type RunSummary } from './latency.ts';
import { benchKey } from './keys.ts';
import type { BenchTarget } from './targets.ts';

/** The watch workload's shape. */
export interface WatchSpec {
  watchers: number;
  puts: number;
  /** Puts per second; 0 sends them back to back from one client. */
  putRatePerSecond: number;
  conns: number;
  keySizeBytes: number;
  valueSizeBytes: number;
  keySpaceSize: number;
}

/** How long to wait for the last events after the last put, in milliseconds. */
const drainTimeoutMs = 30_000;

const prefix = 'watch/';

/** The value of put `sequence`: the sequence number, padded to the value size. */
function sequenceValue(sequence: number, valueSizeBytes: number): Buffer {
  return Buffer.from(String(sequence).padEnd(Math.max(valueSizeBytes, 12), ' '));
}

/** Opens the watchers; resolves once every one of them is created. */
async function openWatchers(connections: readonly EtcdClient[], watchers: number): Promise<WatchStream[]> {
  const streams = connections.map((connection) => connection.watch());
  const end = Buffer.from(prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1));
  await Promise.all(Array.from({ length: watchers }, (_, index) =>
    streams[index % streams.length].create({ key: prefix, range_end: end })));
  return streams;
}

/** Runs the watch workload against one target; `count` in the summary counts delivered events. */
export async function runWatch(target: BenchTarget, spec: WatchSpec): Promise<RunSummary> {
  const connections = connectMany(target.endpoints, spec.conns);
  const writer = connect(target.leader);
  const recorder = new LatencyRecorder();
  const sentAtMs: number[] = [];
  const expected = spec.watchers * spec.puts;
  let delivered = 0;
  try {
    const streams = await openWatchers(connections, spec.watchers);
    for (const stream of streams) {
      stream.onResponse((response) => {
        const nowMs = performance.now();
        for (const event of response.events ?? []) {
          const sequence = Number(event.kv?.value?.toString().trim());
          recorder.record(nowMs - sentAtMs[sequence]);
          delivered += 1;
        }
      });
    }
    const startMs = performance.now();
    const intervalMs = spec.putRatePerSecond > 0 ? 1000 / spec.putRatePerSecond : 0;
    for (let sequence = 0; sequence < spec.puts; sequence += 1) {
      const dueMs = startMs + sequence * intervalMs;
      const waitMs = dueMs - performance.now();
      if (waitMs > 1) await new Promise((resolve) => setTimeout(resolve, waitMs));
      sentAtMs[sequence] = performance.now();
      const key = benchKey(sequence % spec.keySpaceSize, spec.keySizeBytes, prefix);
      const put = writer.kv.put({ key, value: sequenceValue(sequence, spec.valueSizeBytes) }).catch((error) => recorder.fail(error));
      if (intervalMs === 0) await put;
    }
    const drainDeadlineMs = performance.now() + drainTimeoutMs;
    while (delivered < expected && performance.now() < drainDeadlineMs) await new Promise((resolve) => setTimeout(resolve, 5));
    if (delivered < expected) recorder.fail(new Error(`${expected - delivered} of ${expected} events never arrived`));
    for (const stream of streams) stream.close();
    return recorder.summary(performance.now() - startMs);
  } finally {
    writer.close();
    for (const connection of connections) connection.close();
  }
}
