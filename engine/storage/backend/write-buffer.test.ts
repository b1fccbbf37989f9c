import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BackendEntry } from './backend.ts';
import { keyText, mergeEntries, WriteBuffer, type PendingBatch, type UndoLog } from './write-buffer.ts';

const bytes = (...values: number[]) => new Uint8Array(values);
const entry = (key: number[], value: number[]): BackendEntry => ({ key: bytes(...key), value: bytes(...value) });
const shown = (entries: BackendEntry[]) => entries.map((found) => `${[...found.key]}=${[...found.value]}`);

test('key text sorts exactly like the bytes (unsigned, shorter prefix first)', () => {
  const keys = [bytes(0xff), bytes(0x01, 0x00), bytes(0x01), bytes(0x80, 0x01), bytes(0x00)];
  const byBytes = [...keys].sort((a, b) => Buffer.compare(a, b)).map(keyText);
  const byText = keys.map(keyText).sort();
  assert.deepEqual(byText, byBytes);
});

test('merge: pending puts replace or add entries, pending deletes hide them, limit counts live entries', () => {
  const committed = [entry([1], [10]), entry([3], [30]), entry([5], [50]), entry([7], [70])];
  const pending = [
    { key: bytes(2), value: bytes(20) },
    { key: bytes(3), value: undefined },
    { key: bytes(5), value: bytes(55) },
    { key: bytes(8), value: bytes(80) },
  ];
  assert.deepEqual(shown(mergeEntries(committed, pending, undefined)), ['1=10', '2=20', '5=55', '7=70', '8=80']);
  assert.deepEqual(shown(mergeEntries(committed, pending, 3)), ['1=10', '2=20', '5=55']);
  assert.deepEqual(shown(mergeEntries([], pending, undefined)), ['2=20', '5=55', '8=80']);
});

/** A model of the backend: the committed map plus the buffer, compared with a plain map of what was written. */
test('randomized: reads through the buffer always equal a plain model of every completed write', () => {
  let seed = 7;
  const random = (below: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % below;
  };
  const buffer = new WriteBuffer();
  const committed = new Map<string, BackendEntry>();
  const model = new Map<string, Uint8Array>();
  const inFlight: PendingBatch[] = [];
  const read = (start: number, end: number | undefined, limit?: number): string[] => {
    const startKey = bytes(start);
    const endKey = end === undefined ? undefined : bytes(end);
    const inRange = [...committed.values()]
      .filter((found) => Buffer.compare(found.key, startKey) >= 0 && (endKey === undefined || Buffer.compare(found.key, endKey) < 0))
      .sort((a, b) => Buffer.compare(a.key, b.key));
    return shown(mergeEntries(inRange, buffer.pendingIn('key', startKey, endKey), limit));
  };
  const expected = (start: number, end: number | undefined, limit?: number): string[] => {
    const all = [...model.entries()]
      .map(([text, value]) => ({ key: Buffer.from(text, 'latin1'), value }))
      .filter((found) => found.key[0]! >= start && (end === undefined || found.key[0]! < end))
      .sort((a, b) => Buffer.compare(a.key, b.key));
    return shown(limit === undefined ? all : all.slice(0, limit));
  };
  for (let step = 0; step < 20_000; step++) {
    const action = random(10);
    if (action < 6) {
      // One transaction of 1-3 writes, rolled back one time in five.
      const undo: UndoLog = [];
      const staged = new Map(model);
      for (let count = 1 + random(3); count > 0; count--) {
        const key = bytes(random(24));
        if (random(3) === 0) {
          buffer.set('key', key, undefined, undo);
          staged.delete(keyText(key));
        } else {
          const value = bytes(random(256));
          buffer.set('key', key, value, undo);
          staged.set(keyText(key), value);
        }
      }
      if (random(5) === 0) buffer.rollback(undo);
      else {
        buffer.completeTransaction();
        model.clear();
        for (const [text, value] of staged) model.set(text, value);
      }
    } else if (action < 8) {
      inFlight.push(buffer.take());
    } else if (inFlight.length > 0) {
      // Commits finish in order: apply the oldest batch to the committed map, then release it.
      const batch = inFlight.shift()!;
      for (const { write } of batch.writes) {
        if (write.value === undefined) committed.delete(keyText(write.key));
        else committed.set(keyText(write.key), { key: write.key, value: write.value });
      }
      buffer.release(batch);
    }
    const start = random(24);
    const end = random(4) === 0 ? undefined : start + random(12);
    const limit = random(3) === 0 ? 1 + random(5) : undefined;
    assert.deepEqual(read(start, end, limit), expected(start, end, limit), `step ${step}`);
  }
});

test('a batch completes the generation it was taken at; release keeps entries a newer write replaced', () => {
  const buffer = new WriteBuffer();
  const undo: UndoLog = [];
  buffer.set('meta', bytes(1), bytes(1), undo);
  buffer.completeTransaction();
  const batch = buffer.take();
  assert.equal(batch.generation, 1);
  assert.equal(buffer.dirtyCount, 0);
  buffer.set('meta', bytes(1), bytes(2), []);
  buffer.completeTransaction();
  buffer.release(batch);
  assert.deepEqual(buffer.get('meta', bytes(1))?.value, bytes(2));
  assert.equal(buffer.dirtyCount, 1);
  buffer.release(buffer.take());
  assert.equal(buffer.get('meta', bytes(1)), undefined);
});
