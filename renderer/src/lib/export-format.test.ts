import { test } from 'node:test';
import assert from 'node:assert/strict';
import { utf8Bytes } from './bytes.ts';
import { exportFormat, parseExport, toEntry } from './export-format.ts';

test('text stays readable and binary survives an export and import unchanged', () => {
  const binary = new Uint8Array([0, 255, 10]);
  const file = { format: exportFormat, prefix: '/a/', revision: 7, exportedAt: '', keys: [toEntry(utf8Bytes('/a/x'), utf8Bytes('{"n":1}')), toEntry(utf8Bytes('/a/bin'), binary)] };
  assert.deepEqual(file.keys[0], { key: '/a/x', value: '{"n":1}' });
  assert.equal(file.keys[1]!.valueEncoding, 'base64');
  const parsed = parseExport(JSON.stringify(file));
  assert.ok('pairs' in parsed);
  assert.deepEqual(parsed.pairs[1]!.value, binary);
});

test('files that are not Cairn exports are refused with a reason', () => {
  assert.match((parseExport('nope') as { error: string }).error, /not JSON/);
  assert.match((parseExport('{"format":"x"}') as { error: string }).error, /not a Cairn export/);
  assert.match((parseExport(JSON.stringify({ format: exportFormat, keys: [{ key: '', value: '' }] })) as { error: string }).error, /Entry 1/);
});
