// Browser facilities the screens need (theme, clipboard, downloads, file reading), kept here so that
// src/api is the only code that touches window.* and the rest of the renderer stays easy to test.
import { onBeforeUnmount, ref, type Ref } from 'vue';

/** A ref that follows the OS light/dark preference. */
export function usePreferredDark(): Ref<boolean> {
  const query = window.matchMedia('(prefers-color-scheme: dark)');
  const dark = ref(query.matches);
  const listener = (event: MediaQueryListEvent): void => {
    dark.value = event.matches;
  };
  query.addEventListener('change', listener);
  onBeforeUnmount(() => query.removeEventListener('change', listener));
  return dark;
}

/** Copies text to the clipboard; resolves false when the browser refused. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await window.navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** Saves bytes or text as a file through the browser's download. */
export function downloadFile(fileName: string, content: Uint8Array | string, mimeType = 'application/octet-stream'): void {
  const blob = new Blob([content as BlobPart], { type: mimeType });
  const url = window.URL.createObjectURL(blob);
  const anchor = window.document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.click();
  // The download has started once click() returns; the URL only needs to live until then.
  setTimeout(() => window.URL.revokeObjectURL(url), 1000);
}

/** Reads a file the user picked as text (PEM files, JSON exports). */
export function readFileText(file: File): Promise<string> {
  return file.text();
}

/** Reads a small setting the user chose (separator, last connection) from local storage. */
export function loadSetting<T>(name: string, fallback: T): T {
  try {
    const stored = window.localStorage.getItem(`cairn.${name}`);
    return stored === null ? fallback : (JSON.parse(stored) as T);
  } catch {
    return fallback;
  }
}

/** Remembers a small setting across restarts of the window. */
export function saveSetting(name: string, value: unknown): void {
  try {
    window.localStorage.setItem(`cairn.${name}`, JSON.stringify(value));
  } catch {
    // Storage can be full or disabled; losing a preference is better than failing the action that set it.
  }
}

/** Calls `tick` every `intervalMs` until the calling component unmounts. */
export function useInterval(tick: () => void, intervalMs: number): void {
  const handle = window.setInterval(tick, intervalMs);
  onBeforeUnmount(() => window.clearInterval(handle));
}

/** Listens to key presses on the whole window until the calling component unmounts. */
export function useWindowKeydown(listener: (event: KeyboardEvent) => void): void {
  window.addEventListener('keydown', listener);
  onBeforeUnmount(() => window.removeEventListener('keydown', listener));
}

/** Whether the app runs on macOS (shortcuts use Cmd there, and are written ⌘S). */
export function isMacPlatform(): boolean {
  return /Mac|iPhone|iPad/.test(window.navigator.userAgent);
}

/** Whether a key press lands in a place where the user types text (a field or the value editor). */
export function isTypingTarget(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || target.closest('input, textarea, select, .monaco-editor') !== null);
}

/** Whether a modal dialog is open (screen shortcuts wait until it closes). */
export function isModalOpen(): boolean {
  return window.document.querySelector('[aria-modal="true"]') !== null;
}
