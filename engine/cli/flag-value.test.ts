import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlagSpec } from './flag-spec.ts';
import { parseFlagValue } from './flag-value.ts';
import { parseGoDuration } from '../common/go-duration.ts';
import { parseUrlList } from './url-list.ts';

const spec = (kind: FlagSpec['kind']): FlagSpec => ({ name: 'x', kind, defaultValue: '', section: 'Member', help: '' });

test('Go durations: units, fractions, signs and Go error messages', () => {
  assert.deepEqual(parseGoDuration('5s'), { ms: 5000 });
  assert.deepEqual(parseGoDuration('1h30m'), { ms: 5_400_000 });
  assert.deepEqual(parseGoDuration('1.5ms'), { ms: 1.5 });
  assert.deepEqual(parseGoDuration('250us'), { ms: 0.25 });
  assert.deepEqual(parseGoDuration('-2m'), { ms: -120_000 });
  assert.deepEqual(parseGoDuration('0'), { ms: 0 });
  assert.deepEqual(parseGoDuration(''), { error: 'time: invalid duration ""' });
  assert.deepEqual(parseGoDuration('10'), { error: 'time: missing unit in duration "10"' });
  assert.deepEqual(parseGoDuration('3d'), { error: 'time: unknown unit "d" in duration "3d"' });
  assert.deepEqual(parseGoDuration('.s'), { error: 'time: invalid duration ".s"' });
});

test('integers follow strconv base-0 rules and ranges', () => {
  assert.deepEqual(parseFlagValue(spec('uint'), '0x1F'), { value: 31 });
  assert.deepEqual(parseFlagValue(spec('uint'), '0o17'), { value: 15 });
  assert.deepEqual(parseFlagValue(spec('uint'), '017'), { value: 15 });
  assert.deepEqual(parseFlagValue(spec('uint'), '0b101'), { value: 5 });
  assert.deepEqual(parseFlagValue(spec('int'), '-42'), { value: -42 });
  assert.deepEqual(parseFlagValue(spec('uint'), '-1'), { error: 'parse error' }, 'ParseUint takes no sign');
  assert.deepEqual(parseFlagValue(spec('uint'), '+1'), { error: 'parse error' });
  assert.deepEqual(parseFlagValue(spec('int'), '+7'), { value: 7 });
  assert.deepEqual(parseFlagValue(spec('int'), '99999999999999999999'), { error: 'value out of range' });
  assert.deepEqual(parseFlagValue(spec('uint'), '12abc'), { error: 'parse error' });
  assert.deepEqual(parseFlagValue(spec('uint'), '1.5'), { error: 'parse error' });
  assert.deepEqual(parseFlagValue(spec('uint32'), '4294967295'), { value: 4294967295 });
  assert.deepEqual(parseFlagValue(spec('uint32'), '4294967296'), { error: 'strconv.ParseUint: parsing "4294967296": value out of range' }, "etcd's uint32 flag passes strconv's error through");
  assert.deepEqual(parseFlagValue(spec('uint32'), 'x'), { error: 'strconv.ParseUint: parsing "x": invalid syntax' });
  assert.deepEqual(parseFlagValue(spec('uint'), 12), { value: 12 }, 'YAML numbers');
  assert.deepEqual(parseFlagValue(spec('uint'), 1.5), { error: 'parse error' });
});

test('booleans follow strconv.ParseBool; YAML booleans pass through', () => {
  for (const text of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.deepEqual(parseFlagValue(spec('bool'), text), { value: true });
  for (const text of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.deepEqual(parseFlagValue(spec('bool'), text), { value: false });
  assert.deepEqual(parseFlagValue(spec('bool'), 'yes'), { error: 'parse error' });
  assert.deepEqual(parseFlagValue(spec('bool'), false), { value: false });
});

test('durations from YAML numbers are nanoseconds', () => {
  assert.deepEqual(parseFlagValue(spec('duration'), 5_000_000_000), { value: 5000 });
  assert.deepEqual(parseFlagValue(spec('duration'), '5s'), { value: 5000 });
  assert.deepEqual(parseFlagValue(spec('duration'), '5'), { error: 'parse error' }, "Go's flag package hides time.ParseDuration's reason");
});

test('lists accept comma text or YAML lists, dropping blanks and duplicates', () => {
  assert.deepEqual(parseFlagValue(spec('list'), 'a, b,,a'), { value: ['a', 'b'] });
  assert.deepEqual(parseFlagValue(spec('list'), ['x', 'y']), { value: ['x', 'y'] });
  assert.deepEqual(parseFlagValue(spec('list'), ''), { value: [] });
});

test('URL lists: listen URLs need an IP or localhost, advertised URLs any host', () => {
  assert.deepEqual(parseUrlList('', 'listen'), { urls: [] });
  assert.deepEqual(parseUrlList('https://localhost:2379', 'listen'), { urls: ['https://localhost:2379'] });
  assert.deepEqual(parseUrlList('http://etcd.example:2379', 'advertise'), { urls: ['http://etcd.example:2379'] });
  assert.ok('error' in parseUrlList('http://etcd.example:2379', 'listen'));
  assert.ok('error' in parseUrlList('http://127.0.0.1:99999', 'listen'));
  assert.ok('error' in parseUrlList('http://256.0.0.1:2379', 'listen'));
  assert.ok('error' in parseUrlList('http://127.0.0.1:2379?x=1', 'listen'));
  assert.deepEqual(parseUrlList('unix://localhost:2379', 'listen'), { urls: ['unix://localhost:2379'] });
});
