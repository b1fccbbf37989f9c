// Measures WAL group commit: saves, entries and fdatasyncs per second with one writer and with many
// concurrent writers, each save carrying one entry of `entryBytes`. Bounded to a couple of seconds per case.
// Usage: node --import tsx engine/storage/wal/wal-bench.ts [durationMs] [entryBytes]
import path from 'node:path';
import { EntryType } from '../../raft/types.ts';
import { Wal } from './wal.ts';
import { removeDirectory, temporaryDirectory } from './wal-testing.ts';

const durationMs = Number(process.argv[2] ?? 2000);
const entryBytes = Number(process.argv[3] ?? 128);

async function measure(writers: number): Promise<string> {
  const root = temporaryDirectory('wal-bench');
  try {
    const wal = await Wal.create(path.join(root, 'wal'), Buffer.from('bench'));
    const data = new Uint8Array(entryBytes).fill(7);
    const syncsBefore = wal.syncCount;
    let saves = 0;
    const started = performance.now();
    const deadline = started + durationMs;
    const writer = async () => {
      while (performance.now() < deadline) {
        const index = wal.lastIndex + 1;
        await wal.save({ term: 1, vote: 1n, commit: index - 1 }, [{ term: 1, index, type: EntryType.Normal, data }]);
        saves++;
      }
    };
    await Promise.all(Array.from({ length: writers }, writer));
    const seconds = (performance.now() - started) / 1000;
    const syncs = wal.syncCount - syncsBefore;
    await wal.close();
    return (
      `${String(writers).padStart(2)} writer(s): ${Math.round(saves / seconds)} entries/s, ${Math.round(syncs / seconds)} fdatasyncs/s, ` +
      `${(saves / syncs).toFixed(1)} entries per fdatasync, ${((seconds * 1000) / syncs).toFixed(2)} ms per group commit`
    );
  } finally {
    removeDirectory(root);
  }
}

for (const writers of [1, 64]) console.log(await measure(writers));
