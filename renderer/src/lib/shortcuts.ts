// Keyboard shortcuts written as text ("Mod+S", "Shift+N", "R", "/"), matched against key events and shown the way
// the platform writes them. "Mod" is Cmd on macOS and Ctrl elsewhere, as VS Code's keybindings say it.

/** The parts of a key event a shortcut is matched on. */
export type ShortcutEvent = Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>;

interface ParsedShortcut {
  key: string;
  mod: boolean;
  alt: boolean;
  shift: boolean;
}

function parse(shortcut: string): ParsedShortcut {
  const parts = shortcut.split('+');
  // "Mod++" would be a plus key; none of ours needs it, so the last part is always the key.
  const key = parts.pop() ?? '';
  return { key: key.toLowerCase(), mod: parts.includes('Mod'), alt: parts.includes('Alt'), shift: parts.includes('Shift') };
}

/** Whether `event` is `shortcut` (on macOS `Mod` is Cmd, elsewhere Ctrl; the other one must not be held). */
export function matchesShortcut(event: ShortcutEvent, shortcut: string, mac: boolean): boolean {
  const wanted = parse(shortcut);
  const mod = mac ? event.metaKey : event.ctrlKey;
  const other = mac ? event.ctrlKey : event.metaKey;
  // Shift is part of some printed keys ("?" on most layouts): for those the printed key decides alone.
  const printedWithShift = wanted.key.length === 1 && !/[a-z0-9]/.test(wanted.key);
  const shiftMatches = printedWithShift && !wanted.shift ? true : event.shiftKey === wanted.shift;
  return event.key.toLowerCase() === wanted.key && mod === wanted.mod && !other && event.altKey === wanted.alt && shiftMatches;
}

/** Whether a shortcut holds a modifier (Mod or Alt), so it may fire while the user types in a field. */
export function hasModifier(shortcut: string): boolean {
  const parsed = parse(shortcut);
  return parsed.mod || parsed.alt;
}

/** The shortcut as the platform writes it: "Ctrl+S" elsewhere, "⌘S" on macOS. */
export function shortcutLabel(shortcut: string, mac: boolean): string {
  const parsed = parse(shortcut);
  const key = parsed.key.length === 1 ? parsed.key.toUpperCase() : parsed.key[0]!.toUpperCase() + parsed.key.slice(1);
  if (mac) return `${parsed.mod ? '⌘' : ''}${parsed.alt ? '⌥' : ''}${parsed.shift ? '⇧' : ''}${key}`;
  return [parsed.mod ? 'Ctrl' : '', parsed.alt ? 'Alt' : '', parsed.shift ? 'Shift' : '', key].filter(Boolean).join('+');
}
