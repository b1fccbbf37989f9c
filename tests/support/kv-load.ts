// A seeded random client load for history checking: one client connection per endpoint, several workers per
// client each with one call in flight, issuing a mix of put / linearizable get / delete / compare-and-swap on a
// small set of keys (few keys, so that calls on one key overlap and conflict), every call recorded with its
// times and outcome. Written values are unique (worker and sequence number), which is how reads and watch events
// are matched to the write they show. The choices of each worker are fixed by the seed; timing is not.
import { Rng } from '../compat/rng.ts';
import { connect, type EtcdClient } from './grpc-client.ts';
import type { HistoryRecorder } from './history-recorder.ts';
import { executeKvCall } from './kv-call.ts';
import type { KvInput } from './linearizability/history.ts';

/** The share of each kind of call in the mix. */
export interface KvMix {
  get: number;
  put: number;
  delete: number;
  cas: number;
}

/** The default mix: reads and writes balanced, deletes rarer so keys usually hold a value. */
export const kvMixDefault: KvMix = { get: 40, put: 30, delete: 10, cas: 20 };

/** Options of runKvLoad. */
export interface KvLoadOptions {
  /** `host:port` of each member; one client connection each. */
  endpoints: readonly string[];
  /** The keys to work on. */
  keys: readonly string[];
  seed: number;
  /** Workers per endpoint, each with one call in flight (default 3). */
  workersPerEndpoint?: number;
  /** How long workers keep starting calls, in milliseconds. */
  durationMs: number;
  /** Deadline of each call; a call that outlives it has an unknown outcome (default 2 s). */
  callDeadlineMs?: number;
  /** Upper bound of a random pause between a worker's calls (default 5 ms). */
  thinkMsMax?: number;
  /** Pause after a failed call, so a member that is down is not hammered (default 100 ms). */
  errorBackoffMs?: number;
  mix?: KvMix;
  /** Send gets as serializable (possibly stale) reads; only to prove that the checker catches stale reads. */
  serializableReads?: boolean;
  recorder: HistoryRecorder;
  /** Stops the load early when it returns true (checked between calls). */
  shouldStop?: () => boolean;
}

/** Channel options that reconnect quickly after a member restarts (grpc-js backs off up to 2 min by default). */
export const fastReconnectChannelOptions = {
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.min_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1_000,
} as const;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What workers know of each key's mod revision, so compare-and-swaps have a fair chance to succeed. */
type ModRevisionHints = Map<string, number>;

function nextInput(rng: Rng, options: KvLoadOptions, hints: ModRevisionHints, value: string): KvInput {
  const key = rng.pick(options.keys);
  const kind = rng.weighted({ ...(options.mix ?? kvMixDefault) });
  switch (kind) {
    case 'get': return { kind, key };
    case 'put': return { kind, key, value };
    case 'delete': return { kind, key };
    case 'cas': {
      // Mostly the last mod revision seen (likely to succeed), sometimes 0 (create if absent) or a stale guess.
      const hint = hints.get(key) ?? 0;
      const expectedModRevision = rng.chance(0.7) ? hint : rng.chance(0.5) ? 0 : Math.max(0, hint - rng.int(1, 5));
      return { kind, key, expectedModRevision, value };
    }
  }
}

async function runWorker(worker: number, client: EtcdClient, options: KvLoadOptions, hints: ModRevisionHints, endAtMs: number): Promise<void> {
  const rng = new Rng((options.seed ^ Math.imul(worker + 1, 0x9e3779b1)) >>> 0);
  const deadlineMs = options.callDeadlineMs ?? 2_000;
  for (let sequence = 0; performance.now() < endAtMs && !(options.shouldStop?.() ?? false); sequence += 1) {
    const input = nextInput(rng, options, hints, `w${worker}-${sequence}`);
    const call = options.recorder.begin(worker, input, client.endpoint);
    try {
      const output = await executeKvCall(client, input, deadlineMs, { serializableReads: options.serializableReads });
      options.recorder.succeeded(call, output);
      if (output.kind === 'get') hints.set(input.key, output.modRevision);
      else if (output.kind === 'put' || (output.kind === 'cas' && output.succeeded)) hints.set(input.key, output.revision);
      else if (output.kind === 'delete' && output.deleted > 0) hints.set(input.key, 0);
    } catch (error) {
      options.recorder.failed(call, error);
      await sleep(options.errorBackoffMs ?? 100);
    }
    const thinkMs = rng.int(0, options.thinkMsMax ?? 5);
    if (thinkMs > 0) await sleep(thinkMs);
  }
}

/** Runs the load for `durationMs` (plus the calls in flight at the end, bounded by their deadline). */
export async function runKvLoad(options: KvLoadOptions): Promise<void> {
  if (options.keys.length === 0 || options.endpoints.length === 0) throw new Error('runKvLoad needs keys and endpoints');
  const clients = options.endpoints.map((endpoint) => connect(endpoint, { channelOptions: fastReconnectChannelOptions }));
  const hints: ModRevisionHints = new Map();
  const endAtMs = performance.now() + options.durationMs;
  const workersPerEndpoint = options.workersPerEndpoint ?? 3;
  try {
    await Promise.all(clients.flatMap((client, clientIndex) => Array.from({ length: workersPerEndpoint }, (_, index) =>
      runWorker(clientIndex * workersPerEndpoint + index, client, options, hints, endAtMs))));
  } finally {
    for (const client of clients) client.close();
  }
}
