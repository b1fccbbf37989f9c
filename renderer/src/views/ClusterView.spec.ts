import type { VueWrapper } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { useUiStore } from '../stores/ui.ts';
import { fakeMember } from '../testing/fake-api.ts';
import { mountCluster, unmountScreens } from '../testing/mount-screen.ts';
import { settle, startTestApp, type TestApp } from '../testing/setup.ts';

let app: TestApp;

beforeEach(async () => {
  app = await startTestApp();
});
afterEach(unmountScreens);

const memberRow = (view: VueWrapper, name: string) => view.get(`[data-testid="members-table"] tr[data-member="${name}"]`);
const button = (view: VueWrapper, text: string) => view.findAll('button').find((candidate) => candidate.text() === text)!;

describe('ClusterView', () => {
  test('the members table shows each member with one leader badge, health, raft state and URLs', async () => {
    const view = await mountCluster(app);
    expect(view.findAll('[data-testid="members-table"] tbody tr')).toHaveLength(3);
    expect(view.findAll('[data-testid="leader-badge"]')).toHaveLength(1);
    const leader = memberRow(view, 'member-1');
    expect(leader.text()).toContain('★ leader');
    expect(leader.text()).toContain('healthy');
    expect(leader.text()).toContain('3.5.0');
    expect(memberRow(view, 'member-2').text()).toContain('follower');
    expect(memberRow(view, 'member-2').text()).toContain('Make leader');
    expect(leader.text(), 'the leader cannot be made leader').not.toContain('Make leader');
  });

  test('"Make leader" moves leadership and the badge follows, while the rows stay where they were', async () => {
    app.fake.cluster = { ...app.fake.cluster, members: [...app.fake.cluster.members].reverse() };
    const view = await mountCluster(app);
    const order = () => view.findAll('[data-testid="members-table"] tbody tr').map((row) => row.attributes('data-member'));
    expect(order()).toEqual(['member-1', 'member-2', 'member-3']);
    await memberRow(view, 'member-2').findAll('button').find((candidate) => candidate.text() === 'Make leader')!.trigger('click');
    await settle();
    expect(app.fake.callsOf('cluster', 'moveLeader')).toEqual([expect.objectContaining({ id: '2' })]);
    expect(memberRow(view, 'member-2').find('[data-testid="leader-badge"]').exists()).toBe(true);
    expect(useUiStore().toasts.at(-1)?.message).toBe('Leadership moved to member-2.');
    expect(order()).toEqual(['member-1', 'member-2', 'member-3']);
  });

  test('a learner is marked and can be promoted; a member can be removed after confirmation', async () => {
    app.fake.cluster = { ...app.fake.cluster, members: [...app.fake.cluster.members, fakeMember('4', 'member-4', '1', true)] };
    const view = await mountCluster(app);
    expect(memberRow(view, 'member-4').text()).toContain('learner');
    await memberRow(view, 'member-4').findAll('button').find((candidate) => candidate.text() === 'Promote')!.trigger('click');
    await settle();
    expect(memberRow(view, 'member-4').text()).toContain('follower');
    await memberRow(view, 'member-4').findAll('button').find((candidate) => candidate.text() === 'Remove')!.trigger('click');
    await settle();
    expect(useUiStore().pendingConfirm?.title).toBe('Remove member');
    useUiStore().answer(true);
    await settle();
    expect(view.find('tr[data-member="member-4"]').exists()).toBe(false);
  });

  test('a learner that has not started yet cannot be promoted, and the button says why', async () => {
    app.fake.cluster = { ...app.fake.cluster, members: [...app.fake.cluster.members, { id: '5', name: '', peerUrls: ['http://10.0.0.5:2380'], clientUrls: [], isLearner: true, status: null }] };
    const view = await mountCluster(app);
    const row = view.get('tr[data-member=""]');
    expect(row.text()).toContain('(not started)');
    expect(row.text()).toContain('not started');
    const promote = row.findAll('button').find((candidate) => candidate.text() === 'Promote')!;
    expect(promote.attributes('disabled')).toBeDefined();
    expect(promote.attributes('title')).toMatch(/^Start this member first/);
  });

  test('with no leader the screen says writes are impossible', async () => {
    app.fake.cluster = { ...app.fake.cluster, leaderId: null };
    const view = await mountCluster(app);
    expect(view.text()).toContain('No leader: the cluster cannot accept writes');
  });

  test('the add-member dialog explains the steps, checks the peer URLs, and adds a learner', async () => {
    const view = await mountCluster(app);
    await button(view, 'Add member…').trigger('click');
    const dialog = view.get('[role="dialog"]');
    expect(dialog.text()).toContain('--initial-cluster-state existing');
    const submit = () => dialog.findAll('button').find((candidate) => candidate.text() === 'Add member')!;
    expect(submit().attributes('disabled'), 'nothing to add yet').toBeDefined();
    await dialog.get('input.mono').setValue('10.0.0.4');
    expect(dialog.text()).toContain('“10.0.0.4” is not a peer URL like http://host:2380.');
    expect(submit().attributes('disabled')).toBeDefined();
    await dialog.get('input.mono').setValue('http://10.0.0.4:2380');
    expect(dialog.find('.field-error').exists()).toBe(false);
    await dialog.get('form').trigger('submit');
    await settle();
    expect(app.fake.callsOf('cluster', 'addMember')).toEqual([expect.objectContaining({ peerUrls: ['http://10.0.0.4:2380'], isLearner: true })]);
    expect(view.find('[role="dialog"]').exists(), 'the dialog closes on success').toBe(false);
    expect(view.text()).toContain('(not started)');
  });

  test('a refused add keeps the dialog open and says why', async () => {
    app.fake.fail('cluster', 'addMember', { code: 'etcd', message: 'The peer URL is already used by another member.' });
    const view = await mountCluster(app);
    await button(view, 'Add member…').trigger('click');
    await view.get('[role="dialog"] input.mono').setValue('http://127.0.0.1:2390');
    await view.get('[role="dialog"] form').trigger('submit');
    await settle();
    expect(view.find('[role="dialog"]').exists()).toBe(true);
    expect(useUiStore().toasts.at(-1)).toMatchObject({ kind: 'error', message: 'The peer URL is already used by another member.' });
  });
});
