// Measures the cost of one synchronous lmdb write transaction with the options LmdbBackend uses against the
// alternatives (lmdb-environment.ts explains the choice). Each transaction puts two 200-byte values, about what
// applying one etcd put costs (the revision record and the consistent index). Bounded to about a second per row.
// Usage: node --import tsx engine/storage/backend/lmdb-bench.ts [transactions]
import { open } from 'lmdb';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { environmentOptions } from './lmdb-environment.ts';

const transactions = Number(process.argv[2] ?? 1000);

const candidates: [string, Record<string, unknown>][] = [
  ['lmdb-js defaults (overlappingSync)', {}],
  ['overlappingSync: false', { overlappingSync: false }],
  ['Cairn: noMetaSync, overlappingSync: false', environmentOptions],
  ['noMetaSync + useWritemap', { ...environmentOptions, useWritemap: true }],
  ['noSync (rejected: not power-loss safe)', { noSync: true, overlappingSync: false }],
];

async function measure(options: Record<string, unknown>, putsPerTransaction: number): Promise<number> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-lmdb-bench-'));
  try {
    const root = open({ path: path.join(directory, 'data.mdb'), noSubdir: true, ...options });
    const bucket = root.openDB<Uint8Array, Uint8Array>({ name: 'key', keyEncoding: 'binary', encoding: 'binary' });
    const value = new Uint8Array(200).fill(7);
    const key = Buffer.alloc(8);
    let n = 0;
    const run = () =>
      root.transactionSync(() => {
        for (let put = 0; put < putsPerTransaction; put++) {
          key.writeBigUInt64BE(BigInt(n++));
          bucket.putSync(key, value);
        }
      });
    for (let warm = 0; warm < 50; warm++) run();
    const started = performance.now();
    for (let count = 0; count < transactions; count++) run();
    const microseconds = ((performance.now() - started) * 1000) / transactions;
    await root.close();
    return microseconds;
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

for (const [name, options] of candidates) {
  const single = await measure(options, 2);
  const batch = await measure(options, 100);
  console.log(`${name.padEnd(44)} ${single.toFixed(0).padStart(5)} us per transaction of 2 puts, ${batch.toFixed(0).padStart(5)} us per transaction of 100 puts`);
}
