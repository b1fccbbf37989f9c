// The runtime checker behind every IPC argument: types, bounds, strict objects, unions and the path in messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { array, bytes, integer, none, nullable, object, oneOf, optional, refine, text, uint64, variants } from './validate.ts';

test('objects are strict: unknown properties are refused and undefined optional ones are dropped', () => {
  const check = object<{ name: string; size?: number }>({ name: text({ min: 1, max: 5 }), size: optional(integer({ min: 0, max: 9 })) });
  assert.deepEqual(check({ name: 'ab', size: undefined }, 'args'), { ok: true, value: { name: 'ab' } });
  assert.deepEqual(check({ name: 'ab', extra: 1 }, 'args'), { ok: false, error: 'args.extra is not a known property' });
  assert.deepEqual(check({ name: '' }, 'args'), { ok: false, error: 'args.name must have at least 1 characters' });
  assert.deepEqual(check({ name: 'ab', size: 10 }, 'args'), { ok: false, error: 'args.size must be between 0 and 9' });
  assert.equal(check(Object.create({ name: 'inherited' }), 'args').ok, false, 'objects with a foreign prototype are refused');
  assert.equal(check(null, 'args').ok, false);
});

test('bytes, integers and uint64 strings are checked exactly', () => {
  assert.equal(bytes({ max: 2 })(new Uint8Array(3), 'k').ok, false);
  assert.equal(bytes({ max: 2 })(Buffer.from('ab'), 'k').ok, true);
  assert.equal(bytes({ max: 2 })('ab', 'k').ok, false);
  assert.equal(integer({ min: 0, max: 10 })(1.5, 'n').ok, false);
  assert.equal(integer({ min: 0, max: 10 })(Number.NaN, 'n').ok, false);
  assert.equal(uint64()('18446744073709551615', 'id').ok, true);
  assert.equal(uint64()('18446744073709551616', 'id').ok, false);
  assert.equal(uint64()('01', 'id').ok, false);
  assert.equal(uint64()(5, 'id').ok, false);
});

test('arrays, unions, nullables, refinements and empty arguments', () => {
  assert.deepEqual(array(text({ max: 3 }), { max: 2 })(['a', 'b', 'c'], 'list'), { ok: false, error: 'list must have at most 2 items' });
  assert.deepEqual(array(text({ max: 3 }), { max: 2 })(['a', 4], 'list'), { ok: false, error: 'list[1] must be a string, not number 4' });
  type Shape = { kind: 'a'; x: number } | { kind: 'b'; y: string };
  const union = variants<Shape, 'kind'>('kind', {
    a: object({ kind: oneOf(['a'] as const), x: integer({ min: 0, max: 1 }) }),
    b: object({ kind: oneOf(['b'] as const), y: text({ max: 1 }) }),
  });
  assert.equal(union({ kind: 'b', y: 'z' }, 'u').ok, true);
  assert.deepEqual(union({ kind: 'c' }, 'u'), { ok: false, error: 'u.kind must be one of "a", "b"' });
  assert.equal(nullable(text({ max: 1 }))(null, 'v').ok, true);
  const even = refine(integer({ min: 0, max: 10 }), (value) => (value % 2 === 0 ? undefined : 'must be even'));
  assert.deepEqual(even(3, 'n'), { ok: false, error: 'n must be even' });
  assert.equal(none()(undefined, 'args').ok, true);
  assert.equal(none()({}, 'args').ok, true);
  assert.equal(none()({ a: 1 }, 'args').ok, false);
});
