import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Snapshot } from '../../raft/types.ts';
import { Snapshotter, snapshotFileName } from './snapshotter.ts';

function snapshotAt(index: number, term: number): Snapshot {
  return {
    data: Buffer.from(`state at ${index}`),
    metadata: {
      index,
      term,
      confState: { voters: [1n, 0xffffffffffffffffn], learners: [3n], votersOutgoing: [1n], learnersNext: [], autoLeave: true },
    },
  };
}

async function withDirectory(body: (directory: string, root: string) => Promise<void>): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-snap-'));
  try {
    await body(path.join(root, 'snap'), root);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

test('a saved snapshot loads back with its metadata, data and backend copy', async () => {
  await withDirectory(async (directory, root) => {
    const copy = path.join(root, 'copy.mdb');
    fs.writeFileSync(copy, Buffer.alloc(100_000, 9));
    const snapshotter = new Snapshotter(directory);
    await snapshotter.save(snapshotAt(10, 2), copy);
    assert.equal(fs.existsSync(copy), false, 'the copy was moved into the snap directory');
    assert.ok(fs.existsSync(path.join(directory, snapshotFileName(2, 10))));

    const loaded = await new Snapshotter(directory).loadNewest();
    assert.ok(loaded);
    assert.deepEqual(loaded.snapshot.metadata, snapshotAt(10, 2).metadata);
    assert.equal(Buffer.from(loaded.snapshot.data).toString(), 'state at 10');
    assert.equal(loaded.backendSizeBytes, 100_000);
    assert.deepEqual(fs.readFileSync(snapshotter.backendFilePath(loaded)!), Buffer.alloc(100_000, 9));
    await snapshotter.verifyBackendCopy(loaded);
    fs.appendFileSync(snapshotter.backendFilePath(loaded)!, 'x');
    await assert.rejects(snapshotter.verifyBackendCopy(loaded), /does not match/);
  });
});

test('loadNewest picks the highest term and index, optionally only among the WAL snapshot marks', async () => {
  await withDirectory(async (directory) => {
    const snapshotter = new Snapshotter(directory);
    await snapshotter.save(snapshotAt(5, 1));
    await snapshotter.save(snapshotAt(30, 2));
    await snapshotter.save(snapshotAt(20, 3));
    assert.equal((await snapshotter.loadNewest())?.snapshot.metadata.index, 20);
    assert.equal((await snapshotter.loadNewest([{ index: 30, term: 2 }, { index: 5, term: 1 }]))?.snapshot.metadata.index, 30);
    assert.equal(await snapshotter.loadNewest([{ index: 7, term: 1 }]), undefined);
    assert.equal(await new Snapshotter(path.join(directory, 'missing')).loadNewest(), undefined);
  });
});

test('a broken snapshot is renamed to .broken and the next older one is loaded', async () => {
  await withDirectory(async (directory, root) => {
    const broken: string[] = [];
    const snapshotter = new Snapshotter(directory, { onBroken: (message) => broken.push(message) });
    await snapshotter.save(snapshotAt(10, 1));
    const copy = path.join(root, 'copy.mdb');
    fs.writeFileSync(copy, Buffer.alloc(1000, 1));
    await snapshotter.save(snapshotAt(20, 1), copy);
    await snapshotter.save(snapshotAt(30, 1));
    // Newest: one flipped byte. Next: its backend copy is gone.
    const newest = path.join(directory, snapshotFileName(1, 30));
    const bytes = fs.readFileSync(newest);
    bytes[bytes.length - 40] ^= 0x01;
    fs.writeFileSync(newest, bytes);
    fs.rmSync(path.join(directory, `${snapshotFileName(1, 20)}.db`));

    const loaded = await snapshotter.loadNewest();
    assert.equal(loaded?.snapshot.metadata.index, 10);
    assert.equal(broken.length, 2);
    assert.match(broken[0]!, /crc mismatch/);
    assert.match(broken[1]!, /backend copy .* is missing/);
    const names = fs.readdirSync(directory).sort();
    assert.deepEqual(names, [snapshotFileName(1, 10), `${snapshotFileName(1, 20)}.broken`, `${snapshotFileName(1, 30)}.broken`]);
    // Broken files are never read again.
    assert.equal((await snapshotter.loadNewest())?.snapshot.metadata.index, 10);
    assert.equal(broken.length, 2);
  });
});

test('a truncated or foreign file is broken too', async () => {
  await withDirectory(async (directory) => {
    const snapshotter = new Snapshotter(directory);
    await snapshotter.save(snapshotAt(10, 1));
    await snapshotter.save(snapshotAt(11, 1));
    const newest = path.join(directory, snapshotFileName(1, 11));
    fs.truncateSync(newest, 30);
    fs.writeFileSync(path.join(directory, snapshotFileName(1, 12)), 'not a snapshot at all');
    assert.equal((await snapshotter.loadNewest())?.snapshot.metadata.index, 10);
    assert.ok(fs.existsSync(`${newest}.broken`));
  });
});

test('only the newest `keep` snapshots and their backend copies are kept', async () => {
  await withDirectory(async (directory, root) => {
    const snapshotter = new Snapshotter(directory, { keep: 2 });
    for (let index = 1; index <= 5; index++) {
      const copy = path.join(root, `copy-${index}`);
      fs.writeFileSync(copy, Buffer.alloc(10, index));
      await snapshotter.save(snapshotAt(index * 10, 1), copy);
    }
    assert.deepEqual(fs.readdirSync(directory).sort(), [
      snapshotFileName(1, 40),
      `${snapshotFileName(1, 40)}.db`,
      snapshotFileName(1, 50),
      `${snapshotFileName(1, 50)}.db`,
    ]);
  });
});
