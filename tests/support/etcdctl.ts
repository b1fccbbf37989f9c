// Runs Debian's etcdctl (API v3) against a cluster and captures what it printed, for tests that check Cairn
// through etcd's own client. Also `requireTool`, which lets a test skip when a tool is missing on a developer
// machine but fails on CI, where a missing tool means a broken image rather than an optional check.
import { runProcess } from './run-process.ts';

export { findTool, requireTool, skipUnlessInstalled } from './tools.ts';

/** The etcdctl binary: `$ETCDCTL_BIN` if set, else Debian's. */
export const etcdctlBinaryPath = process.env.ETCDCTL_BIN ?? '/usr/bin/etcdctl';

/** How long one etcdctl run may take unless told otherwise, in milliseconds. */
export const etcdctlTimeoutMsDefault = 15_000;

/** What one etcdctl run produced. */
export interface EtcdctlResult {
  stdout: string;
  stderr: string;
  /** Exit code, or null when it was ended by a signal (e.g. our timeout). */
  code: number | null;
  timedOut: boolean;
}

/** Options of one etcdctl run. */
export interface EtcdctlOptions {
  /** `host:port` or URLs; joined into `--endpoints`. */
  endpoints: string | readonly string[];
  /** Written to etcdctl's stdin, then closed (e.g. for `txn --interactive`). */
  input?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Runs `etcdctl --endpoints=... <args>` with ETCDCTL_API=3; resolves with its output, whatever the exit code. */
export async function etcdctl(args: readonly string[], options: EtcdctlOptions): Promise<EtcdctlResult> {
  const endpoints = typeof options.endpoints === 'string' ? options.endpoints : options.endpoints.join(',');
  const timeoutMs = options.timeoutMs ?? etcdctlTimeoutMsDefault;
  // Drop the caller's ETCDCTL_* settings (certificates, users, endpoints) so that only our flags apply.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('ETCDCTL_')));
  const { stdout, stderr, code, timedOut } = await runProcess(etcdctlBinaryPath, [`--endpoints=${endpoints}`, ...args], {
    env: { ...inherited, ETCDCTL_API: '3', ...options.env },
    input: options.input,
    timeoutMs,
  });
  return { stdout, stderr, code, timedOut };
}
