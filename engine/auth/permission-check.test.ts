import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRangePermitted, PermissionType, unifyPermissions, type Permission } from './permission-check.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const fromKey = Uint8Array.of(0);
const none = new Uint8Array(0);

function permission(type: PermissionType, key: string, rangeEnd: string | Uint8Array = ''): Permission {
  return { type, key: bytes(key), rangeEnd: typeof rangeEnd === 'string' ? bytes(rangeEnd) : rangeEnd };
}

test('a single-key permission allows that key only', () => {
  const unified = unifyPermissions([permission(PermissionType.Read, 'a')]);
  assert.equal(isRangePermitted(unified, bytes('a'), none, PermissionType.Read), true);
  assert.equal(isRangePermitted(unified, bytes('a0'), none, PermissionType.Read), false);
  assert.equal(isRangePermitted(unified, bytes('a'), bytes('b'), PermissionType.Read), false);
});

test('READ and WRITE are separate; READWRITE grants both', () => {
  const unified = unifyPermissions([permission(PermissionType.Write, 'w'), permission(PermissionType.ReadWrite, 'rw')]);
  assert.equal(isRangePermitted(unified, bytes('w'), none, PermissionType.Write), true);
  assert.equal(isRangePermitted(unified, bytes('w'), none, PermissionType.Read), false);
  assert.equal(isRangePermitted(unified, bytes('rw'), none, PermissionType.Read), true);
  assert.equal(isRangePermitted(unified, bytes('rw'), none, PermissionType.Write), true);
});

test('a range is permitted only when the permissions cover all of it', () => {
  const unified = unifyPermissions([permission(PermissionType.Read, 'b', 'd')]);
  assert.equal(isRangePermitted(unified, bytes('b'), bytes('d'), PermissionType.Read), true);
  assert.equal(isRangePermitted(unified, bytes('c'), bytes('d'), PermissionType.Read), true);
  assert.equal(isRangePermitted(unified, bytes('a'), bytes('c'), PermissionType.Read), false);
  assert.equal(isRangePermitted(unified, bytes('b'), bytes('e'), PermissionType.Read), false);
  assert.equal(isRangePermitted(unified, bytes('b'), fromKey, PermissionType.Read), false);
});

test('adjacent permissions of several roles are merged; a gap refuses the range', () => {
  const joined = unifyPermissions([permission(PermissionType.Read, 'c', 'e'), permission(PermissionType.Read, 'a', 'c')]);
  assert.equal(isRangePermitted(joined, bytes('a'), bytes('e'), PermissionType.Read), true);
  const gapped = unifyPermissions([permission(PermissionType.Read, 'a', 'b'), permission(PermissionType.Read, 'c', 'e')]);
  assert.equal(isRangePermitted(gapped, bytes('a'), bytes('e'), PermissionType.Read), false);
});

test('a from-key permission ("\\0") covers every key from its start, including from-key ranges', () => {
  const unified = unifyPermissions([permission(PermissionType.Read, 'm', fromKey)]);
  assert.equal(isRangePermitted(unified, bytes('zzz'), none, PermissionType.Read), true);
  assert.equal(isRangePermitted(unified, bytes('m'), fromKey, PermissionType.Read), true);
  assert.equal(isRangePermitted(unified, bytes('n'), bytes('p'), PermissionType.Read), true);
  assert.equal(isRangePermitted(unified, bytes('l'), none, PermissionType.Read), false);
  assert.equal(isRangePermitted(unified, bytes('a'), fromKey, PermissionType.Read), false);
});

test('a prefix permission (key, prefix end) covers the prefix range but nothing past it', () => {
  const unified = unifyPermissions([permission(PermissionType.Write, 'app/', 'app0')]);
  assert.equal(isRangePermitted(unified, bytes('app/'), bytes('app0'), PermissionType.Write), true);
  assert.equal(isRangePermitted(unified, bytes('app/x/y'), none, PermissionType.Write), true);
  assert.equal(isRangePermitted(unified, bytes('app'), none, PermissionType.Write), false);
  assert.equal(isRangePermitted(unified, bytes('app/'), fromKey, PermissionType.Write), false);
});

test('no permissions allow nothing', () => {
  const unified = unifyPermissions([]);
  assert.equal(isRangePermitted(unified, bytes('a'), none, PermissionType.Read), false);
  assert.equal(isRangePermitted(unified, bytes('a'), bytes('b'), PermissionType.Write), false);
});
