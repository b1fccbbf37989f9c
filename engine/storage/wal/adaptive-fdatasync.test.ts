// The WAL's flush policy: inline while flushes are fast, on the thread pool after slow ones, inline again once
// pooled flushes are fast; errors reach the caller either way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adaptiveFdatasync, type FlushCalls } from './wal-file-system.ts';

function busyWaitMs(durationMs: number): void {
  const end = performance.now() + durationMs;
  while (performance.now() < end) {
    // spin: a slow disk, seen from the event loop
  }
}

/** Fake flush calls that record which way each flush went and take `durationMs`. */
function recordingFlush(durationMs: () => number): FlushCalls & { ways: string[] } {
  const ways: string[] = [];
  return {
    ways,
    inline: () => {
      ways.push('inline');
      busyWaitMs(durationMs());
    },
    pooled: (_fd, done) => {
      ways.push('pooled');
      const ms = durationMs();
      if (ms === 0) setImmediate(() => done(null));
      else setTimeout(() => done(null), ms);
    },
  };
}

test('fast flushes stay inline; slow ones move to the thread pool; fast pooled ones come back inline', async () => {
  let durationMs = 0;
  const flush = recordingFlush(() => durationMs);
  const fdatasync = adaptiveFdatasync(1, flush);
  for (let i = 0; i < 5; i++) await fdatasync(3);
  assert.deepEqual(flush.ways, ['inline', 'inline', 'inline', 'inline', 'inline']);
  durationMs = 20;
  for (let i = 0; i < 3; i++) await fdatasync(3);
  assert.deepEqual(flush.ways.slice(5), ['inline', 'pooled', 'pooled'], 'one slow inline flush is enough to move away');
  durationMs = 0;
  flush.ways.length = 0;
  for (let i = 0; i < 40 && !flush.ways.includes('inline'); i++) await fdatasync(3);
  assert.equal(flush.ways.at(-1), 'inline', 'a disk that is fast again is flushed inline again');
});

test('a failed flush rejects, inline or pooled', async () => {
  const failing: FlushCalls = {
    inline: () => {
      throw new Error('EIO inline');
    },
    pooled: (_fd, done) => setImmediate(() => done(new Error('EIO pooled'))),
  };
  await assert.rejects(adaptiveFdatasync(1, failing)(3), /EIO inline/);
  await assert.rejects(adaptiveFdatasync(-1, failing)(3), /EIO pooled/);
});

test('the real flush works on a real file descriptor', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-flush-')), 'f');
  const fd = fs.openSync(file, 'w+');
  try {
    fs.writeSync(fd, 'x');
    await adaptiveFdatasync()(fd);
    await adaptiveFdatasync(-1)(fd);
    await assert.rejects(adaptiveFdatasync()(987_654), /EBADF/);
  } finally {
    fs.closeSync(fd);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
});
