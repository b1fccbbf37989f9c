// Component and store tests of the renderer (vitest, `*.spec.ts` beside the code): the Vue plugin of the build's
// config and a happy-dom document, so views mount as they do in the app, over the in-memory fake API
// (`src/testing/`) instead of main. Pure helpers keep their node:test files (`*.test.ts`), which need no DOM.
// Run it through `tests/renderer-components.test.ts` (part of `npm test`) or directly:
//   node node_modules/vitest/vitest.mjs run --config renderer/vitest.config.ts
import { defineConfig, mergeConfig } from 'vitest/config';
import viteConfig from './vite.config.ts';

export default mergeConfig(viteConfig, defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['src/**/*.spec.ts'],
    environment: 'happy-dom',
    // Two shared cores: more workers only queue behind each other.
    maxWorkers: 2,
    testTimeout: 10_000,
  },
}));
