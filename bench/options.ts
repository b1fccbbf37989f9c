// Command-line flags of `npm run bench`, named after etcd's benchmark tool where it has the same knob.
import { parseArgs } from 'node:util';
import type { ServerKind } from '../tests/support/processes.ts';

/** Every flag, parsed and checked. */
export interface BenchOptions {
  command: 'suite' | 'put' | 'range' | 'txn-put' | 'watch' | 'failover' | 'catch-up';
  clients: number;
  conns: number;
  total: number;
  keySizeBytes: number;
  valueSizeBytes: number;
  keySpaceSize: number;
  targets: ServerKind[];
  members: 1 | 3;
  endpoints?: string[];
  consistency: 'l' | 's';
  to?: 'leader' | 'all';
  preload: boolean;
  watchers: number;
  puts: number;
  putRatePerSecond: number;
  keys: number;
  rounds: number;
  writes: number;
  json: boolean;
  /** Which flags the user set, so the suite keeps its own defaults for the rest. */
  given: Set<string>;
}

/** The help text. */
export const usage = `usage: npm run bench -- [suite|put|range|txn-put|watch|failover|catch-up] [flags]

  suite (default)        single-client put latency, put throughput, serializable range, txn-put, memory
  put | range | txn-put  one request workload (closed loop, like etcd's benchmark tool)
  watch                  W watchers on a prefix, P puts under it; event delivery latency
  failover               3 members: kill -9 the leader, time until writes are accepted again (--rounds)
  catch-up               3 members: a follower misses --writes writes, time until it has applied them all

  --clients N          concurrent request loops (default 64)
  --conns N            gRPC connections shared by the loops (default 8)
  --total N            requests per run (default 10000)
  --key-size B         key size in bytes (default 8)
  --val-size B         value size in bytes (default 256)
  --key-space-size N   distinct keys (default 10000)
  --target T           cairn | etcd | both (default both)
  --members N          1 | 3 members per started cluster (default 3)
  --endpoints a,b      benchmark an existing cluster (with --target cairn or etcd) instead of starting one
  --consistency C      range reads: l (linearizable, default) | s (serializable)
  --to T               leader | all (default: leader for writes, all for reads)
  --preload yes|no     fill the key space before a range run (default yes)
  --watchers N         watch: watchers (default 100)
  --puts N             watch: puts (default 1000)
  --put-rate N         watch: puts per second, 0 = back to back (default 500)
  --keys N             suite: keys loaded before measuring memory (default 100000; the target is 1000000)
  --rounds N           failover: leader kills (default 5)
  --writes N           catch-up: writes the follower misses (default 100000)
  --json               print JSON instead of a table`;

const numberFlags = ['clients', 'conns', 'total', 'key-size', 'val-size', 'key-space-size', 'members', 'watchers', 'puts',
  'put-rate', 'keys', 'rounds', 'writes'] as const;

function positiveInteger(name: string, text: string, allowZero = false): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) throw new Error(`--${name} must be a whole number${allowZero ? '' : ' above 0'}, not ${text}`);
  return value;
}

function oneOf<T extends string>(name: string, text: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) throw new Error(`--${name} must be one of ${allowed.join(', ')}, not ${text}`);
  return text as T;
}

/** Parses argv (without node and the script); throws with a readable message on bad input. */
export function parseOptions(argv: string[]): BenchOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...Object.fromEntries(numberFlags.map((name) => [name, { type: 'string' as const }])),
      target: { type: 'string' }, endpoints: { type: 'string' }, consistency: { type: 'string' }, to: { type: 'string' },
      preload: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) throw new Error(usage);
  const text = (name: string, fallback: string): string => (values as Record<string, string | undefined>)[name] ?? fallback;
  const target = oneOf('target', text('target', 'both'), ['cairn', 'etcd', 'both'] as const);
  const endpoints = values.endpoints?.split(',').map((endpoint) => endpoint.trim()).filter(Boolean);
  if (endpoints && target === 'both') throw new Error('--endpoints benchmarks one existing cluster: add --target etcd or --target cairn');
  const to = values.to === undefined ? undefined : oneOf('to', values.to, ['leader', 'all'] as const);
  return {
    command: oneOf('command', positionals[0] ?? 'suite', ['suite', 'put', 'range', 'txn-put', 'watch', 'failover', 'catch-up'] as const),
    clients: positiveInteger('clients', text('clients', '64')),
    conns: positiveInteger('conns', text('conns', '8')),
    total: positiveInteger('total', text('total', '10000')),
    keySizeBytes: positiveInteger('key-size', text('key-size', '8')),
    valueSizeBytes: positiveInteger('val-size', text('val-size', '256'), true),
    keySpaceSize: positiveInteger('key-space-size', text('key-space-size', '10000')),
    targets: target === 'both' ? ['etcd', 'cairn'] : [target],
    members: oneOf('members', text('members', '3'), ['1', '3'] as const) === '1' ? 1 : 3,
    ...(endpoints ? { endpoints } : {}),
    consistency: oneOf('consistency', text('consistency', 'l'), ['l', 's'] as const),
    ...(to ? { to } : {}),
    preload: oneOf('preload', text('preload', 'yes'), ['yes', 'no'] as const) === 'yes',
    watchers: positiveInteger('watchers', text('watchers', '100')),
    puts: positiveInteger('puts', text('puts', '1000')),
    putRatePerSecond: positiveInteger('put-rate', text('put-rate', '500'), true),
    keys: positiveInteger('keys', text('keys', '100000')),
    rounds: positiveInteger('rounds', text('rounds', '5')),
    writes: positiveInteger('writes', text('writes', '100000')),
    json: values.json ?? false,
    given: new Set(Object.keys(values)),
  };
}
