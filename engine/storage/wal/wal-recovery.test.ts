import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Wal, WalCorruptionError } from './wal.ts';
import { recordOffsets, removeDirectory, segmentFiles, temporaryDirectory, testEntries, testEntry } from './wal-testing.ts';

const metadata = Buffer.from('recovery');
const segmentBytes = 8192;

/** A WAL with entries 1..count (one save each), closed; returns its directory. */
async function writtenWal(root: string, count: number, options: { segmentBytes?: number } = {}): Promise<string> {
  const directory = path.join(root, 'wal');
  const wal = await Wal.create(directory, metadata, { segmentBytes: options.segmentBytes ?? segmentBytes });
  for (let index = 1; index <= count; index++) await wal.save(undefined, [testEntry(index)]);
  await wal.close();
  return directory;
}

function copyDirectory(from: string, to: string): void {
  removeDirectory(to);
  fs.cpSync(from, to, { recursive: true });
}

/** Overwrites `length` bytes at `offset` of `file` with `fill`, or flips one byte when fill is 'flip'. */
function damage(file: string, offset: number, length: number, fill: number | 'flip'): void {
  const fd = fs.openSync(file, 'r+');
  try {
    const bytes = Buffer.alloc(length);
    fs.readSync(fd, bytes, 0, length, offset);
    if (fill === 'flip') bytes[0] = bytes[0]! ^ 0x5a;
    else bytes.fill(fill);
    fs.writeSync(fd, bytes, 0, length, offset);
  } finally {
    fs.closeSync(fd);
  }
}

test('a torn last record is cut off with a warning, whatever byte the write stopped at', async () => {
  const root = temporaryDirectory('wal-torn');
  try {
    const pristine = await writtenWal(root, 20);
    const [file] = segmentFiles(pristine);
    const { offsets, endBytes } = recordOffsets(file!);
    const lastStart = offsets[offsets.length - 1]!;
    const work = path.join(root, 'work');
    let checked = 0;
    for (const mode of ['file cut short', 'pre-allocated space zeroed'] as const) {
      for (let cut = lastStart; cut < endBytes; cut++) {
        copyDirectory(pristine, work);
        const target = path.join(work, path.basename(file!));
        // Zeroing bytes that are zero already (padding, high words) changes nothing: the record stays valid.
        const unchanged = mode === 'pre-allocated space zeroed' && fs.readFileSync(target).subarray(cut, endBytes).every((byte) => byte === 0);
        if (mode === 'file cut short') fs.truncateSync(target, cut);
        else damage(target, cut, endBytes - cut, 0);
        const opened = await Wal.open(work, { segmentBytes });
        const expectedLast = unchanged ? 20 : 19;
        assert.deepEqual(opened.entries.map((entry) => entry.index), testEntries(1, expectedLast).map((entry) => entry.index), `${mode} at ${cut}`);
        if (unchanged) {
          await opened.wal.close();
          continue;
        }
        // Cutting exactly at the record boundary leaves a log that simply ends there: nothing was torn.
        if (cut === lastStart) assert.deepEqual(opened.warnings, [], `${mode} at ${cut}`);
        else assert.match(opened.warnings.join('\n'), new RegExp(`torn write .*${path.basename(file!)}.*byte offset ${lastStart}`), `${mode} at ${cut}`);
        // The WAL appends where the valid records end, and the next open reads the new record.
        await opened.wal.save(undefined, [testEntry(20, 2)]);
        await opened.wal.close();
        const reopened = await Wal.open(work, { segmentBytes });
        assert.equal(reopened.entries.length, 20);
        assert.equal(reopened.entries[19]!.term, 2);
        assert.deepEqual(reopened.warnings, []);
        await reopened.wal.close();
        checked++;
      }
    }
    assert.ok(checked > 40, `checked ${checked} cuts`);
  } finally {
    removeDirectory(root);
  }
});

test('a bad checksum in the very last record is a torn tail', async () => {
  const root = temporaryDirectory('wal-tail-crc');
  try {
    const directory = await writtenWal(root, 10);
    const [file] = segmentFiles(directory);
    const { offsets } = recordOffsets(file!);
    damage(file!, offsets[offsets.length - 1]! + 12, 1, 'flip');
    const opened = await Wal.open(directory, { segmentBytes });
    assert.equal(opened.entries.length, 9);
    assert.match(opened.warnings[0]!, /crc mismatch/);
    await opened.wal.close();
  } finally {
    removeDirectory(root);
  }
});

test('a damaged record followed by valid records refuses to open, naming the file and byte offset', async () => {
  const root = temporaryDirectory('wal-middle');
  try {
    const directory = await writtenWal(root, 10);
    const [file] = segmentFiles(directory);
    const { offsets } = recordOffsets(file!);
    const victim = offsets[offsets.length - 4]!;
    for (const [what, offset] of [
      ['payload', victim + 12],
      ['length', victim],
      ['checksum', victim + 5],
    ] as const) {
      const work = path.join(root, 'work');
      copyDirectory(directory, work);
      damage(path.join(work, path.basename(file!)), offset, 1, 'flip');
      const error = await Wal.open(work, { segmentBytes }).then(
        () => assert.fail(`damaged ${what} was not detected`),
        (error: unknown) => error,
      );
      assert.ok(error instanceof WalCorruptionError, `${what}: ${String(error)}`);
      assert.equal(error.offsetBytes, victim);
      assert.match(error.message, new RegExp(`${path.basename(file!)} at byte offset ${victim}`));
    }
  } finally {
    removeDirectory(root);
  }
});

test('any damaged record in a segment that is not the last refuses to open', async () => {
  const root = temporaryDirectory('wal-old-segment');
  try {
    const directory = await writtenWal(root, 120, { segmentBytes: 2048 });
    const files = segmentFiles(directory);
    assert.ok(files.length >= 2);
    const { offsets } = recordOffsets(files[0]!);
    const victim = offsets[offsets.length - 1]!;
    damage(files[0]!, victim + 12, 1, 'flip');
    await assert.rejects(Wal.open(directory, { segmentBytes: 2048 }), (error: unknown) => {
      assert.ok(error instanceof WalCorruptionError);
      assert.equal(error.file, files[0]);
      assert.equal(error.offsetBytes, victim);
      return true;
    });
  } finally {
    removeDirectory(root);
  }
});

test('a missing segment in the middle of the sequence refuses to open', async () => {
  const root = temporaryDirectory('wal-missing');
  try {
    const directory = await writtenWal(root, 150, { segmentBytes: 2048 });
    const files = segmentFiles(directory);
    assert.ok(files.length >= 3);
    fs.unlinkSync(files[1]!);
    await assert.rejects(Wal.open(directory, { segmentBytes: 2048 }), /sequence jumps/);
  } finally {
    removeDirectory(root);
  }
});

test('a segment left half-created by a crash during a cut is ignored and removed', async () => {
  const root = temporaryDirectory('wal-tmp');
  try {
    const directory = await writtenWal(root, 5);
    const leftover = path.join(directory, '0000000000000001-0000000000000006.wal.tmp');
    fs.writeFileSync(leftover, Buffer.alloc(100, 7));
    const opened = await Wal.open(directory, { segmentBytes });
    assert.equal(opened.entries.length, 5);
    assert.equal(fs.existsSync(leftover), false);
    await opened.wal.close();
  } finally {
    removeDirectory(root);
  }
});
