// Browser mode: the local cluster and every service in this Node process, served to a browser on 127.0.0.1 with
// an access token. Used when Electron cannot start (no display, no Electron binary) or with --web.
import path from 'node:path';
import { noCipher } from '../main/connections/secret-cipher.ts';
import { acquireInstanceLock } from '../main/instance-lock.ts';
import { ensureRendererBuilt } from '../main/renderer-assets/renderer-build.ts';
import { rendererDistDir } from '../main/renderer-assets/renderer-files.ts';
import { ServiceHost } from '../main/services/service-host.ts';
import { startWebServer, type WebServer } from './web-server.ts';

/** Options of browser mode. */
export interface BrowserModeOptions {
  userDataDir: string;
  appVersion: string;
  /** 0 picks a free port. */
  port: number;
  clusterSize?: number;
  /** The renderer build to serve (default renderer/dist, built on first start when missing). */
  rendererDir?: string;
  log: (line: string) => void;
}

/** A running browser mode. */
export interface BrowserMode {
  host: ServiceHost;
  server: WebServer;
  stop(): Promise<void>;
}

/** Starts the local cluster and the server; resolves once the URL can be opened. */
export async function startBrowserMode(options: BrowserModeOptions): Promise<BrowserMode> {
  const lock = acquireInstanceLock(options.userDataDir);
  if ('heldBy' in lock) throw new Error(`Cairn already runs with this data folder (${options.userDataDir}, pid ${lock.heldBy}); close it first`);
  const host = new ServiceHost({
    userDataDir: options.userDataDir,
    mode: 'browser',
    appVersion: options.appVersion,
    cipher: noCipher('Browser mode cannot use the system keychain, so passwords and private keys cannot be encrypted.'),
    localCluster: { size: options.clusterSize },
  });
  // An exit we did not plan (an uncaught error) must still take the members down: the launcher's stdin pipe
  // covers kill -9, this covers process.exit.
  const killOnExit = (): void => host.localCluster.killNow();
  process.on('exit', killOnExit);
  try {
    const [build] = await Promise.all([
      ensureRendererBuilt(options.rendererDir ?? rendererDistDir, options.log),
      host.localCluster.start().then(
        (state) => options.log(`local cluster: ${state.members.length} member(s) at ${state.members.map((member) => member.clientUrl).join(', ')}`),
        (error: Error) => options.log(`the local cluster did not start: ${error.message} (logs in ${path.join(options.userDataDir, 'logs')})`),
      ),
    ]);
    if (build.state === 'missing' || build.state === 'failed') options.log(`GUI: ${build.reason}`);
    const server = await startWebServer({
      host, port: options.port, rendererDir: options.rendererDir ?? rendererDistDir,
      rendererProblem: build.state === 'missing' || build.state === 'failed' ? build.reason : undefined,
    });
    return {
      host,
      server,
      stop: async () => {
        await server.close();
        await host.dispose();
        process.off('exit', killOnExit);
        lock.release();
      },
    };
  } catch (error) {
    await host.dispose().catch(() => undefined);
    process.off('exit', killOnExit);
    lock.release();
    throw error;
  }
}
