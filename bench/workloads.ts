// The request workloads, modeled on etcd's `benchmark` subcommands: put, range (linearizable or serializable)
// and txn-put (a transaction that compares the key's version, then puts). Each runs as a closed loop.
import { connectMany, type EtcdClient } from '../tests/support/grpc-client.ts';
import { closedLoop, warmUp, type RequestSender } from './closed-loop.ts';
import { benchKey, benchValue, randomSlot } from './keys.ts';
import { loadKeys } from './memory.ts';
import type { RunSummary } from './latency.ts';
import type { BenchTarget } from './targets.ts';
import { totalCpuMs } from './cpu.ts';

/** The request workloads. */
export type RequestWorkload = 'put' | 'range' | 'txn-put';

/** One request workload and its load shape. */
export interface WorkloadSpec {
  workload: RequestWorkload;
  clients: number;
  conns: number;
  total: number;
  keySizeBytes: number;
  valueSizeBytes: number;
  keySpaceSize: number;
  /** l: linearizable reads (through raft's read index), s: serializable (local) reads. */
  consistency: 'l' | 's';
  /** Send to the leader only, or spread connections over all members. */
  to: 'leader' | 'all';
  /** Fill the key space before a range run, so reads find values. */
  preload: boolean;
}

/** A short human label, e.g. `put 64 clients / 8 conns`. */
export function workloadLabel(spec: WorkloadSpec): string {
  const reads = spec.workload === 'range' ? (spec.consistency === 's' ? ' serializable' : ' linearizable') : '';
  return `${spec.workload}${reads}, ${spec.clients} clients / ${spec.conns} conns, to ${spec.to}`;
}

function sender(spec: WorkloadSpec): RequestSender {
  const keys = Array.from({ length: spec.keySpaceSize }, (_, index) => benchKey(index, spec.keySizeBytes));
  const value = benchValue(spec.valueSizeBytes);
  const key = (): Buffer => keys[randomSlot(spec.keySpaceSize)];
  switch (spec.workload) {
    case 'put':
      return (client) => client.kv.put({ key: key(), value });
    case 'range':
      return (client) => client.kv.range({ key: key(), serializable: spec.consistency === 's' });
    case 'txn-put':
      return (client) => {
        const target = key();
        // A compare that always holds (every version is > -1), so every transaction also writes.
        return client.kv.txn({
          compare: [{ key: target, target: 'VERSION', result: 'GREATER', version: -1 }],
          success: [{ request_put: { key: target, value } }],
        });
      };
  }
}

/** Runs one workload against one target and summarizes it. */
export async function runWorkload(target: BenchTarget, spec: WorkloadSpec): Promise<RunSummary> {
  const endpoints = spec.to === 'leader' ? [target.leader] : target.endpoints;
  const connections: EtcdClient[] = connectMany(endpoints, spec.conns);
  try {
    await warmUp(connections);
    if (spec.workload === 'range' && spec.preload) {
      await loadKeys(connections, spec.keySpaceSize, spec.keySizeBytes, spec.valueSizeBytes, '');
    }
    const cpuBeforeMs = await totalCpuMs(target.pids);
    const summary = await closedLoop(connections, spec.clients, spec.total, sender(spec));
    if (target.pids.length > 0) summary.serverCpuMs = (await totalCpuMs(target.pids)) - cpuBeforeMs;
    return summary;
  } finally {
    for (const connection of connections) connection.close();
  }
}
