import { mount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import StatusBar from '../components/StatusBar.vue';
import { api } from '../api/index.ts';
import { fakeConnection } from '../testing/fake-api.ts';
import { settle, startTestApp, type TestApp } from '../testing/setup.ts';
import { useConnectionsStore } from './connections.ts';
import { electionRecheckMs, electionRechecksMax, useStatusStore } from './status.ts';
import { useWatchStore } from './watch.ts';

let app: TestApp;
const utf8 = (value: string): Uint8Array => new TextEncoder().encode(value);

beforeEach(async () => {
  app = await startTestApp();
  app.fake.keyspace.put('/seed', 'x');
});
afterEach(() => {
  useStatusStore().dispose();
  vi.useRealTimers();
});

/** Starts the status store as App.vue does and waits for its first overview. */
async function startStatus(): Promise<ReturnType<typeof useStatusStore>> {
  const status = useStatusStore();
  status.start();
  await settle();
  return status;
}

describe('status bar revision', () => {
  test('moves with the watch tail and with key answers at once, without asking main for anything more', async () => {
    const status = await startStatus();
    expect(status.revision).toBe(app.fake.keyspace.revision);
    const callsBefore = app.fake.calls.length;

    const watch = useWatchStore();
    watch.request.key = '/w/';
    await watch.start();
    app.fake.emitWatch({ watchId: 'watch-1', events: [], revision: 250, dropped: 0 });
    expect(status.revision, 'the bar shows the revision the Watch screen shows, in the same tick').toBe(250);

    app.fake.keyspace.revision = 300;
    const outcome = await api().keys.put({ connectionId: 'local', key: utf8('/k'), value: utf8('v') });
    expect(outcome.ok && outcome.value.revision).toBe(301);
    expect(status.revision, 'a save moves it to the revision the save answered').toBe(301);

    const asked = app.fake.calls.slice(callsBefore).map((call) => `${call.service}.${call.method}`);
    expect(asked, 'no overview, no probe read: only what the test itself did').toEqual(['watch.start', 'keys.put']);
  });

  test('one overview per refresh gives leader and revision (no separate probe read)', async () => {
    const status = await startStatus();
    await status.poll();
    expect(app.fake.callsOf('cluster', 'overview')).toHaveLength(2);
    expect(app.fake.callsOf('keys', 'get')).toEqual([]);
  });

  test('a page read pinned to an older revision, or an answer about another connection, does not move it', async () => {
    const status = await startStatus();
    const now = status.revision!;
    await api().keys.list({ connectionId: 'local', prefix: utf8(''), revision: now - 1 });
    status.observeRevision('elsewhere', now + 50);
    expect(status.revision).toBe(now);
  });

  test('an overview asked before a newer event cannot move it back; one asked after a restore does', async () => {
    const status = await startStatus();
    app.fake.cluster = { ...app.fake.cluster, revision: 40 };
    let release: () => void = () => undefined;
    const overview = app.fake.api.cluster.overview;
    app.fake.api.cluster.overview = (args) => new Promise((resolve) => (release = () => void overview(args).then(resolve)));
    const slow = status.poll();
    status.observeRevision('local', 500);
    release();
    await slow;
    expect(status.revision, 'the stale answer (40) lost to the event seen after it was asked (500)').toBe(500);

    app.fake.api.cluster.overview = overview;
    await status.poll();
    expect(status.revision, 'nothing newer since: the store went back, as after a restore').toBe(40);
  });
});

describe('status bar leader', () => {
  test('keeps the last known leader, marked, while the cluster elects, and checks again soon until one is named', async () => {
    const status = await startStatus();
    expect(status.leaderName).toBe('member-1');
    vi.useFakeTimers();
    app.fake.cluster = { ...app.fake.cluster, leaderId: null };
    await status.poll();
    expect(status.leaderName).toBe('member-1');
    expect(status.leaderStale).toBe('electing');
    const asked = app.fake.callsOf('cluster', 'overview').length;

    app.fake.cluster = { ...app.fake.cluster, leaderId: '2' };
    await vi.advanceTimersByTimeAsync(electionRecheckMs);
    expect(app.fake.callsOf('cluster', 'overview'), 'one early check, not the regular 5 s wait').toHaveLength(asked + 1);
    expect(status.leaderName).toBe('member-2');
    expect(status.leaderStale).toBeNull();
  });

  test('early checks stop after a few in a row (no added load while a cluster has no leader for long)', async () => {
    const status = await startStatus();
    vi.useFakeTimers();
    app.fake.cluster = { ...app.fake.cluster, leaderId: null };
    const asked = app.fake.callsOf('cluster', 'overview').length;
    await status.poll();
    await vi.advanceTimersByTimeAsync(electionRecheckMs * (electionRechecksMax + 5));
    expect(app.fake.callsOf('cluster', 'overview')).toHaveLength(asked + 1 + electionRechecksMax);
  });

  test('an unreachable cluster keeps the last known leader, marked as such', async () => {
    const status = await startStatus();
    app.fake.fail('cluster', 'overview', { code: 'unavailable', message: 'no endpoint answered' });
    await status.poll();
    expect(status.reachable).toBe(false);
    expect(status.leaderName).toBe('member-1');
    expect(status.leaderStale).toBe('unreachable');
  });

  test('a switch to another connection forgets the previous cluster\'s leader and revision', async () => {
    const status = await startStatus();
    app.fake.connections = [...app.fake.connections, fakeConnection({ id: 'staging', name: 'Staging' })];
    const connections = useConnectionsStore();
    await connections.load();
    app.fake.fail('cluster', 'overview', { code: 'unavailable', message: 'no endpoint answered' });
    connections.select('staging');
    status.reset();
    await settle();
    expect(status.leaderName).toBeNull();
    expect(status.leaderStale).toBeNull();
    expect(status.revision).toBeNull();
  });

  test('the bar shows the last leader with "electing…" during an election, and the term once a leader is named', async () => {
    const status = await startStatus();
    const bar = mount(StatusBar, { global: { plugins: [app.pinia] } });
    const leader = () => bar.get('[data-testid="status-leader"]').text().replace(/\u00a0/g, ' ');
    expect(leader()).toBe('Leader: member-1 (term 3)');
    app.fake.cluster = { ...app.fake.cluster, leaderId: null };
    await status.poll();
    await settle(1);
    expect(leader()).toBe('Leader: member-1 · electing…');
    expect(bar.get('[data-testid="status-leader"]').attributes('title')).toContain('member-1 led last');
    expect(bar.get('[data-testid="status-revision"]').text()).toBe(`Revision: ${app.fake.keyspace.revision}`);
    bar.unmount();
  });
});
