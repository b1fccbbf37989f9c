// Memory of server processes: VmRSS from /proc/<pid>/status (resident memory, including mapped file pages such
// as etcd's bbolt database or Cairn's LMDB file) and RssAnon (the heap alone, which is where a JavaScript engine
// differs most), and a fast bulk loader that fills a cluster with N keys before measuring.
import { readFile } from 'node:fs/promises';
import type { EtcdClient } from '../tests/support/grpc-client.ts';
import { benchKey, benchValue } from './keys.ts';

/** Puts per transaction while loading: etcd's default --max-txn-ops. */
const putsPerTxn = 128;

/** Transactions in flight while loading. */
const loadConcurrency = 8;

/** A process's resident memory in MiB: all of it (VmRSS), and the anonymous part (RssAnon: heap, not files). */
export interface Resident {
  rssMiB: number;
  anonMiB: number;
}

/** Reads VmRSS and RssAnon from /proc/<pid>/status. */
export async function resident(pid: number): Promise<Resident> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+)\\s+kB$`, 'm').exec(status);
    if (!match) throw new Error(`no ${name} in /proc/${pid}/status`);
    return Number(match[1]) / 1024;
  };
  return { rssMiB: field('VmRSS'), anonMiB: field('RssAnon') };
}

/** Writes keys `prefix` + index for indexes [0, count) with values of `valueSizeBytes`, in batched transactions. */
export async function loadKeys(clients: readonly EtcdClient[], count: number, keySizeBytes: number, valueSizeBytes: number,
  prefix: string): Promise<void> {
  const value = benchValue(valueSizeBytes);
  let next = 0;
  const loop = async (client: EtcdClient): Promise<void> => {
    while (next < count) {
      const first = next;
      next = Math.min(count, next + putsPerTxn);
      const success = [];
      for (let index = first; index < next; index += 1) {
        success.push({ request_put: { key: benchKey(index, keySizeBytes, prefix), value } });
      }
      await client.kv.txn({ success });
    }
  };
  await Promise.all(Array.from({ length: loadConcurrency }, (_, index) => loop(clients[index % clients.length])));
}
