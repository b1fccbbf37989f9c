// `npm run dist`, step one: the files electron-builder packs that are built, not checked in: the preload bundle
// (out/preload) and the renderer (renderer/dist). Fails loudly when the GUI cannot be built: an installer
// without a GUI is worse than no installer.
import { ensurePreloadBuilt } from './preload-build.ts';
import { ensureRendererBuilt } from './renderer-assets/renderer-build.ts';

const preload = await ensurePreloadBuilt();
console.log(`preload: ${preload}`);
const renderer = await ensureRendererBuilt(undefined, (line) => console.log(line));
if (renderer.state === 'missing' || renderer.state === 'failed') {
  console.error(`cannot package: ${renderer.reason}`);
  process.exit(1);
}
console.log(`renderer: ${renderer.dir} (${renderer.state})`);
