import { mount, type VueWrapper } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { useConnectionsStore } from '../stores/connections.ts';
import { useUiStore } from '../stores/ui.ts';
import { settle, startTestApp, useProductionConnection, type TestApp } from '../testing/setup.ts';
import ConfirmDialog from './ConfirmDialog.vue';

let app: TestApp;
let wrapper: VueWrapper | undefined;

beforeEach(async () => {
  app = await startTestApp();
  wrapper = mount(ConfirmDialog, { global: { plugins: [app.pinia] }, attachTo: document.body });
});
afterEach(() => wrapper?.unmount());

const dialog = (): VueWrapper => wrapper!;
const okDisabled = (): boolean => dialog().get('[data-testid="confirm-ok"]').attributes('disabled') !== undefined;

describe('production confirmation dialog', () => {
  test('a production write waits until the exact name is typed, then resolves with what the call must carry', async () => {
    await useProductionConnection(app, 'Payments prod');
    const pending = useConnectionsStore().guardWrite('Save the value of /app/config.');
    await settle(1);
    expect(dialog().get('[role="dialog"]').attributes('aria-label')).toBe('Write to production?');
    expect(dialog().text()).toContain('Save the value of /app/config.');
    expect(dialog().text()).toContain('This connection, “Payments prod”, is tagged production.');
    expect(dialog().text()).toContain('Type Payments prod to confirm');
    expect(okDisabled()).toBe(true);
    await dialog().get('[data-testid="confirm-type"]').setValue('payments prod');
    expect(okDisabled(), 'the name is matched exactly').toBe(true);
    await dialog().get('[data-testid="confirm-type"]').setValue('Payments prod');
    expect(okDisabled()).toBe(false);
    await dialog().get('form').trigger('submit');
    expect(await pending).toEqual({ connectionId: 'prod', productionConfirmation: 'Payments prod' });
    await settle(1);
    expect(dialog().find('[role="dialog"]').exists()).toBe(false);
  });

  test('Enter in the box does not confirm a wrong name; Cancel declines', async () => {
    await useProductionConnection(app);
    const pending = useConnectionsStore().guardWrite('Delete /x.');
    await settle(1);
    await dialog().get('[data-testid="confirm-type"]').setValue('Payments');
    await dialog().get('form').trigger('submit');
    expect(useUiStore().pendingConfirm, 'still asking').toBeDefined();
    await dialog().findAll('button').find((button) => button.text() === 'Cancel')!.trigger('click');
    expect(await pending).toBeNull();
  });

  test('Escape declines, and the typed text does not carry over to the next question', async () => {
    await useProductionConnection(app);
    const first = useConnectionsStore().guardWrite('One.');
    await settle(1);
    await dialog().get('[data-testid="confirm-type"]').setValue('Payments prod');
    await dialog().get('[role="dialog"]').trigger('keydown', { key: 'Escape' });
    expect(await first).toBeNull();
    void useConnectionsStore().guardWrite('Two.');
    await settle(1);
    expect((dialog().get('[data-testid="confirm-type"]').element as HTMLInputElement).value).toBe('');
    expect(okDisabled()).toBe(true);
    useUiStore().answer(false);
  });

  test('other connections write without asking', async () => {
    expect(await useConnectionsStore().guardWrite('Save.')).toEqual({ connectionId: 'local' });
    expect(dialog().find('[role="dialog"]').exists()).toBe(false);
  });
});
