import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import MaintenanceView from './MaintenanceView.vue';
import { mountScreen, unmountScreens } from '../testing/mount-screen.ts';
import { startTestApp, type TestApp } from '../testing/setup.ts';

let app: TestApp;

beforeEach(async () => {
  app = await startTestApp();
});
afterEach(unmountScreens);

describe('MaintenanceView', () => {
  test('each endpoint is shown with the name of the member behind it and its role', async () => {
    const view = await mountScreen(app, MaintenanceView);
    const rows = view.findAll('tbody tr').filter((row) => row.text().includes('http://127.0.0.1:'));
    expect(rows.map((row) => row.find('.member-name').text())).toEqual(['member-1', 'member-2', 'member-3']);
    expect(rows[0]!.text()).toContain('http://127.0.0.1:2389');
    expect(rows[0]!.text()).toContain('leader');
    expect(rows[1]!.text()).toContain('follower');
  });
});
