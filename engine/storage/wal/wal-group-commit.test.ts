import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Wal } from './wal.ts';
import { nodeWalFileSystem, type WalFileSystem } from './wal-file-system.ts';
import { removeDirectory, temporaryDirectory, testEntry } from './wal-testing.ts';

const metadata = Buffer.from('group');

/** The real file system, counting fdatasync and writev calls, with a gate that can hold fdatasync back. */
class CountingFileSystem {
  syncs = 0;
  writes = 0;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  private reachedGate: (() => void) | undefined;
  failSyncs = false;

  readonly fileSystem: WalFileSystem = {
    ...nodeWalFileSystem,
    writev: (fd, buffers, position) => {
      this.writes++;
      return nodeWalFileSystem.writev(fd, buffers, position);
    },
    fdatasync: async (fd) => {
      this.syncs++;
      this.reachedGate?.();
      if (this.gate) await this.gate;
      if (this.failSyncs) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
      return nodeWalFileSystem.fdatasync(fd);
    },
  };

  /** Holds the next fdatasync calls until the returned release function is called; `reached` resolves on the first. */
  hold(): { reached: Promise<void>; release: () => void } {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
    const reached = new Promise<void>((resolve) => (this.reachedGate = resolve));
    return {
      reached,
      release: () => {
        this.gate = undefined;
        this.reachedGate = undefined;
        this.openGate?.();
      },
    };
  }
}

async function createWal(root: string, counting: CountingFileSystem): Promise<Wal> {
  const wal = await Wal.create(path.join(root, 'wal'), metadata, { fileSystem: counting.fileSystem });
  counting.syncs = 0;
  counting.writes = 0;
  return wal;
}

test('saves made while an fdatasync is in flight are written together and share the next fdatasync', async () => {
  const root = temporaryDirectory('wal-group');
  try {
    const counting = new CountingFileSystem();
    const wal = await createWal(root, counting);
    const gate = counting.hold();
    const first = wal.save(undefined, [testEntry(1)]);
    await gate.reached;
    const waiting = [];
    for (let index = 2; index <= 21; index++) waiting.push(wal.save({ term: 1, vote: 0n, commit: index - 1 }, [testEntry(index)]));
    gate.release();
    await Promise.all([first, ...waiting]);
    assert.equal(counting.syncs, 2, 'one fdatasync for the first save, one for the twenty that queued behind it');
    assert.equal(counting.writes, 2);
    assert.equal(wal.syncCount, 2);
    await wal.close();
    const opened = await Wal.open(path.join(root, 'wal'));
    assert.deepEqual(opened.entries.map((entry) => entry.index), Array.from({ length: 21 }, (_, position) => position + 1));
    assert.equal(opened.hardState?.commit, 20);
    await opened.wal.close();
  } finally {
    removeDirectory(root);
  }
});

test('64 concurrent writers share fdatasyncs; one writer needs one per save', async () => {
  const root = temporaryDirectory('wal-writers');
  try {
    const counting = new CountingFileSystem();
    const wal = await createWal(root, counting);
    let saves = 0;
    const deadline = performance.now() + 400;
    const writer = async () => {
      while (performance.now() < deadline) {
        const index = wal.lastIndex + 1;
        await wal.save(undefined, [testEntry(index)]);
        saves++;
      }
    };
    await Promise.all(Array.from({ length: 64 }, writer));
    assert.ok(counting.syncs * 8 <= saves, `${counting.syncs} fdatasyncs for ${saves} saves`);

    counting.syncs = 0;
    for (let count = 0; count < 20; count++) await wal.save(undefined, [testEntry(wal.lastIndex + 1)]);
    assert.equal(counting.syncs, 20);
    await wal.close();
  } finally {
    removeDirectory(root);
  }
});

test('saves without sync are written but not synced until a save that asks for it', async () => {
  const root = temporaryDirectory('wal-nosync');
  try {
    const counting = new CountingFileSystem();
    const wal = await createWal(root, counting);
    for (let index = 1; index <= 10; index++) await wal.save(undefined, [testEntry(index)], { sync: false });
    assert.equal(counting.syncs, 0);
    assert.equal(counting.writes, 10);
    await wal.save({ term: 1, vote: 0n, commit: 10 }, [], { sync: true });
    assert.equal(counting.syncs, 1);
    await wal.close();
  } finally {
    removeDirectory(root);
  }
});

test('a failed fdatasync fails the pending saves and every later one', async () => {
  const root = temporaryDirectory('wal-eio');
  try {
    const counting = new CountingFileSystem();
    const wal = await createWal(root, counting);
    await wal.save(undefined, [testEntry(1)]);
    counting.failSyncs = true;
    await assert.rejects(wal.save(undefined, [testEntry(2)]), /write failed.*EIO/);
    counting.failSyncs = false;
    await assert.rejects(wal.save(undefined, [testEntry(3)]), /write failed/);
    await wal.close();
  } finally {
    removeDirectory(root);
  }
});
