// etcd's prefix arithmetic and the key-prefix scope.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyScope, allKeysFrom, keyAfter, prefixEnd } from './key-range.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

test('prefixEnd increments the last byte that can be incremented', () => {
  assert.deepEqual([...prefixEnd(bytes('a/'))], [...bytes('a0')]);
  assert.deepEqual([...prefixEnd(new Uint8Array([0x61, 0xff]))], [0x62]);
  assert.equal(prefixEnd(new Uint8Array([0xff, 0xff])), allKeysFrom);
  assert.equal(prefixEnd(new Uint8Array()), allKeysFrom);
  assert.deepEqual([...keyAfter(bytes('a'))], [0x61, 0]);
});

test('a scope adds its prefix on the way out and strips it on the way back', () => {
  const scope = new KeyScope(bytes('team/'));
  assert.deepEqual(scope.key(bytes('app')), bytes('team/app'));
  assert.deepEqual(scope.rangeEnd(allKeysFrom), bytes('team0'));
  assert.deepEqual(scope.rangeEnd(bytes('b')), bytes('team/b'));
  assert.equal(scope.rangeEnd(undefined), undefined);
  assert.deepEqual(scope.strip(bytes('team/app')), bytes('app'));
  const none = new KeyScope(new Uint8Array());
  assert.equal(none.rangeEnd(allKeysFrom), allKeysFrom);
});

test('a range from the empty key starts at \\0, since etcd refuses an empty key', () => {
  assert.deepEqual(new KeyScope(new Uint8Array()).rangeStart(new Uint8Array()), allKeysFrom);
  assert.deepEqual(new KeyScope(new Uint8Array()).rangeStart(bytes('a')), bytes('a'));
  assert.deepEqual(new KeyScope(bytes('team/')).rangeStart(new Uint8Array()), bytes('team/'));
});
