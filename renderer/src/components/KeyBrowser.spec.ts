import { mount, type VueWrapper } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { useKeysStore } from '../stores/keys.ts';
import { useUiStore } from '../stores/ui.ts';
import { settle, startTestApp, type TestApp } from '../testing/setup.ts';
import KeyBrowser from './KeyBrowser.vue';

let app: TestApp;
let wrapper: VueWrapper | undefined;

beforeEach(async () => {
  app = await startTestApp();
});
afterEach(() => wrapper?.unmount());

async function mountBrowser(search: string): Promise<VueWrapper> {
  wrapper = mount(KeyBrowser, { global: { plugins: [app.pinia] } });
  await wrapper.get('[data-testid="key-search"]').setValue(search);
  await wrapper.get('[data-testid="key-search"]').trigger('keydown', { key: 'Enter' });
  await settle();
  return wrapper;
}

const loaded = (view: VueWrapper): string => view.get('[data-testid="keys-loaded"]').text();

describe('KeyBrowser', () => {
  test('the flat list says "Loaded X of Y" and loads more, page by page, until everything is loaded', async () => {
    for (let index = 0; index < 1200; index++) app.fake.keyspace.put(`/k/${String(index).padStart(4, '0')}`, 'v');
    useKeysStore().mode = 'list';
    const view = await mountBrowser('/k/');
    expect(loaded(view)).toBe('Loaded 500 of 1,200');
    expect(view.findAll('.key-row .label')[0]!.text()).toBe('/k/0000');
    await view.get('[data-testid="load-more"]').trigger('click');
    await settle();
    expect(loaded(view)).toBe('Loaded 1,000 of 1,200');
    await view.get('[data-testid="load-more"]').trigger('click');
    await settle();
    expect(loaded(view)).toBe('Loaded 1,200 of 1,200');
    expect(view.find('[data-testid="load-more"]').exists(), 'nothing more to load').toBe(false);
    expect(app.fake.callsOf('keys', 'list').every((args) => (args as { keysOnly?: boolean }).keysOnly === true), 'listing never carries values').toBe(true);
  });

  test('scrolling near the end of the list loads the next page', async () => {
    for (let index = 0; index < 600; index++) app.fake.keyspace.put(`/s/${String(index).padStart(4, '0')}`, 'v');
    useKeysStore().mode = 'list';
    const view = await mountBrowser('/s/');
    await view.get('[data-testid="key-list"]').trigger('scroll');
    await settle();
    expect(loaded(view)).toBe('Loaded 600 of 600');
  });

  test('the tree shows folders with their key counts and the total', async () => {
    app.fake.keyspace.put('/app/a', '1');
    app.fake.keyspace.put('/app/b', '2');
    app.fake.keyspace.put('/solo', '3');
    const view = await mountBrowser('/');
    expect(loaded(view)).toBe('3 keys');
    const rows = view.findAll('[data-testid="key-list"] .key-row');
    expect(rows.map((row) => row.text().replace(/\s+/g, ' ').trim())).toEqual([expect.stringMatching(/app\/.*2/), expect.stringMatching(/solo/)]);
  });

  test('an empty prefix says so instead of showing an empty list', async () => {
    const view = await mountBrowser('/nothing/');
    expect(view.text()).toContain('No keys match this prefix');
  });

  test('a prefix delete previews the count and the keys, and deletes only after confirmation', async () => {
    app.fake.keyspace.put('/gone/a', '1');
    app.fake.keyspace.put('/gone/b', '2');
    app.fake.keyspace.put('/kept', '3');
    const view = await mountBrowser('/gone/');
    await view.get('[aria-label="Delete every key starting with /gone/"]').trigger('click');
    await settle();
    const ui = useUiStore();
    expect(ui.pendingConfirm?.message).toContain('Delete all 2 keys that start with “/gone/”');
    expect(ui.pendingConfirm?.details).toEqual(['/gone/a', '/gone/b']);
    expect(app.fake.keyspace.keys.size, 'nothing deleted before the answer').toBe(3);
    ui.answer(true);
    await settle();
    expect([...app.fake.keyspace.keys.keys()]).toEqual(['/kept']);
  });

  test('a listing error is shown in words with a retry', async () => {
    app.fake.fail('keys', 'tree', { code: 'unavailable', message: 'No endpoint of this connection answered.' });
    const view = await mountBrowser('/');
    expect(view.text()).toContain('The keys could not be loaded');
    expect(view.text()).toContain('No endpoint of this connection answered.');
  });
});
