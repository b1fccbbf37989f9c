// Build of the renderer: a static bundle in renderer/dist that the Electron window loads from disk and that
// browser mode serves over HTTP. Relative asset URLs (base './') make both work from any path; Monaco's
// workers are emitted as separate files so the page needs no blob: or eval under the shell's strict CSP.
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import path from 'node:path';

const rendererRoot = import.meta.dirname;

export default defineConfig({
  root: rendererRoot,
  base: './',
  plugins: [vue()],
  build: {
    outDir: path.join(rendererRoot, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    // Monaco alone is larger than Vite's default warning threshold; it is loaded from disk, not a network.
    chunkSizeWarningLimit: 6000,
    // The module-preload polyfill would be an inline helper; the shell's Chromium supports modulepreload.
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', strictPort: false },
  preview: { host: '127.0.0.1' },
});
