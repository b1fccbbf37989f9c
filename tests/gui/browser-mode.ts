// Starts the shell's real browser mode (`startBrowserMode`, what `npm start -- --web` runs) for the GUI tests,
// in a throwaway user-data folder on free loopback ports, and stops all of it (engine members included).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBrowserMode as startShellBrowserMode } from '../../electron/web/browser-mode.ts';
import type { ServiceHost } from '../../electron/main/services/service-host.ts';
import { removeTempDir, trackTempDir } from '../support/child-cleanup.ts';

/** A running browser mode. */
export interface BrowserMode {
  /** The address a user opens (with the access token). */
  url: string;
  /** The local cluster's client URLs, for a second client writing behind the GUI's back. */
  clientEndpoints: string[];
  host: ServiceHost;
  /** What browser mode logged while starting (shown when a test fails). */
  log: string[];
  close(): Promise<void>;
}

/** Options of `startBrowserMode`. */
export interface BrowserModeOptions {
  rendererDir: string;
  clusterSize?: number;
}

/** Starts browser mode with a new local cluster; resolves once every member is healthy. */
export async function startBrowserMode(options: BrowserModeOptions): Promise<BrowserMode> {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'cairn-gui-'));
  trackTempDir(userDataDir);
  const log: string[] = [];
  const running = await startShellBrowserMode({
    userDataDir, appVersion: 'gui-test', port: 0, clusterSize: options.clusterSize ?? 3, rendererDir: options.rendererDir, log: (line) => log.push(line),
  });
  const state = running.host.localCluster.state();
  if (state.phase !== 'running') {
    await running.stop();
    removeTempDir(userDataDir);
    throw new Error(`the local cluster did not come up (${state.phase}):\n${log.join('\n')}`);
  }
  return {
    url: running.server.url,
    clientEndpoints: running.host.localCluster.clientUrls(),
    host: running.host,
    log,
    async close() {
      await running.stop();
      removeTempDir(userDataDir);
    },
  };
}
