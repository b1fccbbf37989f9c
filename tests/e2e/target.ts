// Which server the end-to-end suites run against: `E2E_TARGET=cairn` (the default) runs them against the Cairn
// engine, `E2E_TARGET=etcd` against Debian's etcd 3.4, which proves the expectations themselves: every suite must
// pass against the real etcd, since its behaviour is what Cairn has to match. Both kinds are started with the same
// etcd flags by the shared process helpers.
import {
  cairnEngineAvailable, cairnEnginePath, etcdBinaryPath, startServers, type ClusterHandle, type StartOptions,
} from '../support/processes.ts';
import { runProcess, type ProcessResult } from '../support/run-process.ts';
import { findTool } from '../support/tools.ts';

/** The server implementations a suite can target. */
export type E2eTarget = 'cairn' | 'etcd';

/** Reads `E2E_TARGET` (cairn or etcd; cairn when unset) and rejects anything else, so a typo cannot go unnoticed. */
export function e2eTargetFromEnv(): E2eTarget {
  const value = process.env.E2E_TARGET ?? 'cairn';
  if (value !== 'cairn' && value !== 'etcd') throw new Error(`E2E_TARGET must be cairn or etcd, not ${value}`);
  return value;
}

/** The target of this run. */
export const target: E2eTarget = e2eTargetFromEnv();

/** Why the target cannot run on this machine, or undefined when it can. The suites fail on this; they never skip. */
export function targetUnavailableReason(): string | undefined {
  if (target === 'etcd') return findTool(etcdBinaryPath) ? undefined : `etcd is not installed at ${etcdBinaryPath}`;
  return cairnEngineAvailable() ? undefined : `the Cairn engine executable is missing: ${cairnEnginePath}`;
}

/** Starts a single-member cluster of the target kind on free 127.0.0.1 ports and a temporary data dir. */
export function startTarget(options: StartOptions = {}): Promise<ClusterHandle> {
  return startServers(target, options);
}

/** The command line that runs the target server binary with `args` (Cairn runs under the current Node). */
export function targetCommand(args: readonly string[]): { command: string; args: string[] } {
  return target === 'etcd'
    ? { command: etcdBinaryPath, args: [...args] }
    : { command: process.execPath, args: [cairnEnginePath, ...args] };
}

/** What one short run of the server binary printed and how it ended. */
export type CommandResult = ProcessResult;

/** Environment for server children: the caller's, minus any ETCD_* variables (etcd reads them as flags). */
export function serverEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('ETCD_')));
  return { ...inherited, ...extra };
}

/**
 * Runs the target server binary with `args` until it exits (for `--version`, `--help`, bad flags). A run that
 * outlives `timeoutMs` is killed and marked, so a server that starts instead of exiting fails the test quickly.
 */
export function runTargetCommand(args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CommandResult> {
  const { command, args: fullArgs } = targetCommand(args);
  return runProcess(command, fullArgs, { env: serverEnvironment(options.env), timeoutMs: options.timeoutMs ?? 15_000 });
}

/**
 * Parses JSON in which 64-bit ids (cluster, member and lease ids) are bare numbers, as etcdctl prints them: any
 * integer of 16 or more digits is read as a string, since a JavaScript number would silently round it.
 */
export function parseJsonKeepingBigIntegers<T = unknown>(text: string): T {
  // Base64 and hex text cannot contain ':' '[' or ',', so only bare numbers after those are rewritten.
  return JSON.parse(text.replace(/([:[,]\s*)(-?\d{16,})(?=\s*[,}\]])/g, '$1"$2"')) as T;
}

/** Decodes a base64 field of etcd's JSON output as UTF-8 text. */
export function fromBase64(text: string | undefined): string {
  return Buffer.from(text ?? '', 'base64').toString('utf8');
}

/** Encodes UTF-8 text as base64, as etcd's JSON wants keys and values. */
export function toBase64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every `intervalMs` until it returns a value other than undefined; throws `message` at the deadline. */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, message: string, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`${message} (waited ${timeoutMs} ms)`);
    await sleep(intervalMs);
  }
}
