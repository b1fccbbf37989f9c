// `npm start`: opens the desktop app when Electron can run here, otherwise (no display, no Electron binary, or
// --web) starts browser mode in this process and prints the URL to open. It lives in web/ because it hosts
// browser mode, and only web/ may depend on both main/ and the web server. Flags:
//   --web                 browser mode even when Electron could start
//   --port <n>            browser mode's port (default: a free one)
//   --cluster-size <n>    members of a newly created local cluster (1, 3 or 5; default 3)
//   --user-data-dir <d>   where connections, the local cluster and logs live
//   --renderer-dir <d>    browser mode serves this renderer build instead of renderer/dist
import { spawn } from 'node:child_process';
import path from 'node:path';
import { appRoot, appVersion, clusterSizeSwitch, userDataDirSwitch } from '../main/app-paths.ts';
import { ensurePreloadBuilt } from '../main/preload-build.ts';
import { ensureRendererBuilt } from '../main/renderer-assets/renderer-build.ts';
import { startBrowserMode } from './browser-mode.ts';
import { browserModeUrlPrefix, chooseLaunchMode, electronBinary, parseLaunchArgs, type LaunchOptions } from './launch-options.ts';

async function runElectron(binary: string, options: LaunchOptions): Promise<number> {
  await Promise.all([ensurePreloadBuilt(), ensureRendererBuilt(undefined, (line) => console.log(line))]);
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const args = [path.join(appRoot, 'electron', 'main', 'electron-entry.mjs')];
  if (options.userDataDirGiven) args.push(`${userDataDirSwitch}=${options.userDataDir}`);
  if (options.clusterSize !== undefined) args.push(`${clusterSizeSwitch}=${options.clusterSize}`);
  const child = spawn(binary, args, { stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

async function runBrowser(options: LaunchOptions, reason: string | undefined): Promise<void> {
  if (reason) console.log(`Cairn: opening in browser mode because ${reason}.`);
  const running = await startBrowserMode({
    userDataDir: options.userDataDir, appVersion: appVersion(), port: options.port, clusterSize: options.clusterSize,
    rendererDir: options.rendererDir, log: (line) => console.log(`Cairn: ${line}`),
  });
  // One line with a fixed prefix, so scripts (the GUI's end-to-end tests) can pick the URL out of the output.
  console.log(`\n${browserModeUrlPrefix}${running.server.url}\n`);
  console.log('Open that URL in a browser (it carries your access token). Press Ctrl+C to stop Cairn and the local cluster.');
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    console.log('\nCairn: stopping the local cluster...');
    running.stop().then(() => process.exit(0), (error: Error) => {
      console.error(`Cairn: stopping failed: ${error.message}`);
      process.exit(1);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function main(argv: readonly string[]): Promise<void> {
  const options = parseLaunchArgs(argv);
  if (typeof options === 'string') {
    console.error(`cairn: ${options}`);
    process.exit(2);
  }
  const choice = chooseLaunchMode(options, { platform: process.platform, env: process.env, binary: options.web ? undefined : electronBinary() });
  if (choice.mode === 'electron') process.exit(await runElectron(choice.binary, options));
  else await runBrowser(options, choice.reason);
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(`cairn: ${error.message}`);
  process.exit(1);
});
