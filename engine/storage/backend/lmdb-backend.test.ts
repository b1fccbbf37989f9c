import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AssertionError } from '../../common/assert.ts';
import { snapshotChunkBytes } from '../../common/limits.ts';
import { LmdbBackend } from './lmdb-backend.ts';

const bytes = (...values: number[]) => new Uint8Array(values);
const text = (value: string) => new TextEncoder().encode(value);

async function withBackend(body: (backend: LmdbBackend, root: string) => Promise<void>): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-backend-'));
  const backend = LmdbBackend.open(path.join(root, 'db'));
  try {
    await body(backend, root);
  } finally {
    await backend.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

function keysOf(entries: Iterable<{ key: Uint8Array }>): number[][] {
  return [...entries].map((entry) => [...entry.key]);
}

test('buckets are independent key spaces', async () => {
  await withBackend(async (backend) => {
    backend.write((tx) => {
      tx.put('key', text('a'), text('from key'));
      tx.put('lease', text('a'), text('from lease'));
    });
    assert.deepEqual(Buffer.from(backend.get('key', text('a'))!).toString(), 'from key');
    assert.deepEqual(Buffer.from(backend.get('lease', text('a'))!).toString(), 'from lease');
    assert.equal(backend.get('auth', text('a')), undefined);
    backend.write((tx) => tx.delete('key', text('a')));
    assert.equal(backend.get('key', text('a')), undefined);
    assert.ok(backend.get('lease', text('a')));
    assert.deepEqual(backend.range('meta', new Uint8Array(0)), []);
  });
});

test('missing keys read as undefined and empty values are stored as empty values', async () => {
  await withBackend(async (backend) => {
    assert.equal(backend.get('meta', text('nothing')), undefined);
    backend.write((tx) => tx.put('meta', text('empty'), new Uint8Array(0)));
    const value = backend.get('meta', text('empty'));
    assert.ok(value !== undefined);
    assert.equal(value.length, 0);
    assert.deepEqual(keysOf(backend.range('meta', new Uint8Array(0))), [[...text('empty')]]);
    assert.throws(() => backend.write((tx) => tx.put('meta', new Uint8Array(0), text('x'))), AssertionError);
  });
});

test('range honours start (inclusive), end (exclusive) and limit, in unsigned byte order', async () => {
  await withBackend(async (backend) => {
    const keys = [bytes(0x00), bytes(0x00, 0x00), bytes(0x00, 0xff), bytes(0x01), bytes(0x7f), bytes(0x80), bytes(0xfe, 0xff), bytes(0xff), bytes(0xff, 0x00), bytes(0xff, 0xff, 0xff)];
    backend.write((tx) => {
      for (const [position, key] of [...keys].reverse().entries()) tx.put('key', key, bytes(position));
    });
    const all = keysOf(backend.range('key', new Uint8Array(0)));
    assert.deepEqual(all, keys.map((key) => [...key]));
    assert.deepEqual(keysOf(backend.range('key', bytes(0x00, 0xff), bytes(0x80))), [[0x00, 0xff], [0x01], [0x7f]]);
    assert.deepEqual(keysOf(backend.range('key', bytes(0x80))), [[0x80], [0xfe, 0xff], [0xff], [0xff, 0x00], [0xff, 0xff, 0xff]]);
    assert.deepEqual(keysOf(backend.range('key', bytes(0x01), undefined, 2)), [[0x01], [0x7f]]);
    assert.deepEqual(keysOf(backend.range('key', bytes(0xff), bytes(0xff, 0x00))), [[0xff]]);
    assert.deepEqual(keysOf(backend.range('key', bytes(0x00), bytes(0x00))), []);
    assert.deepEqual(keysOf(backend.range('key', bytes(0x80), bytes(0x01))), []);
    assert.deepEqual(keysOf(backend.range('key', bytes(0x00), undefined, 0)), []);
    // Values come back intact and distinct (no shared, reused buffers).
    const values = backend.range('key', new Uint8Array(0)).map((entry) => [...entry.value]);
    assert.deepEqual(values, keys.map((_, position) => [keys.length - 1 - position]));
  });
});

test('write is atomic: an exception inside it rolls every write back', async () => {
  await withBackend(async (backend) => {
    backend.write((tx) => tx.put('key', text('kept'), text('1')));
    assert.throws(
      () =>
        backend.write((tx) => {
          tx.put('key', text('kept'), text('2'));
          tx.put('key', text('new'), text('x'));
          tx.delete('key', text('kept'));
          // Reads inside the transaction see its own writes.
          assert.equal(tx.get('key', text('kept')), undefined);
          assert.equal([...tx.range('key', new Uint8Array(0))].length, 1);
          throw new Error('abort');
        }),
      /abort/,
    );
    assert.equal(Buffer.from(backend.get('key', text('kept'))!).toString(), '1');
    assert.equal(backend.get('key', text('new')), undefined);
    assert.throws(() => backend.write(() => Promise.resolve()), AssertionError);
  });
});

test('reopening after close keeps the data', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-backend-'));
  try {
    const first = LmdbBackend.open(path.join(root, 'db'));
    first.write((tx) => {
      for (let index = 0; index < 100; index++) tx.put('key', text(`k${index}`), text(`v${index}`));
    });
    await first.close();
    assert.throws(() => first.get('key', text('k1')), AssertionError);
    const second = LmdbBackend.open(path.join(root, 'db'));
    assert.equal(second.range('key', new Uint8Array(0)).length, 100);
    assert.equal(Buffer.from(second.get('key', text('k42'))!).toString(), 'v42');
    await second.close();
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('deletes free pages (in-use shrinks) and defragment returns them to the file system', async () => {
  await withBackend(async (backend) => {
    const value = new Uint8Array(1000).fill(1);
    backend.write((tx) => {
      for (let index = 0; index < 8000; index++) tx.put('key', text(`k${index.toString().padStart(6, '0')}`), value);
    });
    // Sizes describe the committed database; sync() commits what is still buffered.
    await backend.sync();
    const full = backend.size();
    assert.ok(full.totalBytes >= 8_000_000, `total ${full.totalBytes}`);
    assert.ok(full.inUseBytes <= full.totalBytes);
    backend.write((tx) => {
      for (let index = 0; index < 8000; index++) if (index % 10 !== 0) tx.delete('key', text(`k${index.toString().padStart(6, '0')}`));
    });
    await backend.sync();
    const deleted = backend.size();
    assert.ok(deleted.totalBytes >= full.totalBytes, 'deletes never shrink the file');
    // Leaves keep one 1000-byte value each (LMDB merges pages only below a quarter full), so about a third stays.
    assert.ok(deleted.inUseBytes < full.inUseBytes / 2, `in use ${deleted.inUseBytes} of ${full.inUseBytes}`);
    // A write during the defragment copy must survive the swap.
    const defragmenting = backend.defragment();
    const again = backend.defragment();
    backend.write((tx) => tx.put('key', text('during'), text('defragment')));
    await Promise.all([defragmenting, again]);
    const compacted = backend.size();
    assert.ok(compacted.totalBytes < deleted.totalBytes / 3, `file ${compacted.totalBytes} after defragment, ${deleted.totalBytes} before`);
    // The copy holds exactly the pages in use (plus the one write made meanwhile).
    assert.ok(Math.abs(compacted.totalBytes - deleted.inUseBytes) <= 16 * 4096, `file ${compacted.totalBytes}, in use before ${deleted.inUseBytes}`);
    assert.ok(compacted.totalBytes - compacted.inUseBytes <= 16 * 4096, `in use ${compacted.inUseBytes} of ${compacted.totalBytes}`);
    assert.equal(backend.range('key', new Uint8Array(0)).length, 801);
    assert.equal(Buffer.from(backend.get('key', text('during'))!).toString(), 'defragment');
    assert.deepEqual(Buffer.from(backend.get('key', text('k000010'))!), Buffer.from(value));
  });
});

test('a snapshot copy opens as a backend with identical contents, and release removes it', async () => {
  await withBackend(async (backend, root) => {
    backend.write((tx) => {
      for (let index = 0; index < 3000; index++) tx.put('key', text(`k${index}`), new Uint8Array(100).fill(index & 0xff));
      tx.put('meta', text('consistentIndex'), bytes(0, 0, 0, 42));
    });
    const snapshot = await backend.snapshot();
    // Writes after the snapshot are not in it.
    backend.write((tx) => tx.put('key', text('later'), text('x')));
    const chunks: Uint8Array[] = [];
    for await (const chunk of snapshot.chunks()) chunks.push(chunk);
    assert.ok(chunks.slice(0, -1).every((chunk) => chunk.length === snapshotChunkBytes));
    const copied = Buffer.concat(chunks);
    assert.equal(copied.length, snapshot.sizeBytes);
    const file = path.join(root, 'received.mdb');
    fs.writeFileSync(file, copied);
    await snapshot.release();
    assert.deepEqual(fs.readdirSync(path.join(root, 'db')).filter((name) => name.includes('snapshot')), []);

    const restored = await LmdbBackend.restoreFrom(file, path.join(root, 'restored'));
    try {
      for (const bucket of ['key', 'meta'] as const) {
        const expected = backend.range(bucket, new Uint8Array(0)).filter((entry) => Buffer.from(entry.key).toString() !== 'later');
        assert.deepEqual(restored.range(bucket, new Uint8Array(0)), expected);
      }
      assert.equal(restored.get('key', text('later')), undefined);
      restored.write((tx) => tx.put('key', text('after restore'), text('ok')));
    } finally {
      await restored.close();
    }
  });
});

test('opening a directory twice in one process is refused', async () => {
  await withBackend(async (backend, root) => {
    assert.ok(backend);
    assert.throws(() => LmdbBackend.open(path.join(root, 'db')), /already open/);
  });
});

test('writes are readable as soon as write() returns and merge with committed entries until their commit', async () => {
  await withBackend(async (backend, root) => {
    backend.write((tx) => {
      for (let index = 0; index < 6; index++) tx.put('key', bytes(index), bytes(index * 10));
    });
    await backend.sync();
    // Buffered: a delete hiding committed keys, a replaced value and a new key, read before any commit.
    backend.write((tx) => {
      tx.delete('key', bytes(1));
      tx.delete('key', bytes(2));
      tx.put('key', bytes(3), bytes(33));
      tx.put('key', bytes(9), bytes(90));
    });
    assert.equal(backend.get('key', bytes(1)), undefined);
    assert.deepEqual([...backend.get('key', bytes(3))!], [33]);
    assert.deepEqual(keysOf(backend.range('key', bytes(0), undefined, 3)), [[0], [3], [4]]);
    assert.deepEqual(keysOf(backend.range('key', bytes(0))), [[0], [3], [4], [5], [9]]);
    await backend.close();
    const reopened = LmdbBackend.open(path.join(root, 'db'));
    try {
      assert.deepEqual(keysOf(reopened.range('key', bytes(0))), [[0], [3], [4], [5], [9]]);
      assert.deepEqual([...reopened.get('key', bytes(3))!], [33]);
    } finally {
      await reopened.close();
    }
  });
});

test('replaceWith installs another backend copy as the next generation, dropping uncommitted writes', async () => {
  await withBackend(async (source, root) => {
    source.write((tx) => {
      for (let index = 0; index < 500; index++) tx.put('key', text(`leader${index}`), text(`v${index}`));
    });
    const copy = await source.snapshot();
    const file = path.join(root, 'received.mdb');
    const chunks: Uint8Array[] = [];
    for await (const chunk of copy.chunks()) chunks.push(chunk);
    fs.writeFileSync(file, Buffer.concat(chunks));
    await copy.release();

    const directory = path.join(root, 'follower');
    const follower = LmdbBackend.open(directory);
    try {
      follower.write((tx) => tx.put('key', text('stale'), text('committed')));
      await follower.sync();
      follower.write((tx) => tx.put('key', text('buffered'), text('not yet committed')));
      await follower.replaceWith(file);
      assert.equal(follower.get('key', text('stale')), undefined);
      assert.equal(follower.get('key', text('buffered')), undefined);
      assert.equal(follower.range('key', new Uint8Array(0)).length, 500);
      assert.ok(fs.existsSync(file), 'the received copy stays where it was (it is linked, not moved)');
      assert.deepEqual(fs.readdirSync(directory).filter((name) => name.endsWith('.mdb')), ['data-1.mdb']);
      follower.write((tx) => tx.put('key', text('after'), text('replace')));
      await follower.close();
      const reopened = LmdbBackend.open(directory);
      assert.equal(reopened.range('key', new Uint8Array(0)).length, 501);
      await reopened.close();
    } finally {
      await follower.close();
    }
  });
});
