import { mount, type VueWrapper } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { valueBytesDefault } from '../../../electron/common/limits.ts';
import { useKeyEditorStore } from '../stores/key-editor.ts';
import { FakeMonaco } from '../testing/fake-monaco.ts';
import { settle, startTestApp, type TestApp } from '../testing/setup.ts';
import KeyEditor from './KeyEditor.vue';

const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);
const stored = (key: string): string => new TextDecoder().decode(app.fake.keyspace.keys.get(key)!.value);
let app: TestApp;
let wrapper: VueWrapper | undefined;

beforeEach(async () => {
  app = await startTestApp();
});
afterEach(() => wrapper?.unmount());

async function openKey(key: string): Promise<VueWrapper> {
  wrapper = mount(KeyEditor, { global: { plugins: [app.pinia], stubs: { MonacoEditor: FakeMonaco } } });
  await useKeyEditorStore().open(bytes(key));
  await settle();
  return wrapper;
}

const saveButton = (view: VueWrapper) => view.get('[data-testid="save-key"]');

describe('KeyEditor', () => {
  test('an edit marks the key unsaved and Save writes it', async () => {
    app.fake.keyspace.put('/app/config.json', '{"replicas": 3}');
    const view = await openKey('/app/config.json');
    expect(view.get('[data-testid="editor-key"]').text()).toBe('/app/config.json');
    expect((view.get('[data-testid="format-select"]').element as HTMLSelectElement).value).toBe('json');
    expect(saveButton(view).attributes('disabled')).toBeDefined();
    await view.get('[data-testid="value-editor"]').setValue('{"replicas": 5}');
    expect(view.find('[data-testid="unsaved"]').exists()).toBe(true);
    await saveButton(view).trigger('click');
    await settle();
    expect(stored('/app/config.json')).toBe('{"replicas": 5}');
    expect(view.find('[data-testid="unsaved"]').exists()).toBe(false);
  });

  test('a conflicting save shows theirs against mine in the diff editor; "Save mine over theirs" wins', async () => {
    app.fake.keyspace.put('/k', 'base');
    const view = await openKey('/k');
    app.fake.keyspace.put('/k', 'theirs');
    await view.get('[data-testid="value-editor"]').setValue('mine');
    await saveButton(view).trigger('click');
    await settle();
    const conflict = view.get('[data-testid="conflict"]');
    expect(conflict.text()).toMatch(/Someone else changed this key since you opened it \(now at revision \d+\)/);
    const diff = view.get('[data-testid="diff-editor"]');
    expect(diff.attributes('data-original')).toBe('theirs');
    expect((diff.element as HTMLTextAreaElement).value, 'the draft is kept').toBe('mine');
    expect(stored('/k')).toBe('theirs');
    expect(saveButton(view).attributes('disabled'), 'plain Save waits for a choice').toBeDefined();
    await view.get('[data-testid="conflict-overwrite"]').trigger('click');
    await settle();
    expect(stored('/k')).toBe('mine');
    expect(view.find('[data-testid="conflict"]').exists()).toBe(false);
    expect(view.find('[data-testid="diff-editor"]').exists()).toBe(false);
  });

  test('"Discard mine, load theirs" drops the draft and shows the server value', async () => {
    app.fake.keyspace.put('/k', 'base');
    const view = await openKey('/k');
    app.fake.keyspace.put('/k', 'theirs');
    await view.get('[data-testid="value-editor"]').setValue('mine');
    await saveButton(view).trigger('click');
    await settle();
    await view.get('[data-testid="conflict-take-theirs"]').trigger('click');
    await settle();
    expect((view.get('[data-testid="value-editor"]').element as HTMLTextAreaElement).value).toBe('theirs');
  });

  test('a binary value shows as a read-only hex dump with a badge, and becomes editable as base64', async () => {
    app.fake.keyspace.put('/bin', new Uint8Array([0, 255, 16]));
    const view = await openKey('/bin');
    expect(view.text()).toContain('binary');
    expect(view.text()).toContain('Binary value shown as a hex dump (read-only)');
    expect(view.get('[data-testid="value-editor"]').attributes('readonly')).toBeDefined();
    expect(view.find('[data-testid="format-select"]').exists(), 'no text format for binary').toBe(false);
    await view.findAll('button').find((button) => button.text() === 'Base64')!.trigger('click');
    const editor = view.get('[data-testid="value-editor"]');
    expect((editor.element as HTMLTextAreaElement).value).toBe('AP8Q');
    expect(editor.attributes('readonly')).toBeUndefined();
  });

  test('an oversized value is shown cut short and read-only until the full value is loaded', async () => {
    app.fake.keyspace.put('/big', 'x'.repeat(valueBytesDefault + 1024));
    const view = await openKey('/big');
    expect(view.text()).toMatch(/This value is 1(\.0)? MiB; only the first 1(\.0)? MiB are shown, read-only\./);
    expect(view.get('[data-testid="value-editor"]').attributes('readonly')).toBeDefined();
    await view.findAll('button').find((button) => button.text() === 'Load the full value')!.trigger('click');
    await settle();
    expect(view.text()).not.toContain('are shown, read-only');
    expect((view.get('[data-testid="value-editor"]').element as HTMLTextAreaElement).value).toHaveLength(valueBytesDefault + 1024);
  });

  test('a key deleted by someone else says so in words', async () => {
    app.fake.keyspace.put('/k', 'v');
    wrapper = mount(KeyEditor, { global: { plugins: [app.pinia], stubs: { MonacoEditor: FakeMonaco } } });
    app.fake.keyspace.remove('/k');
    await useKeyEditorStore().open(bytes('/k'));
    await settle();
    expect(wrapper.text()).toContain('This key no longer exists');
  });
});
