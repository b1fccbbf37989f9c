import { mount, type VueWrapper } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { SnapshotScheduleState } from '../../../electron/common/contract.ts';
import { useUiStore } from '../stores/ui.ts';
import { settle, startTestApp, type TestApp } from '../testing/setup.ts';
import SnapshotSchedule from './SnapshotSchedule.vue';

let app: TestApp;
let wrapper: VueWrapper | undefined;

beforeEach(async () => {
  app = await startTestApp();
});
afterEach(() => wrapper?.unmount());

async function mountSchedule(): Promise<VueWrapper> {
  wrapper = mount(SnapshotSchedule, { global: { plugins: [app.pinia] }, attachTo: document.body });
  await settle();
  return wrapper;
}

/** A schedule of the local cluster as main would report it. */
function localSchedule(overrides: Partial<SnapshotScheduleState> = {}): SnapshotScheduleState {
  return {
    connectionId: 'local', schedule: { enabled: true, intervalMinutes: 90, keep: 5 }, nextRunAt: new Date(Date.now() + 30 * 60_000).toISOString(),
    running: false, lastRun: null, snapshotIds: [], ...overrides,
  };
}

const field = (view: VueWrapper, name: string) => view.get(`[data-testid="schedule-${name}"]`);
const saveButton = (view: VueWrapper) => field(view, 'save');
const setSchedules = (app: TestApp) => app.fake.callsOf('maintenance', 'setSchedule');

