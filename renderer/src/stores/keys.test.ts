import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPinia, setActivePinia } from 'pinia';
import { setApi } from '../api/index.ts';
import { createFakeApi } from '../testing/fake-api.ts';
import { useKeysStore } from './keys.ts';

test('the flat list loads page by page, pinned to the first page revision, with "loaded X of Y"', async () => {
  const fake = createFakeApi();
  for (let index = 0; index < 1200; index++) fake.keyspace.put(`/k/${String(index).padStart(4, '0')}`, 'v');
  setApi(fake.api);
  setActivePinia(createPinia());
  const keys = useKeysStore();
  keys.mode = 'list';
  await keys.reload();
  assert.equal(keys.listItems.length, 500);
  assert.equal(keys.listTotal, 1200);
  const pinned = keys.listRevision;
  await keys.loadMoreList();
  await keys.loadMoreList();
  assert.equal(keys.listItems.length, 1200);
  assert.equal(keys.listRevision, pinned, 'later pages are read at the first page revision');
  assert.equal(keys.listMore, false);
});
