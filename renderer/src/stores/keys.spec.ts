import { beforeEach, describe, expect, test } from 'vitest';
import { startTestApp, type TestApp } from '../testing/setup.ts';
import { useKeysStore } from './keys.ts';

let app: TestApp;

beforeEach(async () => {
  app = await startTestApp();
});

describe('keys store', () => {
  test('the flat list loads page by page, pinned to the first page revision, with "loaded X of Y"', async () => {
    for (let index = 0; index < 1200; index++) app.fake.keyspace.put(`/k/${String(index).padStart(4, '0')}`, 'v');
    const keys = useKeysStore();
    keys.mode = 'list';
    await keys.reload();
    expect(keys.listItems).toHaveLength(500);
    expect(keys.listTotal).toBe(1200);
    const pinned = keys.listRevision;
    app.fake.keyspace.put('/k/written-meanwhile', 'v');
    await keys.loadMoreList();
    await keys.loadMoreList();
    expect(keys.listItems).toHaveLength(1201);
    const revisions = app.fake.callsOf('keys', 'list').map((args) => (args as { revision?: number }).revision);
    expect(revisions).toEqual([undefined, pinned, pinned]);
    expect(keys.listMore).toBe(false);
  });

  test('the tree lists folders with their counts and keys, and opens a folder on demand', async () => {
    app.fake.keyspace.put('/app/a', '1');
    app.fake.keyspace.put('/app/b', '2');
    app.fake.keyspace.put('/top', '3');
    const keys = useKeysStore();
    keys.search = '/';
    await keys.reload();
    expect(keys.treeRows.map((row) => [row.kind, 'label' in row ? row.label : ''])).toEqual([['folder', 'app/'], ['key', 'top']]);
    await keys.toggleFolder('/app/', new TextEncoder().encode('/app/'));
    expect(keys.treeRows.map((row) => ('label' in row ? row.label : row.kind))).toEqual(['app/', 'a', 'b', 'top']);
  });

  test('a failed page is shown as an error, not as an empty keyspace', async () => {
    app.fake.fail('keys', 'list', { code: 'unavailable', message: 'No endpoint answered.' });
    const keys = useKeysStore();
    keys.mode = 'list';
    await keys.reload();
    expect(keys.listError).toBe('No endpoint answered.');
  });
});
