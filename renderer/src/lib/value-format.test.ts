import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectFormat, formatValue, validateFormat } from './value-format.ts';

test('formats are detected from content', () => {
  assert.equal(detectFormat('{"a": 1}'), 'json');
  assert.equal(detectFormat('[1, 2]'), 'json');
  assert.equal(detectFormat('name: cairn\nreplicas: 3\n'), 'yaml');
  assert.equal(detectFormat('[server]\nport = 8080\n'), 'toml');
  assert.equal(detectFormat('<?xml version="1.0"?><a/>'), 'xml');
  assert.equal(detectFormat('hello world'), 'text');
  assert.equal(detectFormat('{"broken": }'), 'text');
});

test('invalid JSON is reported with its line and column', () => {
  const problems = validateFormat('{\n  "a": 1,\n  "b": }', 'json');
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.line, 3);
});

test('invalid YAML is reported, valid YAML is not', () => {
  assert.deepEqual(validateFormat('a: 1\nb: [2, 3]\n', 'yaml'), []);
  assert.ok(validateFormat('a: 1\n b: 2\n  - c', 'yaml').length > 0);
});

test('JSON is pretty-printed; broken JSON is left as typed', () => {
  assert.equal(formatValue('{"a":1}', 'json'), '{\n  "a": 1\n}');
  assert.equal(formatValue('{"a":', 'json'), '{"a":');
});

test('the JSON checker agrees with JSON.parse on valid documents', () => {
  for (const sample of ['0', '-1.5e3', '"a\\"b"', '{"a":[1,{"b":null}],"c":true}', ' [ ] ']) {
    assert.deepEqual(validateFormat(sample, 'json'), [], sample);
  }
  for (const sample of ['{', '[1,]', '{"a" 1}', '01', 'tru', '"\n"', '{} x']) {
    assert.equal(validateFormat(sample, 'json').length, 1, sample);
  }
});
