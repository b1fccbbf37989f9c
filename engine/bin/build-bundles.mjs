#!/usr/bin/env node
// Builds the engine's bundles (engine/dist/cairn-engine.mjs and cairn-util.mjs) with esbuild when a source is newer
// than them; entry.mjs then loads them instead of compiling the sources at every start. npm packages stay
// external (lmdb is native; the rest is loaded from node_modules as usual). Each bundle is written to a temporary
// file and renamed into place, so a process starting meanwhile reads either the old bundle or the new one.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleDirectory, bundleIsFresh, bundlePath, engineDirectory, newestSourceMs } from './entry.mjs';

/** The programs and their entry sources, relative to engine/. */
const programs = { 'cairn-engine': 'main.ts', 'cairn-util': 'util/util-main.ts' };

/** Builds every stale bundle; returns the names of the programs built. */
export async function buildEngineBundles() {
  const sourcesNewestMs = newestSourceMs();
  const stale = Object.keys(programs).filter((program) => !bundleIsFresh(program, sourcesNewestMs));
  if (stale.length === 0) return [];
  let build;
  try {
    ({ build } = await import('esbuild'));
  } catch {
    // Without esbuild (a production install without dev dependencies) the programs run from their sources.
    console.warn('esbuild is not installed: the engine runs from its TypeScript sources (slower to start)');
    return [];
  }
  fs.mkdirSync(bundleDirectory, { recursive: true });
  for (const program of stale) {
    const temporary = `${bundlePath(program)}.${process.pid}.tmp`;
    await build({
      entryPoints: [path.join(engineDirectory, programs[program])],
      outfile: temporary,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'warning',
    });
    fs.renameSync(temporary, bundlePath(program));
  }
  return stale;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const built = await buildEngineBundles();
  console.log(built.length > 0 ? `built ${built.join(', ')} in ${path.relative(process.cwd(), bundleDirectory)}` : 'engine bundles are up to date');
}