describe('SnapshotSchedule', () => {
  test('without a schedule it offers hourly, keep 24, explains who runs it, and saves exactly that', async () => {
    const view = await mountSchedule();
    expect((field(view, 'every').element as HTMLInputElement).value).toBe('1');
    expect((field(view, 'unit').element as HTMLSelectElement).value).toBe('hours');
    expect((field(view, 'keep').element as HTMLInputElement).value).toBe('24');
    expect(view.text()).toContain('Cairn takes the snapshots itself while it runs');
    expect(view.find('[data-testid="schedule-status"]').exists()).toBe(false);
    expect(saveButton(view).attributes('disabled')).toBeUndefined();

    await view.get('form').trigger('submit');
    await settle();
    expect(setSchedules(app)).toEqual([{ connectionId: 'local', schedule: { enabled: true, intervalMinutes: 60, keep: 24 } }]);
    expect(view.get('[data-testid="schedule-next"]').text()).toMatch(/\(in 60 minutes\)$/);
    expect(view.get('[data-testid="schedule-last"]').text()).toBe('not yet');
    expect(view.text()).toContain('0 of 24');
    expect(view.find('.badge.ok').text()).toBe('on');
    expect(saveButton(view).attributes('disabled'), 'nothing left to save').toBeDefined();
    expect(useUiStore().toasts.at(-1)?.message).toBe('Snapshot schedule saved.');
  });

  test('a schedule main already runs fills the form: 90 minutes stays in minutes, with its next run and last failure in words', async () => {
    app.fake.schedules = [localSchedule({
      lastRun: { at: '2026-11-23T10:00:00.000Z', ok: false, snapshotId: null, message: 'No member answered: connection refused' },
      snapshotIds: ['a', 'b'],
    })];
    const view = await mountSchedule();
    expect((field(view, 'every').element as HTMLInputElement).value).toBe('90');
    expect((field(view, 'unit').element as HTMLSelectElement).value).toBe('minutes');
    expect((field(view, 'keep').element as HTMLInputElement).value).toBe('5');
    expect(saveButton(view).attributes('disabled'), 'unchanged').toBeDefined();
    expect(view.get('[data-testid="schedule-next"]').text()).toMatch(/\(in 30 minutes\)$/);
    const last = view.get('[data-testid="schedule-last"]');
    expect(last.classes()).toContain('failed');
    expect(last.text()).toContain('Failed: No member answered: connection refused');
    expect(view.text()).toContain('2 of 5');
  });

  test('values main would refuse are explained and cannot be saved', async () => {
    const view = await mountSchedule();
    await field(view, 'every').setValue('0');
    expect(view.get('.field-error').text()).toBe('The interval must be a whole number, at least 1.');
    expect(saveButton(view).attributes('disabled')).toBeDefined();
    await field(view, 'every').setValue('32');
    await field(view, 'unit').setValue('hours');
    expect(view.find('.field-error').exists()).toBe(false);
    await field(view, 'every').setValue('745');
    expect(view.get('.field-error').text()).toBe('The interval can be at most 31 days.');
    await field(view, 'every').setValue('2');
    await field(view, 'keep').setValue('1001');
    expect(view.get('.field-error').text()).toBe('Keep between 1 and 1,000 snapshots.');
    await view.get('form').trigger('submit');
    await settle();
    expect(setSchedules(app)).toEqual([]);
  });

  test('pausing keeps the schedule but says there is no next run; removing it goes back to the explanation', async () => {
    app.fake.schedules = [localSchedule()];
    const view = await mountSchedule();
    await field(view, 'enabled').setValue(false);
    await view.get('form').trigger('submit');
    await settle();
    expect(setSchedules(app).at(-1)).toEqual({ connectionId: 'local', schedule: { enabled: false, intervalMinutes: 90, keep: 5 } });
    expect(view.get('[data-testid="schedule-next"]').text()).toBe('none: the schedule is paused');
    expect(view.get('.schedule-header .badge').text()).toBe('paused');
    expect(useUiStore().toasts.at(-1)?.message).toBe('Snapshot schedule paused.');

    await view.findAll('button').find((button) => button.text() === 'Remove schedule')!.trigger('click');
    await settle();
    expect(setSchedules(app).at(-1)).toEqual({ connectionId: 'local', schedule: null });
    expect(view.find('[data-testid="schedule-status"]').exists()).toBe(false);
    expect(view.text()).toContain('Cairn takes the snapshots itself while it runs');
    expect(useUiStore().toasts.at(-1)?.message).toBe('Snapshot schedule removed.');
  });

  test('a run main starts shows while it runs; when it ends the snapshot list is read again', async () => {
    app.fake.schedules = [localSchedule()];
    const view = await mountSchedule();
    app.fake.emitSchedule(localSchedule({ running: true }));
    await settle();
    expect(view.get('[data-testid="schedule-running"]').text()).toBe('taking a snapshot…');
    const listsBefore = app.fake.callsOf('maintenance', 'listSnapshots').length;
    app.fake.emitSchedule(localSchedule({
      lastRun: { at: '2026-11-23T10:05:00.000Z', ok: true, snapshotId: 's1', message: 'Saved s1.db (revision 12).' }, snapshotIds: ['s1'],
    }));
    await settle();
    expect(view.find('[data-testid="schedule-running"]').exists()).toBe(false);
    expect(view.get('[data-testid="schedule-last"]').text()).toContain('✓ Saved s1.db (revision 12).');
    expect(app.fake.callsOf('maintenance', 'listSnapshots').length).toBe(listsBefore + 1);
  });

  test('a refused save is reported in words and the form keeps what the user typed', async () => {
    app.fake.fail('maintenance', 'setSchedule', { code: 'invalid-argument', message: 'schedule.keep must be at most 1000' });
    const view = await mountSchedule();
    await field(view, 'every').setValue('15');
    await field(view, 'unit').setValue('minutes');
    await view.get('form').trigger('submit');
    await settle();
    expect(useUiStore().toasts.at(-1)).toMatchObject({ kind: 'error', message: 'The schedule was not saved: schedule.keep must be at most 1000' });
    expect((field(view, 'every').element as HTMLInputElement).value).toBe('15');
    expect((field(view, 'unit').element as HTMLSelectElement).value).toBe('minutes');
    expect(saveButton(view).attributes('disabled')).toBeUndefined();
  });

  test('a schedule list main cannot read is said so', async () => {
    app.fake.fail('maintenance', 'schedules', { code: 'internal', message: 'snapshot-schedules.json is not valid JSON' });
    const view = await mountSchedule();
    expect(view.text()).toContain('The schedules could not be read: snapshot-schedules.json is not valid JSON');
  });
});
