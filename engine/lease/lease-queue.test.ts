import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeaseQueue } from './lease-queue.ts';

function drain(queue: LeaseQueue): Array<[bigint, number]> {
  const out: Array<[bigint, number]> = [];
  for (let entry = queue.pop(); entry; entry = queue.pop()) out.push([entry.id, entry.timeMs]);
  return out;
}

test('pops in time order, ties by ID', () => {
  const queue = new LeaseQueue();
  queue.upsert(3n, 30);
  queue.upsert(1n, 10);
  queue.upsert(5n, 10);
  queue.upsert(2n, 20);
  assert.equal(queue.peek()?.id, 1n);
  assert.deepEqual(drain(queue), [[1n, 10], [5n, 10], [2n, 20], [3n, 30]]);
  assert.equal(queue.size, 0);
  assert.equal(queue.pop(), undefined);
});

test('upsert moves an existing entry instead of adding a second one', () => {
  const queue = new LeaseQueue();
  queue.upsert(1n, 10);
  queue.upsert(2n, 20);
  queue.upsert(1n, 30);
  assert.equal(queue.size, 2);
  assert.deepEqual(drain(queue), [[2n, 20], [1n, 30]]);
});

test('remove takes an entry out from anywhere; unknown IDs are ignored', () => {
  const queue = new LeaseQueue();
  for (let id = 1n; id <= 5n; id++) queue.upsert(id, Number(id) * 10);
  queue.remove(3n);
  queue.remove(99n);
  assert.equal(queue.has(3n), false);
  assert.deepEqual(drain(queue).map(([id]) => id), [1n, 2n, 4n, 5n]);
});

test('random upserts and removes keep the heap order (checked against a sort)', () => {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const queue = new LeaseQueue();
  const model = new Map<bigint, number>();
  for (let step = 0; step < 5000; step++) {
    const id = BigInt(Math.floor(random() * 200));
    if (random() < 0.25) {
      queue.remove(id);
      model.delete(id);
    } else {
      const timeMs = Math.floor(random() * 1000);
      queue.upsert(id, timeMs);
      model.set(id, timeMs);
    }
  }
  const expected = [...model.entries()].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
  assert.deepEqual(drain(queue), expected);
});
