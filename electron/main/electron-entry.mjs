// Entry of the Electron main process (`electron electron/main/electron-entry.mjs`, and the packaged app's main):
// the TypeScript sources load through tsx, as the engine's do, so there is no separate compile step.
const { register } = await import('tsx/esm/api');
register();
const { runElectronApp } = await import('./electron-main.ts');
await runElectronApp();
