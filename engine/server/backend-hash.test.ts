import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBackend } from '../mvcc/testing/memory-backend.ts';
import { writeConsistentIndex } from '../mvcc/meta.ts';
import { backendHash } from './backend-hash.ts';

function filled(): MemoryBackend {
  const backend = new MemoryBackend();
  backend.write((tx) => {
    for (let index = 0; index < 50; index++) tx.put('key', Buffer.from(`k${index}`), Buffer.from(`v${index}`));
    tx.put('lease', Buffer.from('l1'), Buffer.from('ttl'));
    tx.put('members', Buffer.from('m1'), Buffer.from('member'));
    writeConsistentIndex(tx, 10);
  });
  return backend;
}

test('equal contents hash equal, whatever the applied index; any change in any bucket changes the hash', () => {
  const reference = backendHash(filled());
  const laterApplied = filled();
  laterApplied.write((tx) => writeConsistentIndex(tx, 99));
  assert.equal(backendHash(laterApplied), reference);
  for (const bucket of ['key', 'lease', 'members', 'alarm'] as const) {
    const changed = filled();
    changed.write((tx) => tx.put(bucket, Buffer.from('extra'), Buffer.from('x')));
    assert.notEqual(backendHash(changed), reference, bucket);
  }
  const movedValue = filled();
  movedValue.write((tx) => {
    tx.delete('lease', Buffer.from('l1'));
    tx.put('members', Buffer.from('l1'), Buffer.from('ttl'));
  });
  assert.notEqual(backendHash(movedValue), reference, 'the same entry in another bucket is another state');
});
