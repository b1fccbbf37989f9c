// Debian's Chromium driven by playwright-core, with the helpers the GUI tests share: screenshots under
// /tmp/gui-shots (never in the repository), rows of the virtualized key list, and typing into Monaco.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

/** Where screenshots go; each test saves at least one. */
export const screenshotDir = process.env.GUI_SHOTS_DIR ?? '/tmp/gui-shots';

/** The Chromium binary: Debian's, never a downloaded one. */
export const chromiumPath = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

/** One browser with one page on the app. */
export interface GuiSession {
  browser: Browser;
  page: Page;
  /** Saves a full-window screenshot named `<name>.png`. */
  shot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** Opens the app at `url` in a fresh headless Chromium and waits until the connections have loaded. */
export async function openApp(url: string, options: { colorScheme?: 'light' | 'dark' } = {}): Promise<GuiSession> {
  mkdirSync(screenshotDir, { recursive: true });
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const page = await browser.newPage({ viewport: { width: 1360, height: 820 }, colorScheme: options.colorScheme ?? 'light' });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(url);
  await page.getByTestId('connection-switcher').waitFor({ timeout: 20_000 });
  return {
    browser,
    page,
    async shot(name) {
      const file = path.join(screenshotDir, `${name}.png`);
      await page.screenshot({ path: file });
      if (pageErrors.length > 0) throw new Error(`the page reported errors: ${pageErrors.join('; ')}`);
      return file;
    },
    close: () => browser.close(),
  };
}

/** The row of the key list whose label is exactly `label` (folders end with the separator). */
export function keyRow(page: Page, label: string): Locator {
  return page.locator('[data-testid="key-list"] .key-row').filter({ has: page.locator('.label', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) });
}

/** Replaces the whole text of the value editor, as a user would with select-all and typing. */
export async function replaceEditorText(page: Page, text: string): Promise<void> {
  const editor = page.getByTestId('value-editor').or(page.getByTestId('diff-editor')).first();
  await editor.locator('.view-lines').first().click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  // Monaco auto-closes brackets and quotes as the user types; inserting the text as one paste-like input keeps
  // it exactly as given.
  await page.keyboard.insertText(text);
}

/** The text Monaco shows in the value editor (its model, read through the DOM lines). */
export async function editorText(page: Page): Promise<string> {
  return page.getByTestId('value-editor').locator('.view-lines').innerText();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
