import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LmdbBackend } from './lmdb-backend.ts';
import { crashKey, crashValue, lastKey } from './lmdb-crash-data.ts';

const rounds = 4;
const writerScript = path.join(import.meta.dirname, 'lmdb-crash-writer.ts');

/** Runs the writer until a random moment after it is ready, kills it with SIGKILL; returns the last synced key. */
function runAndKill(directory: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writerScript, directory], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      // Start the clock after the first completed sync, so that every round checks a synced write even on a slow disk.
      if (!timer && output.includes('synced ')) timer = setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 500));
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited by itself (code ${code}, signal ${signal})`));
      const synced = output
        .split('\n')
        .slice(0, -1)
        .filter((line) => line.startsWith('synced '))
        .map((line) => Number(line.slice(7)));
      resolve(synced.length > 0 ? Math.max(...synced) : -1);
    });
  });
}

test('after kill -9 the database opens and holds a prefix of the writes, including every synced one', { timeout: 60_000 }, async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-backend-crash-'));
  const directory = path.join(root, 'db');
  let syncedAtLeast = -1;
  try {
    for (let round = 1; round <= rounds; round++) {
      const synced = await runAndKill(directory);
      assert.ok(synced >= 0, `round ${round}: no sync completed before the kill`);
      syncedAtLeast = Math.max(syncedAtLeast, synced);
      const backend = LmdbBackend.open(directory);
      try {
        const last = backend.get('meta', lastKey);
        assert.ok(last, `round ${round}: nothing written`);
        const lastWritten = new DataView(last.buffer, last.byteOffset).getUint32(0);
        assert.ok(lastWritten >= syncedAtLeast, `round ${round}: last key ${lastWritten} is before the synced key ${syncedAtLeast}`);
        const entries = backend.range('key', new Uint8Array(0));
        // A prefix: keys 0..lastWritten, each with its value, and nothing after.
        assert.equal(entries.length, lastWritten + 1, `round ${round}`);
        for (const [n, entry] of entries.entries()) {
          assert.deepEqual(Buffer.from(entry.key), Buffer.from(crashKey(n)));
          assert.deepEqual(Buffer.from(entry.value), Buffer.from(crashValue(n)), `round ${round}: value of key ${n}`);
        }
      } finally {
        await backend.close();
      }
    }
    assert.ok(syncedAtLeast > 0, 'no sync completed');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
