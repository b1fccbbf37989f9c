// The engine programs' loader: a bundle is used only while no source is newer than it, and a built bundle is a
// working program (the e2e suites then run every member from it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error: plain JavaScript modules without type declarations
import { bundleIsFresh, bundlePath, newestSourceMs } from './entry.mjs';
// @ts-expect-error: plain JavaScript module without type declarations
import { buildEngineBundles } from './build-bundles.mjs';

test('the newest source time covers nested .ts files and ignores dist/, tests (never bundled) and other files', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-entry-'));
  try {
    const touch = (relative: string, seconds: number): void => {
      const file = path.join(root, relative);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, '');
      fs.utimesSync(file, seconds, seconds);
    };
    touch('a.ts', 1_000);
    touch('deep/er/b.ts', 2_000);
    touch('dist/c.ts', 9_000);
    touch('d.json', 8_000);
    touch('deep/e.test.ts', 7_000);
    assert.equal(newestSourceMs(root), 2_000_000);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a built bundle is fresh until a source is newer, and loads as the program', async () => {
  await buildEngineBundles();
  assert.equal(bundleIsFresh('cairn-engine'), true);
  assert.equal(bundleIsFresh('cairn-engine', fs.statSync(bundlePath('cairn-engine')).mtimeMs + 1), false);
  assert.equal(bundleIsFresh('no-such-program', 0), false);
  const program = (await import(bundlePath('cairn-engine'))) as { main?: unknown };
  assert.equal(typeof program.main, 'function');
});
