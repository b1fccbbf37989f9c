import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Wal } from './wal.ts';
import { entryData, removeDirectory, temporaryDirectory } from './wal-testing.ts';

const rounds = 5;
const segmentBytes = 32 * 1024;
const writerScript = path.join(import.meta.dirname, 'wal-crash-writer.ts');

/** Runs the writer until a random moment after it is ready, kills it with SIGKILL, returns the acknowledged indexes. */
function runAndKill(directory: string, term: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writerScript, directory, String(term), String(segmentBytes)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      // Start the clock once the writer has acknowledged something, so a slow machine still tests a live writer.
      if (!timer && output.startsWith('ready\n') && output.length > 'ready\n'.length) {
        timer = setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 400));
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited by itself (code ${code}, signal ${signal})`));
      // Only whole lines were acknowledged; a line cut by the kill is not counted.
      const lines = output.split('\n').slice(1, -1);
      resolve(lines.map(Number));
    });
  });
}

test('every entry acknowledged before a kill -9 is present and intact after reopening', { timeout: 60_000 }, async () => {
  const root = temporaryDirectory('wal-crash');
  const directory = path.join(root, 'wal');
  const acknowledged = new Map<number, number>(); // index -> term
  try {
    for (let round = 1; round <= rounds; round++) {
      const indexes = await runAndKill(directory, round);
      assert.ok(indexes.length > 0, `round ${round}: the writer acknowledged nothing before the kill`);
      for (const index of indexes) acknowledged.set(index, round);
      const opened = await Wal.open(directory, { segmentBytes });
      try {
        for (const [index, term] of acknowledged) {
          const entry = opened.entries[index - 1];
          assert.ok(entry, `round ${round}: acknowledged entry ${index} is missing (log ends at ${opened.entries.length})`);
          assert.equal(entry.index, index);
          assert.equal(entry.term, term, `round ${round}: entry ${index} has term ${entry.term}`);
          assert.deepEqual(Buffer.from(entry.data), Buffer.from(entryData(index, term)), `round ${round}: entry ${index} data differs`);
        }
      } finally {
        await opened.wal.close();
      }
    }
  } finally {
    removeDirectory(root);
  }
});
