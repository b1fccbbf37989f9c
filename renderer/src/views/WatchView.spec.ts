import { mount, type VueWrapper } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { WatchEvent } from '../../../electron/common/contract.ts';
import { useWatchStore, watchRowsMax } from '../stores/watch.ts';
import { settle, startTestApp, type TestApp } from '../testing/setup.ts';
import WatchView from './WatchView.vue';

let app: TestApp;
let wrapper: VueWrapper | undefined;
let revision = 100;

beforeEach(async () => {
  app = await startTestApp();
});
afterEach(() => wrapper?.unmount());

function puts(count: number, value = 'v'): WatchEvent[] {
  return Array.from({ length: count }, () => {
    revision++;
    const kv = { key: new TextEncoder().encode(`/w/${revision}`), value: new TextEncoder().encode(value), valueSize: value.length, valueTruncated: false, createRevision: revision, modRevision: revision, version: 1, lease: '0' };
    return { type: 'put' as const, kv, prevKv: null };
  });
}

async function startWatching(): Promise<VueWrapper> {
  wrapper = mount(WatchView, { global: { plugins: [app.pinia] } });
  await wrapper.get('[data-testid="watch-key"]').setValue('/w/');
  await wrapper.get('form').trigger('submit');
  await settle();
  return wrapper;
}

async function emit(events: WatchEvent[]): Promise<void> {
  app.fake.emitWatch({ watchId: 'watch-1', events, revision, dropped: 0 });
  await settle(1);
}

describe('WatchView', () => {
  test('starting a watch goes live and shows events newest first', async () => {
    const view = await startWatching();
    expect(app.fake.callsOf('watch', 'start')).toEqual([expect.objectContaining({ key: new TextEncoder().encode('/w/'), prefix: true, prevKv: true })]);
    expect(view.get('[data-testid="watch-state"]').text()).toBe('Live');
    expect(view.text()).toContain('Waiting for changes…');
    await emit(puts(2, 'hello'));
    const rows = view.findAll('.event-row');
    expect(rows.map((row) => row.find('.c-key').text())).toEqual([`/w/${revision}`, `/w/${revision - 1}`]);
    expect(rows[0]!.text()).toContain('PUT');
    expect(rows[0]!.text()).toContain('hello');
    expect(view.text()).toContain('2 events received');
  });

  test('pause holds new events (counted on the button) and resume shows them, in order', async () => {
    const view = await startWatching();
    await emit(puts(1));
    const pause = view.get('[data-testid="watch-pause"]');
    await pause.trigger('click');
    await emit(puts(3));
    expect(pause.text()).toBe('Resume (3 held)');
    expect(view.findAll('.event-row')).toHaveLength(1);
    await pause.trigger('click');
    expect(pause.text()).toBe('Pause');
    expect(view.findAll('.event-row').map((row) => row.find('.c-rev').text())).toEqual([revision, revision - 1, revision - 2, revision - 3].map(String));
  });

  test(`the buffer keeps the newest ${watchRowsMax.toLocaleString()} events and says how many older ones were dropped`, async () => {
    const view = await startWatching();
    await emit(puts(watchRowsMax + 25));
    expect(useWatchStore().rows).toHaveLength(watchRowsMax);
    expect(useWatchStore().rows[0]!.revision).toBe(revision);
    expect(view.text()).toContain('25 older events dropped');
    expect(view.findAll('.event-row').length, 'the table is virtualized').toBeLessThan(100);
  });

  test('a watch that could not start from a compacted revision says where to start again', async () => {
    const view = await startWatching();
    app.fake.emitWatchState({ watchId: 'watch-1', state: 'ended', reason: 'compacted', compactRevision: 57, resumeRevision: null, message: null });
    await settle(1);
    expect(view.get('[data-testid="watch-state"]').text()).toBe('Ended');
    expect(view.text()).toContain('History before revision 57 was compacted');
  });

  test('the filter narrows the rows by key or value', async () => {
    const view = await startWatching();
    await emit([...puts(1, 'apple'), ...puts(1, 'pear')]);
    await view.get('[data-testid="watch-filter"]').setValue('pear');
    expect(view.findAll('.event-row')).toHaveLength(1);
    await view.get('[data-testid="watch-filter"]').setValue('plum');
    expect(view.text()).toContain('No event matches the filter');
  });
});
