import type { VueWrapper } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { CairnApi } from '../../../electron/common/contract.ts';
import { setApi } from '../api/index.ts';
import { mountCluster, unmountScreens } from '../testing/mount-screen.ts';
import { settle, startTestApp, type TestApp } from '../testing/setup.ts';

let app: TestApp;

beforeEach(async () => {
  app = await startTestApp();
});
afterEach(unmountScreens);

async function openWizard(view: VueWrapper): Promise<VueWrapper['element'] & { text: () => string }> {
  await view.get('[data-testid="open-tls-wizard"]').trigger('click');
  await settle();
  return view.get('[data-testid="tls-wizard"]') as never;
}

describe('TLS wizard of the local cluster', () => {
  test('it is reached from the Cluster screen, explains the steps, shows each step, and ends with where the files are', async () => {
    const view = await mountCluster(app);
    expect(view.get('[data-testid="local-tls-state"]').text()).toBe('plain http');
    expect(view.get('[data-testid="open-tls-wizard"]').text()).toBe('Secure with TLS…');
    await openWizard(view);
    const dialog = () => view.get('[role="dialog"]');
    expect(dialog().text()).toContain('Make certificates.');
    expect(dialog().text()).toContain('Restart the members one at a time');
    expect(app.fake.callsOf('localCluster', 'setTls'), 'nothing happens before the user starts it').toEqual([]);
    await view.get('[data-testid="tls-wizard-start"]').trigger('click');
    await settle();
    expect(app.fake.callsOf('localCluster', 'setTls')).toEqual([{ enabled: true, operationId: expect.stringMatching(/^tls-/) }]);
    const files = view.get('[data-testid="tls-files"]');
    expect(files.findAll('tbody tr')).toHaveLength(8);
    expect(files.text()).toContain('/tmp/fake/local-tls/client-key.pem');
    expect(dialog().text()).toContain('--cacert /tmp/fake/local-tls/ca.pem');
    expect(dialog().text()).toContain('--cert /tmp/fake/local-tls/client.pem');
    expect(dialog().text()).toContain('--key /tmp/fake/local-tls/client-key.pem');
    expect(dialog().text()).toContain('/tmp/fake/local-tls');
    expect(view.get('[data-testid="local-tls-state"]').text()).toBe('🔒 TLS');
    await view.get('[data-testid="tls-wizard-close"]').trigger('click');
    expect(view.find('[data-testid="tls-wizard"]').exists()).toBe(false);
  });

  test('while it runs, every step main reports is listed, finished ones ticked', async () => {
    const view = await mountCluster(app);
    await openWizard(view);
    // Hold the call open so the progress page can be looked at mid-way.
    let release: () => void = () => undefined;
    const fake = app.fake.api;
    const heldSetTls: CairnApi['localCluster']['setTls'] = (args) => new Promise((resolve) => {
      app.fake.emitProgress({ operationId: args.operationId, kind: 'tls', phase: 'running', step: 'Making a certificate authority', bytesDone: 0, bytesTotal: null });
      app.fake.emitProgress({ operationId: args.operationId, kind: 'tls', phase: 'running', step: 'Restarting member-1', bytesDone: 0, bytesTotal: null });
      app.fake.emitProgress({ operationId: 'someone-else', kind: 'tls', phase: 'running', step: 'Not ours', bytesDone: 0, bytesTotal: null });
      release = () => void fake.localCluster.setTls(args).then(resolve);
    });
    setApi(new Proxy(fake, {
      get: (target, service: keyof CairnApi) => service !== 'localCluster' ? target[service] : new Proxy(target.localCluster, {
        get: (inner, method: keyof CairnApi['localCluster']) => (method === 'setTls' ? heldSetTls : inner[method]),
      }),
    }));
    await view.get('[data-testid="tls-wizard-start"]').trigger('click');
    await settle();
    const steps = view.get('[data-testid="tls-steps"]').findAll('li');
    expect(steps.map((step) => [step.text(), step.classes()[0]])).toEqual([
      ['✓Making a certificate authority', 'done'],
      ['Restarting member-1', 'running'],
    ]);
    const close = view.findAll('[role="dialog"] footer button').at(-1)!;
    expect(close.text()).toBe('Working…');
    expect(close.attributes('disabled'), 'the dialog stays while members restart').toBeDefined();
    release();
    await settle();
    expect(view.find('[data-testid="tls-done"]').exists()).toBe(true);
  });

  test('a failure is explained in plain words and can be retried', async () => {
    app.fake.fail('localCluster', 'setTls', { code: 'unavailable', message: 'The local cluster could not switch to TLS: member-2 was not healthy within 30000 ms.' });
    const view = await mountCluster(app);
    await openWizard(view);
    await view.get('[data-testid="tls-wizard-start"]').trigger('click');
    await settle();
    const failure = view.get('[data-testid="tls-error"]');
    expect(failure.text()).toContain('The cluster could not be secured.');
    expect(failure.text()).toContain('member-2 was not healthy within 30000 ms');
    expect(failure.text()).toContain('Trying again continues where this stopped');
    app.fake.fail('localCluster', 'setTls', undefined);
    await view.findAll('[role="dialog"] footer button').find((button) => button.text() === 'Try again')!.trigger('click');
    await settle();
    expect(app.fake.callsOf('localCluster', 'setTls')).toHaveLength(2);
    expect(view.find('[data-testid="tls-done"]').exists()).toBe(true);
  });

  test('with TLS on it opens on the files and can turn TLS off', async () => {
    app.fake.local = { ...app.fake.local, tls: true };
    await app.fake.api.localCluster.setTls({ enabled: true, operationId: 'setup' });
    const view = await mountCluster(app);
    expect(view.get('[data-testid="open-tls-wizard"]').text()).toBe('TLS settings…');
    await openWizard(view);
    expect(view.find('[data-testid="tls-files"]').exists()).toBe(true);
    await view.get('[data-testid="tls-disable"]').trigger('click');
    await settle();
    expect(app.fake.callsOf('localCluster', 'setTls').at(-1)).toEqual({ enabled: false, operationId: expect.stringMatching(/^tls-/) });
    expect(view.get('[data-testid="tls-wizard-start"]').text(), 'back on the plan').toBe('Secure the cluster');
  });
});
