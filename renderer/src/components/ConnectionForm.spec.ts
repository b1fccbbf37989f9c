import { mount, type VueWrapper } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { settle, startTestApp, type TestApp } from '../testing/setup.ts';
import ConnectionForm from './ConnectionForm.vue';

let app: TestApp;
let wrapper: VueWrapper | undefined;

beforeEach(async () => {
  app = await startTestApp();
  wrapper = mount(ConnectionForm, { props: { existing: null }, global: { plugins: [app.pinia] } });
});
afterEach(() => wrapper?.unmount());

const form = (): VueWrapper => wrapper!;
const disabled = (testId: string): boolean => form().get(`[data-testid="${testId}"]`).attributes('disabled') !== undefined;

describe('ConnectionForm', () => {
  test('save waits for a name and at least one well-formed endpoint', async () => {
    expect(disabled('connection-save')).toBe(true);
    expect(disabled('connection-test')).toBe(true);
    await form().get('[data-testid="connection-name"]').setValue('Payments');
    expect(disabled('connection-save')).toBe(true);
    await form().get('[data-testid="connection-endpoints"]').setValue('10.0.0.5:2379\nnot an endpoint');
    expect(form().text()).toContain('“not” is not an endpoint like host:2379 or https://host:2379.');
    expect(disabled('connection-save')).toBe(true);
    await form().get('[data-testid="connection-endpoints"]').setValue('10.0.0.5:2379\nhttps://etcd-2.example.com:2379\n[::1]:2379');
    expect(form().find('.field-error').exists()).toBe(false);
    expect(disabled('connection-save')).toBe(false);
  });

  test('tagging it production says that every write will ask for its name', async () => {
    expect(form().text()).not.toContain('asks you to type its name');
    await form().get('[data-testid="connection-environment"]').setValue('production');
    expect(form().text()).toContain('Every write to a production connection asks you to type its name first.');
  });

  test('"Test connection" sends the draft and reports the result in words; failures come with a hint', async () => {
    await form().get('[data-testid="connection-endpoints"]').setValue('127.0.0.1:2379');
    await form().get('[data-testid="connection-test"]').trigger('click');
    await settle();
    expect(app.fake.callsOf('connections', 'test')).toEqual([{ draft: expect.objectContaining({ endpoints: ['127.0.0.1:2379'] }) }]);
    expect(form().get('[data-testid="connection-test-report"]').text()).toMatch(/Connected to 127\.0\.0\.1:2379 in 3 ms: etcd 3\.5\.0, 3 members, authentication off\./);
    app.fake.testReport = { ok: false, failures: [{ kind: 'connection-refused', endpoint: '127.0.0.1:2379', message: 'Nothing listens on 127.0.0.1:2379.', hint: 'Is etcd running?', detail: 'connect ECONNREFUSED 127.0.0.1:2379' }] };
    await form().get('[data-testid="connection-test"]').trigger('click');
    await settle();
    expect(form().get('[data-testid="connection-test-report"]').text()).toContain('Nothing listens on 127.0.0.1:2379.');
    expect(form().get('[data-testid="connection-test-report"]').text()).toContain('Is etcd running?');
  });

  test('a saved connection is added through the store and handed back', async () => {
    await form().get('[data-testid="connection-name"]').setValue('  Staging  ');
    await form().get('[data-testid="connection-endpoints"]').setValue('10.0.0.5:2379');
    await form().get('form').trigger('submit');
    await settle();
    expect(app.fake.callsOf('connections', 'add')).toEqual([{ draft: expect.objectContaining({ name: 'Staging', endpoints: ['10.0.0.5:2379'], environment: 'development', tls: null }) }]);
    expect(form().emitted('done')?.[0]?.[0]).toMatchObject({ name: 'Staging' });
  });
});
