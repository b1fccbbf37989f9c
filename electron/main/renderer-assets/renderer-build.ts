// Builds the renderer (renderer/dist) with Vite's JavaScript API when it has not been built yet, so `npm start`
// works from a fresh checkout. Only when renderer/vite.config.ts exists: before the GUI is written there is
// nothing to build, and the server shows a page that says so.
import fs from 'node:fs';
import path from 'node:path';
import { rendererBuilt, rendererDistDir } from './renderer-files.ts';

/** What `ensureRendererBuilt` found or did. */
export type RendererBuild = { state: 'ready' | 'built'; dir: string } | { state: 'missing' | 'failed'; dir: string; reason: string };

/** Builds renderer/dist if needed; never throws (a failed build is reported and the page explains it). */
export async function ensureRendererBuilt(dir = rendererDistDir, log: (line: string) => void = () => undefined): Promise<RendererBuild> {
  if (rendererBuilt(dir)) return { state: 'ready', dir };
  const root = path.dirname(dir);
  const config = path.join(root, 'vite.config.ts');
  if (!fs.existsSync(config)) return { state: 'missing', dir, reason: `the GUI has not been written yet (${config} does not exist)` };
  log(`building the GUI with Vite (${config}); this happens once`);
  try {
    const vite = await import('vite');
    await vite.build({ root, configFile: config, logLevel: 'warn', build: { outDir: dir, emptyOutDir: true } });
  } catch (error) {
    return { state: 'failed', dir, reason: `building the GUI failed: ${(error as Error).message}` };
  }
  return rendererBuilt(dir) ? { state: 'built', dir } : { state: 'failed', dir, reason: `the build finished but ${path.join(dir, 'index.html')} is missing` };
}
