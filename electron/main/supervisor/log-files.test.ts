// Member output handling: whole lines from arbitrary chunks, bounded rings, and log files that rotate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LineRing } from './line-ring.ts';
import { LineSplitter, lineCharsMax } from './line-splitter.ts';
import { RotatingLog } from './rotating-log.ts';

test('lines are reassembled across chunks, even inside a UTF-8 character', () => {
  const splitter = new LineSplitter();
  const bytes = Buffer.from('one\ntwo é\r\nthr');
  assert.deepEqual(splitter.push(bytes.subarray(0, 9)), ['one']);
  assert.deepEqual(splitter.push(bytes.subarray(9)), ['two é']);
  assert.deepEqual(splitter.end(), ['thr']);
  assert.equal(new LineSplitter().push(Buffer.alloc(lineCharsMax + 10, 'x'))[0]!.length, lineCharsMax);
});

test('the ring keeps only the newest lines', () => {
  const ring = new LineRing(3);
  ring.push(['a', 'b']);
  ring.push(['c', 'd']);
  assert.deepEqual(ring.tail(10), ['b', 'c', 'd']);
  assert.deepEqual(ring.tail(1), ['d']);
});

test('a log file rotates past its size and keeps a bounded number of old files', () => {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'cairn-log-'));
  try {
    const file = path.join(directory, 'member.log');
    const log = new RotatingLog(file, 100, 2);
    for (let index = 0; index < 10; index += 1) log.append(`${String(index).repeat(40)}\n`);
    assert.ok(readFileSync(file, 'utf8').length <= 100);
    assert.ok(existsSync(`${file}.1`) && existsSync(`${file}.2`));
    assert.equal(existsSync(`${file}.3`), false);
    assert.match(readFileSync(file, 'utf8'), /9{40}/);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('a log whose folder was removed while running makes it again and starts a new file', () => {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'cairn-log-'));
  try {
    const file = path.join(directory, 'logs', 'member.log');
    mkdirSync(path.dirname(file));
    const log = new RotatingLog(file, 100, 2);
    log.append('before\n');
    rmSync(path.dirname(file), { recursive: true });
    log.append('after\n');
    assert.equal(readFileSync(file, 'utf8'), 'after\n');
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
