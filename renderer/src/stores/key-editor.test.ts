import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createPinia, setActivePinia } from 'pinia';
import { setApi } from '../api/index.ts';
import { createFakeApi, type FakeKeyspace } from '../testing/fake-api.ts';
import { parseValue, renderValue, useKeyEditorStore } from './key-editor.ts';

const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);
let keyspace: FakeKeyspace;

beforeEach(() => {
  const fake = createFakeApi();
  keyspace = fake.keyspace;
  setApi(fake.api);
  setActivePinia(createPinia());
});

test('a save writes with compare-and-swap on the loaded mod revision', async () => {
  keyspace.put('/app/config', '{"replicas": 3}');
  const editor = useKeyEditorStore();
  await editor.open(bytes('/app/config'));
  assert.equal(editor.format, 'json');
  editor.draft = '{"replicas": 5}';
  assert.equal(await editor.save(), true);
  assert.equal(new TextDecoder().decode(keyspace.keys.get('/app/config')!.value), '{"replicas": 5}');
  assert.equal(editor.dirty, false);
});

test('a concurrent change becomes a conflict that keeps the draft, and overwrite then wins', async () => {
  keyspace.put('/app/config', 'one');
  const editor = useKeyEditorStore();
  await editor.open(bytes('/app/config'));
  keyspace.put('/app/config', 'theirs');
  editor.draft = 'mine';
  assert.equal(await editor.save(), false);
  assert.equal(new TextDecoder().decode(editor.conflict!.current!.value), 'theirs');
  assert.equal(editor.draft, 'mine', 'nothing the user typed is lost');
  assert.equal(await editor.overwrite(), true);
  assert.equal(new TextDecoder().decode(keyspace.keys.get('/app/config')!.value), 'mine');
  assert.equal(editor.conflict, null);
});

test('creating a key that already exists is refused as a conflict', async () => {
  keyspace.put('/taken', 'x');
  const editor = useKeyEditorStore();
  editor.startNew(bytes('/taken'), 'y');
  assert.equal(await editor.save(), false);
  assert.ok(editor.conflict);
  assert.equal(new TextDecoder().decode(keyspace.keys.get('/taken')!.value), 'x');
});

test('binary values open as a read-only hex dump and are edited as base64', async () => {
  keyspace.keys.set('/bin', { ...keyspace.put('/bin', ''), value: new Uint8Array([0, 255, 1]), valueSize: 3 });
  const editor = useKeyEditorStore();
  await editor.open(bytes('/bin'));
  assert.equal(editor.view, 'hex');
  assert.equal(editor.readOnly, true);
  editor.setView('base64');
  assert.equal(editor.draft, 'AP8B');
  assert.equal(editor.readOnly, false);
});

test('values round-trip through every view', () => {
  const value = new Uint8Array([104, 105, 0, 200]);
  const base64 = parseValue(renderValue(value, 'base64'), 'base64');
  assert.ok('bytes' in base64 && base64.bytes.length === 4);
  assert.ok('error' in parseValue('zz', 'hex'));
});
