// The renderer's built files (renderer/dist), served by the Electron app:// protocol and by browser mode: a
// request path maps to a file inside the folder or to nothing (no `..`, no symlink escape), unknown paths without
// an extension fall back to index.html (client-side routes), and each file gets its content type.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** renderer/dist in a checkout (packaging keeps the same relative place). */
export const rendererDistDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'renderer', 'dist');

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** The content type of a file name. */
export function contentTypeOf(file: string): string {
  return contentTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** The file a URL path names inside `root`, or undefined when it names nothing servable. */
export function resolveRendererFile(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const realRoot = fs.realpathSync(root);
  const candidate = path.resolve(realRoot, `.${path.posix.normalize(`/${decoded}`)}`);
  const inside = (file: string): boolean => file === realRoot || file.startsWith(`${realRoot}${path.sep}`);
  if (!inside(candidate)) return undefined;
  try {
    const real = fs.realpathSync(candidate);
    if (inside(real) && fs.statSync(real).isFile()) return real;
    if (inside(real) && fs.statSync(real).isDirectory() && fs.existsSync(path.join(real, 'index.html'))) return path.join(real, 'index.html');
  } catch {
    // Not there: a client-side route falls back to the page below; a missing asset is a 404.
  }
  return path.extname(decoded) === '' ? path.join(realRoot, 'index.html') : undefined;
}

/** True when the renderer has been built. */
export function rendererBuilt(root = rendererDistDir): boolean {
  return fs.existsSync(path.join(root, 'index.html'));
}
