import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BPlusTree } from './b-plus-tree.ts';
import { seededRandom as random } from './testing/helpers.ts';


function keyOf(number: number): string {
  // latin1 keys including 0x00 and 0xff bytes, of varying length.
  return String.fromCharCode(number % 256, (number >> 8) % 256) + (number % 3 === 0 ? '\xff' : '');
}

test('random inserts, replaces and deletes agree with a sorted reference, small nodes', () => {
  for (const nodeEntriesMax of [4, 5, 8, 64]) {
    const tree = new BPlusTree<number>(nodeEntriesMax);
    const reference = new Map<string, number>();
    const next = random(nodeEntriesMax);
    for (let step = 0; step < 6000; step++) {
      const key = keyOf(Math.floor(next() * 700));
      if (next() < 0.6) {
        assert.equal(tree.set(key, step), !reference.has(key));
        reference.set(key, step);
      } else {
        assert.equal(tree.delete(key), reference.get(key));
        reference.delete(key);
      }
      if (step % 500 === 0) tree.checkInvariants();
    }
    tree.checkInvariants();
    assert.equal(tree.size, reference.size);
    const sorted = [...reference.keys()].sort();
    const visited: string[] = [];
    tree.forEach((key, value) => {
      visited.push(key);
      assert.equal(value, reference.get(key));
    });
    assert.deepEqual(visited, sorted);
    for (const key of sorted) assert.equal(tree.get(key), reference.get(key));
  }
});

test('forEachInRange visits [start, end) in order, stops early, and handles bounds between keys', () => {
  const tree = new BPlusTree<number>(4);
  for (let number = 0; number < 100; number += 2) tree.set(String(number).padStart(3, '0'), number);
  const collect = (start: string, end: string | undefined, max = Infinity): number[] => {
    const values: number[] = [];
    tree.forEachInRange(start, end, (_key, value) => {
      values.push(value);
      return values.length < max;
    });
    return values;
  };
  assert.deepEqual(collect('010', '016'), [10, 12, 14]);
  assert.deepEqual(collect('011', '015'), [12, 14]);
  assert.deepEqual(collect('095', undefined), [96, 98]);
  assert.deepEqual(collect('', '005'), [0, 2, 4]);
  assert.deepEqual(collect('050', undefined, 3), [50, 52, 54]);
  assert.deepEqual(collect('099', undefined), []);
  assert.deepEqual(collect('020', '020'), []);
});

test('deleting everything in ascending and descending order keeps the tree valid and shallow again', () => {
  for (const descending of [false, true]) {
    const tree = new BPlusTree<number>(4);
    const keys = Array.from({ length: 500 }, (_, index) => String(index).padStart(4, '0'));
    for (const key of keys) tree.set(key, 1);
    for (const key of descending ? keys.reverse() : keys) {
      assert.equal(tree.delete(key), 1);
      if (tree.size % 50 === 0) tree.checkInvariants();
    }
    assert.equal(tree.size, 0);
    tree.checkInvariants();
    tree.set('a', 2);
    assert.equal(tree.get('a'), 2);
  }
});

test('latin1 string order is unsigned byte order, including 0x00, 0x7f, 0x80 and 0xff', () => {
  const samples = [[0xff], [0x00], [0x80], [0x7f], [0x61, 0x00], [0x61], [0xc3, 0xa9], [0xe2, 0x82, 0xac], []].map((list) => Buffer.from(list));
  const byBytes = [...samples].sort(Buffer.compare).map((bytes) => bytes.toString('hex'));
  const byStrings = samples
    .map((bytes) => bytes.toString('latin1'))
    .sort()
    .map((text) => Buffer.from(text, 'latin1').toString('hex'));
  assert.deepEqual(byStrings, byBytes);
});
