// The desktop suites' common fixture: a ServiceHost in browser mode over a fresh temporary user data dir, with
// the local cluster started and one session on it, the way the app's main process serves a renderer. It owns
// only the start and the clean-up (host, session, temp dir), so that every suite starts the app the same way
// and leaves nothing behind; what each suite proves stays in the suite.
import { after, before } from 'node:test';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CairnApi } from '../../../electron/common/contract.ts';
import { noCipher } from '../../../electron/main/connections/secret-cipher.ts';
import { ServiceHost, type ServiceHostOptions, type Session } from '../../../electron/main/services/service-host.ts';
import { removeTempDir, trackTempDir } from '../../support/child-cleanup.ts';
import { testClusterSize, testTimings } from './test-cluster.ts';

/** The running app of one suite; read its members inside tests and hooks (they exist once `before` ran). */
export interface LocalHost {
  /** The user data dir (removed after the suite). */
  readonly root: string;
  readonly host: ServiceHost;
  readonly session: Session;
  /** The session's services, as the renderer calls them. */
  readonly api: CairnApi;
  /** Disposes the session and the host and opens them again on the same user data dir, as an app restart does. */
  restart(): Promise<void>;
}

/**
 * Registers `before` and `after` hooks in the current suite that start a ServiceHost with the local cluster
 * (testClusterSize members, testTimings) on a temp dir named from `tempDirPrefix`, and tear it all down.
 */
export function useLocalHost(tempDirPrefix: string, options: Pick<ServiceHostOptions, 'scheduleClock'> = {}): LocalHost {
  let root = '';
  let host: ServiceHost | undefined;
  let session: Session | undefined;
  const open = async (): Promise<void> => {
    host = new ServiceHost({
      userDataDir: root, mode: 'browser', appVersion: '0.0.0-test', cipher: noCipher('no keychain in tests'),
      localCluster: { size: testClusterSize, timings: testTimings }, ...options,
    });
    await host.localCluster.start();
    session = host.openSession();
  };
  const close = async (): Promise<void> => {
    session?.dispose();
    await host?.dispose();
  };
  before(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), tempDirPrefix));
    trackTempDir(root);
    await open();
  });
  after(async () => {
    await close();
    removeTempDir(root);
  });
  const opened = <T>(part: T | undefined): T => {
    if (part === undefined) throw new Error('the local host is not open yet: use it inside a test or a later hook');
    return part;
  };
  return {
    get root() {
      return root;
    },
    get host() {
      return opened(host);
    },
    get session() {
      return opened(session);
    },
    get api() {
      return opened(session).api;
    },
    restart: async () => {
      await close();
      await open();
    },
  };
}
