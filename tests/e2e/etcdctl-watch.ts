// `etcdctl watch` as a long-running child process: tests start it, write with other commands, and read what it
// printed. etcdctl prints nothing when its watch is created, so callers either watch from an explicit revision
// (`--rev`, which replays history and cannot miss a write) or write a sentinel until it shows up.
import { spawn, type ChildProcess } from 'node:child_process';
import { etcdctlBinaryPath } from '../support/etcdctl.ts';
import { trackChild } from '../support/child-cleanup.ts';
import { sleep } from './target.ts';

/** How it ended. */
export interface WatchExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running `etcdctl watch` whose output accumulates in memory. */
export class EtcdctlWatch {
  stdout = '';
  stderr = '';
  private readonly child: ChildProcess;
  private readonly exited: Promise<WatchExit>;
  private exitInfo: WatchExit | undefined;

  /** Starts `etcdctl --endpoints=<endpoints> watch <args>`. */
  constructor(endpoints: readonly string[], args: readonly string[]) {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('ETCDCTL_')));
    this.child = spawn(etcdctlBinaryPath, [`--endpoints=${endpoints.join(',')}`, 'watch', ...args], {
      env: { ...inherited, ETCDCTL_API: '3' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    trackChild(this.child);
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => {
      this.child.once('error', () => resolve((this.exitInfo = { code: null, signal: null })));
      this.child.once('close', (code, signal) => resolve((this.exitInfo = { code, signal })));
    });
  }

  /** Waits until stdout satisfies `done`; the error shows what was printed so far. */
  async waitForOutput(done: (stdout: string) => boolean, timeoutMs = 5_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.stdout)) {
      if (this.exitInfo) throw new Error(`etcdctl watch exited (${JSON.stringify(this.exitInfo)}) with stdout ${JSON.stringify(this.stdout)} stderr ${JSON.stringify(this.stderr)}`);
      if (Date.now() >= deadline) {
        throw new Error(`etcdctl watch: expected output not seen within ${timeoutMs} ms; stdout ${JSON.stringify(this.stdout)} stderr ${JSON.stringify(this.stderr)}`);
      }
      await sleep(20);
    }
    return this.stdout;
  }

  /** Waits for the process to exit by itself (e.g. after the server cancelled its watch). */
  async waitForExit(timeoutMs = 5_000): Promise<WatchExit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`etcdctl watch still running after ${timeoutMs} ms; stdout ${JSON.stringify(this.stdout)}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends the watch (SIGTERM) and waits for the process to go. */
  async stop(): Promise<void> {
    if (this.exitInfo) return;
    this.child.kill('SIGTERM');
    await this.exited;
  }
}
