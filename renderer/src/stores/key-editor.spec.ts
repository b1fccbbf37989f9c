import { beforeEach, describe, expect, test } from 'vitest';
import { valueBytesDefault } from '../../../electron/common/limits.ts';
import { startTestApp, type TestApp } from '../testing/setup.ts';
import { parseValue, renderValue, useKeyEditorStore } from './key-editor.ts';

const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);
const stored = (app: TestApp, key: string): string => new TextDecoder().decode(app.fake.keyspace.keys.get(key)!.value);
let app: TestApp;

beforeEach(async () => {
  app = await startTestApp();
});

describe('key editor store', () => {
  test('a save writes with compare-and-swap on the loaded mod revision', async () => {
    const loaded = app.fake.keyspace.put('/app/config', '{"replicas": 3}');
    const editor = useKeyEditorStore();
    await editor.open(bytes('/app/config'));
    expect(editor.format).toBe('json');
    editor.draft = '{"replicas": 5}';
    expect(await editor.save()).toBe(true);
    expect(app.fake.callsOf('keys', 'put')).toEqual([expect.objectContaining({ expectedModRevision: loaded.modRevision })]);
    expect(stored(app, '/app/config')).toBe('{"replicas": 5}');
    expect(editor.dirty).toBe(false);
  });

  test('a concurrent change becomes a conflict that keeps the draft, and overwrite then wins', async () => {
    app.fake.keyspace.put('/app/config', 'one');
    const editor = useKeyEditorStore();
    await editor.open(bytes('/app/config'));
    app.fake.keyspace.put('/app/config', 'theirs');
    editor.draft = 'mine';
    expect(await editor.save()).toBe(false);
    expect(new TextDecoder().decode(editor.conflict!.current!.value)).toBe('theirs');
    expect(editor.draft, 'nothing the user typed is lost').toBe('mine');
    expect(stored(app, '/app/config')).toBe('theirs');
    expect(await editor.overwrite()).toBe(true);
    expect(stored(app, '/app/config')).toBe('mine');
    expect(editor.conflict).toBeNull();
  });

  test('"discard mine, load theirs" drops the draft and shows the server value', async () => {
    app.fake.keyspace.put('/k', 'one');
    const editor = useKeyEditorStore();
    await editor.open(bytes('/k'));
    app.fake.keyspace.put('/k', 'theirs');
    editor.draft = 'mine';
    await editor.save();
    await editor.takeTheirs();
    expect(editor.conflict).toBeNull();
    expect(editor.draft).toBe('theirs');
  });

  test('creating a key that already exists is refused as a conflict', async () => {
    app.fake.keyspace.put('/taken', 'x');
    const editor = useKeyEditorStore();
    editor.startNew(bytes('/taken'), 'y');
    expect(await editor.save()).toBe(false);
    expect(editor.conflict).not.toBeNull();
    expect(stored(app, '/taken')).toBe('x');
  });

  test('binary values open as a read-only hex dump and are edited as base64', async () => {
    app.fake.keyspace.put('/bin', new Uint8Array([0, 255, 1]));
    const editor = useKeyEditorStore();
    await editor.open(bytes('/bin'));
    expect(editor.isBinary).toBe(true);
    expect(editor.view).toBe('hex');
    expect(editor.readOnly).toBe(true);
    editor.setView('text');
    expect(editor.saveError).toMatch(/not text/);
    editor.setView('base64');
    expect(editor.draft).toBe('AP8B');
    expect(editor.readOnly).toBe(false);
    editor.draft = 'AAEC';
    expect(await editor.save()).toBe(true);
    expect([...app.fake.keyspace.keys.get('/bin')!.value]).toEqual([0, 1, 2]);
  });

  test('an oversized value is fetched cut short, shown read-only, and loaded in full on request', async () => {
    app.fake.keyspace.put('/big', 'x'.repeat(valueBytesDefault + 10));
    const editor = useKeyEditorStore();
    await editor.open(bytes('/big'));
    expect(editor.truncated).toBe(true);
    expect(editor.readOnly).toBe(true);
    expect(editor.draft).toHaveLength(valueBytesDefault);
    expect(await editor.save(), 'a cut-short value is never written back').toBe(false);
    await editor.open(bytes('/big'), true);
    expect(editor.truncated).toBe(false);
    expect(editor.draft).toHaveLength(valueBytesDefault + 10);
  });

  test('values round-trip through every view, and bad base64 or hex is explained', () => {
    const value = new Uint8Array([104, 105, 0, 200]);
    const base64 = parseValue(renderValue(value, 'base64'), 'base64');
    expect('bytes' in base64 && [...base64.bytes]).toEqual([...value]);
    expect(parseValue('zz', 'hex')).toEqual({ error: expect.stringMatching(/not valid hex/) });
    expect(parseValue('*', 'base64')).toEqual({ error: expect.stringMatching(/not valid base64/) });
  });
});
