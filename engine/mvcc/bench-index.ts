// Benchmark of the key index with a million keys (not a test). Run with
//   node --expose-gc --import tsx engine/mvcc/bench-index.ts [keys]
// It prints operations per second for puts, point reads, short and full ranges and compaction, the heap
// bytes per key, and, for comparison, inserts into a plain sorted array (the alternative the B+tree replaces)
// at a smaller size, since that one grows quadratically.
import { compactionIndexBatchKeys } from '../common/limits.ts';
import { keyStringInfinity, keyToString } from './key-range.ts';
import { KvStore } from './kv-store.ts';
import { RevisionSet } from './revision.ts';
import { MemoryBackend } from './testing/memory-backend.ts';
import { seededRandom } from './testing/helpers.ts';
import { TreeIndex } from './tree-index.ts';

const keyCount = Number(process.argv[2] ?? 1_000_000);
const collect = (globalThis as { gc?: () => void }).gc;

function heapUsed(): number {
  collect?.();
  collect?.();
  return process.memoryUsage().heapUsed;
}

function measure(label: string, operations: number, run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const perSecond = operations / seconds;
  console.log(`${label.padEnd(46)} ${Math.round(perSecond).toLocaleString('en-US').padStart(12)} ops/s  (${(seconds * 1000).toFixed(0)} ms)`);
  return perSecond;
}

/** Keys shaped like etcd usage: "/registry/<kind>/<namespace>/<name>", shuffled, as the store makes them. */
function makeKeys(count: number): string[] {
  const random = seededRandom(1);
  const keys = Array.from({ length: count }, (_, index) => keyToString(Buffer.from(`/registry/pods/ns${index % 97}/pod-${index.toString(36)}`)));
  for (let index = keys.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [keys[index], keys[other]] = [keys[other]!, keys[index]!];
  }
  return keys;
}

const keys = makeKeys(keyCount);
console.log(`key index benchmark, ${keyCount.toLocaleString('en-US')} keys, node ${process.version}${collect ? '' : ' (run with --expose-gc for heap figures)'}`);

const heapBefore = heapUsed();
const index = new TreeIndex();
let revision = 1;
measure('put new keys (random order)', keyCount, () => {
  for (const key of keys) index.put(key, { main: ++revision, sub: 0 });
});
const heapAfter = heapUsed();
if (collect) console.log(`${'heap per key (one revision each)'.padEnd(46)} ${Math.round((heapAfter - heapBefore) / keyCount).toString().padStart(12)} bytes`);

measure('put existing keys (second revision)', keyCount, () => {
  for (const key of keys) index.put(key, { main: ++revision, sub: 0 });
});
const heapTwoRevisions = heapUsed();
if (collect) console.log(`${'heap per key (two revisions each)'.padEnd(46)} ${Math.round((heapTwoRevisions - heapBefore) / keyCount).toString().padStart(12)} bytes`);

const lookups = Math.min(keyCount, 500_000);
measure('get at current revision', lookups, () => {
  for (let number = 0; number < lookups; number++) index.get(keys[number]!, revision);
});
measure('get at a past revision', lookups, () => {
  for (let number = 0; number < lookups; number++) index.get(keys[number]!, keyCount);
});

const rangeCount = 20_000;
const sortedKeys = [...keys].sort();
measure('range of 100 keys from a random start', rangeCount, () => {
  for (let number = 0; number < rangeCount; number++) {
    const start = Math.floor((number * 7919) % (keyCount - 100));
    index.range(sortedKeys[start]!, sortedKeys[start + 100]!, revision);
  }
});
measure('range limit 100 in a namespace (counts ~1% of keys)', rangeCount / 20, () => {
  for (let number = 0; number < rangeCount / 20; number++) index.range('/registry/pods/ns5/', '/registry/pods/ns5/\xff', revision, 100);
});
measure('count all keys (one full scan)', 1, () => {
  index.countRevisions('', keyStringInfinity, revision);
});
{
  // Compaction runs in steps of compactionIndexBatchKeys keys; report the total and the longest step.
  let longestStepMs = 0;
  measure(`compact all keys in steps of ${compactionIndexBatchKeys.toLocaleString('en-US')}`, 1, () => {
    const keep = new RevisionSet();
    let next: string | undefined = '';
    while (next !== undefined) {
      const start = process.hrtime.bigint();
      next = index.compactBatch(revision - keyCount / 2, next, compactionIndexBatchKeys, keep);
      longestStepMs = Math.max(longestStepMs, Number(process.hrtime.bigint() - start) / 1e6);
    }
  });
  console.log(`${'longest compaction step (blocks the loop)'.padEnd(46)} ${longestStepMs.toFixed(1).padStart(12)} ms`);
}

const arraySize = Math.min(keyCount, 200_000);
const sorted: string[] = [];
const arrayRate = measure(`sorted array insert, ${arraySize.toLocaleString('en-US')} keys (baseline)`, arraySize, () => {
  for (let number = 0; number < arraySize; number++) {
    const key = keys[number]!;
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (sorted[middle]! < key) low = middle + 1;
      else high = middle;
    }
    sorted.splice(low, 0, key);
  }
});
const treeSmall = new TreeIndex();
const treeRate = measure(`B+tree insert, ${arraySize.toLocaleString('en-US')} keys (same keys)`, arraySize, () => {
  for (let number = 0; number < arraySize; number++) treeSmall.put(keys[number]!, { main: number + 2, sub: 0 });
});
console.log(`${'B+tree / sorted array speed at that size'.padEnd(46)} ${(treeRate / arrayRate).toFixed(1).padStart(12)} x`);

// The whole store over the in-memory backend: encoding, backend writes and the index together.
const storeKeys = Math.min(keyCount, 200_000);
const store = KvStore.open({ backend: new MemoryBackend() });
const value = new Uint8Array(64).fill(120);
const encoder = new TextEncoder();
const keyBytes = keys.slice(0, storeKeys).map((key) => encoder.encode(key));
measure(`KvStore put, 1 per txn, memory backend (${storeKeys.toLocaleString('en-US')})`, storeKeys, () => {
  for (const key of keyBytes) store.write((txn) => txn.put(key, value));
});
measure('KvStore range of 100 keys with values', 2_000, () => {
  const start = encoder.encode('/registry/pods/ns7/');
  const end = encoder.encode('/registry/pods/ns70');
  for (let number = 0; number < 2_000; number++) store.read().range(start, end, { limit: 100 });
});
store.close();
