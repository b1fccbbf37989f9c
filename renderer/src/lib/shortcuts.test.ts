import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasModifier, matchesShortcut, shortcutLabel, type ShortcutEvent } from './shortcuts.ts';

const press = (key: string, held: Partial<Omit<ShortcutEvent, 'key'>> = {}): ShortcutEvent => ({ key, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...held });

test('Mod is Ctrl elsewhere and Cmd on macOS, and the other one must not be held', () => {
  assert.equal(matchesShortcut(press('s', { ctrlKey: true }), 'Mod+S', false), true);
  assert.equal(matchesShortcut(press('s', { metaKey: true }), 'Mod+S', false), false);
  assert.equal(matchesShortcut(press('s', { metaKey: true }), 'Mod+S', true), true);
  assert.equal(matchesShortcut(press('s', { ctrlKey: true }), 'Mod+S', true), false);
  assert.equal(matchesShortcut(press('s'), 'Mod+S', false), false);
});

test('a letter matches only without modifiers, in either case of Caps Lock, and Shift is exact', () => {
  assert.equal(matchesShortcut(press('r'), 'R', false), true);
  assert.equal(matchesShortcut(press('R'), 'R', false), true);
  assert.equal(matchesShortcut(press('r', { ctrlKey: true }), 'R', false), false, 'Ctrl+R reloads the page; it is not R');
  assert.equal(matchesShortcut(press('R', { shiftKey: true }), 'R', false), false);
  assert.equal(matchesShortcut(press('N', { shiftKey: true }), 'Shift+N', false), true);
});

test('a printed symbol matches whatever Shift it takes on the layout', () => {
  assert.equal(matchesShortcut(press('/'), '/', false), true);
  assert.equal(matchesShortcut(press('?', { shiftKey: true }), '?', false), true);
});

test('labels follow the platform; modifiers allow a shortcut while typing', () => {
  assert.equal(shortcutLabel('Mod+S', false), 'Ctrl+S');
  assert.equal(shortcutLabel('Mod+S', true), '⌘S');
  assert.equal(shortcutLabel('Mod+Shift+P', false), 'Ctrl+Shift+P');
  assert.equal(shortcutLabel('R', false), 'R');
  assert.equal(shortcutLabel('Delete', false), 'Delete');
  assert.equal(hasModifier('Mod+S'), true);
  assert.equal(hasModifier('N'), false);
});
