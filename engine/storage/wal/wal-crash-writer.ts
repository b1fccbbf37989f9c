// The child process of wal-crash.test.ts: appends entries to a WAL from several concurrent writers and prints
// each index on stdout once its save has resolved (that is, once it is durable). The parent kills this process
// with SIGKILL at a random moment and checks that every printed index survived.
// Usage: node --import tsx wal-crash-writer.ts <directory> <term> <segmentBytes>
import fs from 'node:fs';
import { Wal } from './wal.ts';
import { testEntry } from './wal-testing.ts';

const [directory, termText, segmentBytesText] = process.argv.slice(2);
const term = Number(termText);
const segmentBytes = Number(segmentBytesText);

async function main(): Promise<void> {
  const hasWal = fs.existsSync(directory!) && fs.readdirSync(directory!).some((name) => name.endsWith('.wal'));
  const wal = hasWal ? (await Wal.open(directory!, { segmentBytes })).wal : await Wal.create(directory!, Buffer.from('crash'), { segmentBytes });
  process.stdout.write('ready\n');
  const writer = async (writerId: number) => {
    for (let round = 0; ; round++) {
      const first = wal.lastIndex + 1;
      // Some saves carry several entries, so that a torn batch can end in the middle of a save.
      const count = (writerId + round) % 4 === 0 ? 3 : 1;
      const entries = Array.from({ length: count }, (_, offset) => testEntry(first + offset, term));
      await wal.save({ term, vote: 1n, commit: first - 1 }, entries);
      process.stdout.write(entries.map((entry) => `${entry.index}\n`).join(''));
    }
  };
  await Promise.all(Array.from({ length: 8 }, (_, writerId) => writer(writerId)));
}

void main();
