// Loads an engine program: the bundle in engine/dist when it is at least as new as every engine source, else the
// TypeScript sources through tsx. Why: tsx compiles some 200 modules at every start, about 1.5 s of CPU, which
// the desktop app pays three times when it starts its cluster and the test suite pays at every member start; the
// bundle (built by build-bundles.mjs) starts in a fraction of that. A source edited after the bundle was built
// makes it stale, and the sources are used, so a checkout never runs old code.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The engine folder (this file is engine/bin/entry.mjs). */
export const engineDirectory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Where bundles are written. */
export const bundleDirectory = path.join(engineDirectory, 'dist');

/** The newest modification time (ms) of the engine's TypeScript sources (tests are never bundled: skipped). */
export function newestSourceMs(directory = engineDirectory) {
  let newest = 0;
  for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (entry.name === 'dist' || entry.name === 'node_modules') continue;
      newest = Math.max(newest, newestSourceMs(path.join(directory, entry.name)));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
      newest = Math.max(newest, fs.statSync(path.join(directory, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/** The bundle file of `program` ('cairn-engine' | 'cairn-util'). */
export function bundlePath(program) {
  return path.join(bundleDirectory, `${program}.mjs`);
}

/** Whether the bundle of `program` exists and no source is newer than it. */
export function bundleIsFresh(program, sourcesNewestMs = newestSourceMs()) {
  try {
    return fs.statSync(bundlePath(program)).mtimeMs >= sourcesNewestMs;
  } catch {
    return false;
  }
}

/**
 * The module of `program`: its fresh bundle, or `source` (a path relative to engine/) through tsx. CAIRN_BUNDLE=0
 * forces the sources (to debug with source positions).
 */
export async function loadProgram(program, source) {
  if (process.env.CAIRN_BUNDLE !== '0' && bundleIsFresh(program)) return import(pathToFileURL(bundlePath(program)).href);
  const { register } = await import('tsx/esm/api');
  register();
  return import(pathToFileURL(path.join(engineDirectory, source)).href);
}
