import { mount, type VueWrapper } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import App from './App.vue';
import { useKeyEditorStore } from './stores/key-editor.ts';
import { useStatusStore } from './stores/status.ts';
import { useUiStore, type ViewName } from './stores/ui.ts';
import { useWatchStore } from './stores/watch.ts';
import { FakeMonaco } from './testing/fake-monaco.ts';
import { settle, startTestApp, type TestApp } from './testing/setup.ts';

let app: TestApp;
let wrapper: VueWrapper | undefined;

beforeEach(async () => {
  app = await startTestApp();
  app.fake.keyspace.put('/app/config.json', '{"a":1}');
});
afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
  useStatusStore().dispose();
});

async function mountApp(): Promise<VueWrapper> {
  wrapper = mount(App, { global: { plugins: [app.pinia], stubs: { MonacoEditor: FakeMonaco } }, attachTo: document.body });
  await settle();
  return wrapper;
}

/** Presses a key as the user does: on the focused element (or the page), bubbling up to the window. */
async function press(key: string, held: KeyboardEventInit = {}, target: EventTarget = document.body): Promise<KeyboardEvent> {
  const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...held });
  target.dispatchEvent(event);
  await settle();
  return event;
}

/** The palette's entries as "label | hint". */
async function paletteEntries(view: VueWrapper): Promise<string[]> {
  await press('k', { ctrlKey: true });
  const entries = view.findAll('#palette-list li[role="option"]').map((item) => item.findAll('span').map((span) => span.text()).join(' | '));
  await press('k', { ctrlKey: true });
  return entries;
}

describe('keyboard shortcuts', () => {
  test('Ctrl+K opens the palette, which lists the screen\'s commands with their shortcuts before navigation', async () => {
    const view = await mountApp();
    const entries = await paletteEntries(view);
    expect(entries.slice(0, 3)).toEqual(['New key… | N', 'Refresh keys | R', 'Search keys by prefix | /']);
    expect(entries, 'nothing to save yet').not.toContain('Save key | Ctrl+S');
    expect(entries).toContain('Go to Keys | Alt+1');
    expect(entries).toContain('Go to Connections | Alt+8');
    expect(view.find('#palette-list').exists(), 'Ctrl+K again closed it').toBe(false);
  });

  test.each<[ViewName, string[]]>([
    ['watch', ['Start watching | Ctrl+Enter']],
    ['leases', ['Grant a lease… | N', 'Refresh leases | R']],
    ['cluster', ['Refresh members | R', 'Add member… | N']],
    ['maintenance', ['Refresh endpoint status and alarms | R']],
    ['snapshots', ['Refresh the snapshot library | R', 'Take a snapshot | ', 'Restore from a file… | ']],
    ['auth', ['Refresh users and roles | R', 'New user… | N']],
    ['connections', ['Add a connection… | N']],
  ])('the %s screen lists its commands in the palette', async (screen, expected) => {
    const view = await mountApp();
    useUiStore().show(screen);
    await settle();
    const entries = await paletteEntries(view);
    expect(entries.slice(0, expected.length)).toEqual(expected);
  });

  test('N opens the new key dialog, R reloads the keys, / focuses the search; letters typed in a field stay text', async () => {
    const view = await mountApp();
    const search = view.get<HTMLInputElement>('[data-testid="key-search"]');
    await press('n', {}, search.element);
    expect(view.find('[data-testid="new-key-name"]').exists(), 'typing "n" in the search box is just typing').toBe(false);

    await press('/');
    expect(document.activeElement).toBe(search.element);

    const reads = () => app.fake.calls.filter((call) => call.service === 'keys' && (call.method === 'tree' || call.method === 'list')).length;
    const before = reads();
    await press('r');
    expect(reads(), 'R reloaded the keys').toBeGreaterThan(before);

    await press('n');
    expect(view.find('[data-testid="new-key-name"]').exists()).toBe(true);
    const beforeDialog = reads();
    await press('r', {}, document.body);
    expect(reads(), 'no screen shortcut while a dialog is open').toBe(beforeDialog);
  });

  test('Ctrl+S saves the open key from anywhere on the screen; with nothing to save it still keeps the browser\'s Save page away', async () => {
    await mountApp();
    const editor = useKeyEditorStore();
    await editor.open(new TextEncoder().encode('/app/config.json'));
    await settle();

    const idle = await press('s', { ctrlKey: true });
    expect(idle.defaultPrevented).toBe(true);
    expect(app.fake.callsOf('keys', 'put')).toEqual([]);

    editor.draft = '{"a":2}';
    await press('s', { ctrlKey: true });
    expect(app.fake.callsOf('keys', 'put')).toHaveLength(1);
    expect(new TextDecoder().decode(app.fake.keyspace.keys.get('/app/config.json')!.value)).toBe('{"a":2}');
    expect(useUiStore().toasts.at(-1)?.message).toMatch(/^Saved \/app\/config\.json at revision \d+\.$/);
  });

  test('P pauses and resumes the watch on the Watch screen, and only there', async () => {
    await mountApp();
    const watch = useWatchStore();
    await press('p');
    expect(watch.paused, 'not on the Keys screen').toBe(false);
    useUiStore().show('watch');
    await settle();
    await press('Enter', { ctrlKey: true });
    expect(watch.state).toBe('live');
    await press('p');
    expect(watch.paused).toBe(true);
    await press('p');
    expect(watch.paused).toBe(false);
  });

  test('Alt+digit switches screens', async () => {
    await mountApp();
    await press('3', { altKey: true, code: 'Digit3' });
    expect(useUiStore().view).toBe('leases');
  });
});
