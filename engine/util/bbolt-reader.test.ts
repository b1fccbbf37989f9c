// The bbolt reader over a file laid out by hand as bbolt lays it out: the newer meta page is ignored when its
// checksum is wrong, inline and page-backed buckets are read, branch pages are walked in order, and damage is
// reported instead of read. (tests/e2e/snapshot-restore.test.ts reads real etcd snapshots with it.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BboltReader, BboltFormatError } from './bbolt-reader.ts';

const pageSize = 4096;

interface LeafItem {
  key: string;
  value: Buffer;
  bucket?: boolean;
}

function header(id: number, flags: number, count: number, bytes = pageSize): Buffer {
  const page = Buffer.alloc(bytes);
  page.writeBigUInt64LE(BigInt(id), 0);
  page.writeUInt16LE(flags, 8);
  page.writeUInt16LE(count, 10);
  return page;
}

function leafPage(id: number, items: LeafItem[], bytes = pageSize): Buffer {
  const page = header(id, 0x02, items.length, bytes);
  let data = 16 + items.length * 16;
  items.forEach((item, index) => {
    const at = 16 + index * 16;
    const key = Buffer.from(item.key);
    page.writeUInt32LE(item.bucket ? 1 : 0, at);
    page.writeUInt32LE(data - at, at + 4);
    page.writeUInt32LE(key.length, at + 8);
    page.writeUInt32LE(item.value.length, at + 12);
    key.copy(page, data);
    item.value.copy(page, data + key.length);
    data += key.length + item.value.length;
  });
  return page;
}

function branchPage(id: number, children: Array<{ key: string; pgid: number }>): Buffer {
  const page = header(id, 0x01, children.length);
  let data = 16 + children.length * 16;
  children.forEach((child, index) => {
    const at = 16 + index * 16;
    const key = Buffer.from(child.key);
    page.writeUInt32LE(data - at, at);
    page.writeUInt32LE(key.length, at + 4);
    page.writeBigUInt64LE(BigInt(child.pgid), at + 8);
    key.copy(page, data);
    data += key.length;
  });
  return page;
}

function fnv64a(bytes: Uint8Array): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of bytes) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  return hash;
}

function metaPage(id: number, rootPgid: number, highWater: number, txid: number, validChecksum: boolean): Buffer {
  const page = header(id, 0x04, 0);
  const meta = page.subarray(16);
  meta.writeUInt32LE(0xed0cdaed, 0);
  meta.writeUInt32LE(2, 4);
  meta.writeUInt32LE(pageSize, 8);
  meta.writeBigUInt64LE(BigInt(rootPgid), 16);
  meta.writeBigUInt64LE(BigInt(highWater), 40);
  meta.writeBigUInt64LE(BigInt(txid), 48);
  meta.writeBigUInt64LE(validChecksum ? fnv64a(meta.subarray(0, 56)) : 12345n, 56);
  return page;
}

function bucketValue(root: number, inline?: Buffer): Buffer {
  const value = Buffer.alloc(16);
  value.writeBigUInt64LE(BigInt(root), 0);
  return inline ? Buffer.concat([value, inline]) : value;
}

/** Pages: 0-1 meta (1 is newer but damaged), 2 root, 3 branch of "tree", 4-5 its leaves (5 with an overflow page). */
function writeFixture(file: string): void {
  const inline = leafPage(0, [{ key: 'a', value: Buffer.from('1') }, { key: 'b', value: Buffer.from('2') }], 64);
  const root = leafPage(2, [{ key: 'inline', value: bucketValue(0, inline), bucket: true }, { key: 'tree', value: bucketValue(3), bucket: true }]);
  const big = Buffer.alloc(5000, 7);
  const leafTwo = leafPage(5, [{ key: 'k3', value: big }], 2 * pageSize);
  leafTwo.writeUInt32LE(1, 12);
  fs.writeFileSync(file, Buffer.concat([
    metaPage(0, 2, 7, 1, true),
    metaPage(1, 99, 7, 2, false),
    root,
    branchPage(3, [{ key: 'k1', pgid: 4 }, { key: 'k3', pgid: 5 }]),
    leafPage(4, [{ key: 'k1', value: Buffer.from('v1') }, { key: 'k2', value: Buffer.from('v2') }]),
    leafTwo,
  ]));
}

test('buckets and their entries are read in key order through inline buckets, branches and overflow pages', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bbolt-')), 'fixture.db');
  writeFixture(file);
  const reader = BboltReader.open(file, fs.statSync(file).size);
  try {
    assert.equal(reader.pageSize, pageSize);
    assert.equal(reader.usedBytes, 7 * pageSize);
    assert.deepEqual(reader.bucketNames().map(String), ['inline', 'tree']);
    const seen: string[] = [];
    assert.equal(reader.forEach('inline', (entry) => seen.push(`${entry.key}=${entry.value}`)), true);
    assert.equal(reader.forEach('tree', (entry) => seen.push(`${entry.key}=${entry.value.length > 10 ? `${entry.value.length} bytes` : entry.value}`)), true);
    assert.deepEqual(seen, ['a=1', 'b=2', 'k1=v1', 'k2=v2', 'k3=5000 bytes']);
    assert.equal(reader.forEach('missing', () => assert.fail('no such bucket')), false);
  } finally {
    reader.close();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
});

test('damage is reported, not read: no valid meta page, a page outside the file', () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bbolt-'));
  try {
    const noMeta = path.join(directory, 'no-meta.db');
    fs.writeFileSync(noMeta, Buffer.concat([metaPage(0, 2, 3, 1, false), metaPage(1, 2, 3, 2, false), leafPage(2, [])]));
    assert.throws(() => BboltReader.open(noMeta, fs.statSync(noMeta).size), BboltFormatError);

    const cut = path.join(directory, 'cut.db');
    writeFixture(cut);
    const reader = BboltReader.open(cut, 4 * pageSize);
    try {
      assert.throws(() => reader.forEach('tree', () => undefined), /page 4 is outside the database/);
    } finally {
      reader.close();
    }
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
});
