// Bundles electron/preload/preload.ts into one CommonJS file with Vite's JavaScript API: a sandboxed preload can
// neither load ES modules nor require files, so the contract's channel table must be inside the bundle. Built on
// start when missing or older than its sources, and by `npm run dist`.
import fs from 'node:fs';
import path from 'node:path';
import { appRoot } from './app-paths.ts';

/** Where the bundle goes. */
export const preloadBundlePath = path.join(appRoot, 'out', 'preload', 'preload.cjs');

const sources = [path.join(appRoot, 'electron', 'preload'), path.join(appRoot, 'electron', 'common')];

function newestSourceMs(): number {
  let newest = 0;
  for (const directory of sources) {
    for (const name of fs.readdirSync(directory)) {
      if (name.endsWith('.ts') && !name.endsWith('.test.ts')) newest = Math.max(newest, fs.statSync(path.join(directory, name)).mtimeMs);
    }
  }
  return newest;
}

/** Builds the preload bundle if it is missing or stale; returns its path. */
export async function ensurePreloadBuilt(): Promise<string> {
  if (fs.existsSync(preloadBundlePath) && fs.statSync(preloadBundlePath).mtimeMs >= newestSourceMs()) return preloadBundlePath;
  const vite = await import('vite');
  await vite.build({
    configFile: false,
    logLevel: 'warn',
    build: {
      outDir: path.dirname(preloadBundlePath),
      emptyOutDir: false,
      minify: false,
      sourcemap: false,
      lib: { entry: path.join(appRoot, 'electron', 'preload', 'preload.ts'), formats: ['cjs'], fileName: () => path.basename(preloadBundlePath) },
      rollupOptions: { external: ['electron'] },
    },
  });
  return preloadBundlePath;
}
