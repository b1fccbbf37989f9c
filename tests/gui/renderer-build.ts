// Builds renderer/dist when it is missing or older than the renderer's sources, so the GUI tests always drive
// the code under test (browser mode serves renderer/dist as it is).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const rendererDir = path.join(root, 'renderer');
const builtIndex = path.join(rendererDir, 'dist', 'index.html');

function newestMtimeMs(directory: string): number {
  let newest = 0;
  for (const name of readdirSync(directory)) {
    const file = path.join(directory, name);
    const stat = statSync(file);
    newest = Math.max(newest, stat.isDirectory() ? newestMtimeMs(file) : stat.mtimeMs);
  }
  return newest;
}

/** The built renderer's folder, rebuilt first when a source (or the contract it imports) is newer. */
export function ensureRendererBuilt(): string {
  const sources = Math.max(
    newestMtimeMs(path.join(rendererDir, 'src')),
    newestMtimeMs(path.join(root, 'electron', 'common')),
    statSync(path.join(rendererDir, 'index.html')).mtimeMs,
    statSync(path.join(rendererDir, 'vite.config.ts')).mtimeMs,
  );
  if (existsSync(builtIndex) && statSync(builtIndex).mtimeMs >= sources) return path.dirname(builtIndex);
  const result = spawnSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', path.join(rendererDir, 'vite.config.ts'), '--logLevel', 'warn'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`the renderer build failed:\n${result.stdout}\n${result.stderr}`);
  return path.dirname(builtIndex);
}
