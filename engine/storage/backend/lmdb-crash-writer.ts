// The child process of lmdb-backend-crash.test.ts: writes numbered keys in a loop, one transaction each, with a
// defragment and a sync now and then, printing `synced <n>` once writes up to n are durable. The parent kills
// it with SIGKILL at a random moment and checks the reopened database.
// Usage: node --import tsx lmdb-crash-writer.ts <directory>
import { setImmediate as nextTurn } from 'node:timers/promises';
import { LmdbBackend } from './lmdb-backend.ts';
import { crashKey, crashValue, lastKey } from './lmdb-crash-data.ts';

const backend = LmdbBackend.open(process.argv[2]!);
const last = backend.get('meta', lastKey);
let next = last ? new DataView(last.buffer, last.byteOffset).getUint32(0) + 1 : 0;
process.stdout.write('ready\n');

async function main(): Promise<void> {
  for (let round = 1; ; round++) {
    for (let count = 0; count < 50; count++, next++) {
      backend.write((tx) => {
        tx.put('key', crashKey(next), crashValue(next));
        tx.put('meta', lastKey, crashKey(next));
      });
    }
    if (round % 40 === 0) void backend.defragment();
    if (round % 4 === 0) {
      const upTo = next - 1;
      void backend.sync().then(() => process.stdout.write(`synced ${upTo}\n`));
    }
    await nextTurn();
  }
}

void main();
