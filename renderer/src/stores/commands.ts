// The commands of each screen: what the command palette lists while the screen shows, and the keyboard
// shortcut that runs each one (see lib/shortcuts.ts). Screens register their commands while they live; the
// window's one key handler (App.vue) asks `commandFor` which command a key press means.
import { defineStore } from 'pinia';
import { onBeforeUnmount, shallowRef } from 'vue';
import { hasModifier, matchesShortcut, type ShortcutEvent } from '../lib/shortcuts.ts';
import type { ViewName } from './ui.ts';

/** A command of one screen. */
export interface ScreenCommand {
  id: string;
  /** What the palette shows, e.g. "Save key". */
  label: string;
  /** The key that runs it, e.g. "Mod+S", "R" (letters only fire while the user is not typing in a field). */
  shortcut?: string;
  /** False while it cannot run (nothing to save, no watch to pause): the palette leaves it out. */
  enabled?: () => boolean;
  run: () => unknown;
}

/** The commands store. */
export const useCommandsStore = defineStore('commands', () => {
  const byView = shallowRef<Partial<Record<ViewName, readonly ScreenCommand[]>>>({});

  /** Registers `commands` for `view`; returns the function that removes them again. */
  function register(view: ViewName, commands: readonly ScreenCommand[]): () => void {
    byView.value = { ...byView.value, [view]: commands };
    return () => {
      if (byView.value[view] !== commands) return;
      const next = { ...byView.value };
      delete next[view];
      byView.value = next;
    };
  }

  /** The commands of `view` that can run now. */
  function available(view: ViewName): ScreenCommand[] {
    return (byView.value[view] ?? []).filter((command) => command.enabled?.() ?? true);
  }

  /**
   * The command of `view` a key press means, or null. A shortcut without a modifier is a letter the user may be
   * typing, so it counts only outside text fields. A command that cannot run now still claims its key, so Ctrl+S
   * with nothing to save does not open the browser's "Save page" dialog.
   */
  function commandFor(view: ViewName, event: ShortcutEvent, typing: boolean, mac: boolean): ScreenCommand | null {
    for (const command of byView.value[view] ?? []) {
      if (!command.shortcut || !matchesShortcut(event, command.shortcut, mac)) continue;
      if (typing && !hasModifier(command.shortcut)) continue;
      return command;
    }
    return null;
  }

  return { byView, register, available, commandFor };
});

/** Registers a screen's commands for as long as the calling component lives. */
export function useScreenCommands(view: ViewName, commands: readonly ScreenCommand[]): void {
  const unregister = useCommandsStore().register(view, commands);
  onBeforeUnmount(unregister);
}
