// One server process (a real etcd or a Cairn engine) started with etcd's flags: spawn, readiness, signals,
// restart with the same flags and data dir, and its captured output. Children are tracked so that none outlives
// the test process, and their output stays in memory so a failure can show what the server said.
import { spawn, type ChildProcess } from 'node:child_process';
import { LogBuffer } from './log-buffer.ts';
import { trackChild } from './child-cleanup.ts';
import { waitUntilReady } from './readiness.ts';
import { endpointOf } from './grpc-client.ts';

/** Which server implementation a process runs. */
export type ServerKind = 'etcd' | 'cairn';

/** How a process ended. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** How long `stop()` waits after SIGTERM before it sends SIGKILL, in milliseconds. */
export const stopGraceMs = 5_000;

/** How long a readiness wait lasts unless told otherwise, in milliseconds. */
export const readyTimeoutMsDefault = 30_000;

/** Signals after which the process keeps running, so `kill()` must not wait for an exit. */
const nonTerminatingSignals = new Set<NodeJS.Signals>(['SIGSTOP', 'SIGCONT', 'SIGTSTP', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH']);

/** What a member needs to (re)start its process. */
export interface MemberSpec {
  kind: ServerKind;
  name: string;
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  clientUrl: string;
  peerUrl: string;
  dataDir: string;
}

/** A running (or stopped) cluster member and everything a test does to it. */
export class MemberHandle {
  /** Captured stdout and stderr of every run of this member, interleaved as they arrived. */
  readonly log = new LogBuffer();
  private child: ChildProcess | undefined;
  private exit: Promise<ExitInfo> = Promise.resolve({ code: null, signal: null });
  private lastExit: ExitInfo | undefined;

  /** A member for `spec`; call `start()` to run it. */
  constructor(readonly spec: MemberSpec) {}

  /** The member's name (`--name`). */
  get name(): string {
    return this.spec.name;
  }

  /** `http://127.0.0.1:port` clients use. */
  get clientUrl(): string {
    return this.spec.clientUrl;
  }

  /** `http://127.0.0.1:port` peers use. */
  get peerUrl(): string {
    return this.spec.peerUrl;
  }

  /** `127.0.0.1:port` of the client URL, as gRPC clients and etcdctl want it. */
  get endpoint(): string {
    return endpointOf(this.spec.clientUrl);
  }

  /** The member's data directory. */
  get dataDir(): string {
    return this.spec.dataDir;
  }

  /** The pid of the current process, or undefined when it is not running. */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  /** True while the process runs. */
  get running(): boolean {
    return this.child !== undefined && this.lastExit === undefined;
  }

  /** How the last run ended, or undefined while running or before the first start. */
  get exitInfo(): ExitInfo | undefined {
    return this.lastExit;
  }

  /** Spawns the process (without waiting for readiness). */
  start(): void {
    if (this.running) throw new Error(`${this.name} is already running`);
    const child = spawn(this.spec.command, [...this.spec.args], { env: this.spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.lastExit = undefined;
    this.log.append(`--- ${new Date().toISOString()} start: ${this.spec.command} ${this.spec.args.join(' ')}\n`);
    child.stdout?.on('data', (chunk: Buffer) => this.log.append(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.log.append(chunk));
    // Unreferenced, so a test that forgets to stop a server ends anyway (the exit hook then kills the server).
    child.unref();
    (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
    (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
    this.exit = new Promise((resolve) => {
      child.once('error', (error) => {
        this.log.append(`--- spawn error: ${error.message}\n`);
        this.lastExit = { code: null, signal: null };
        resolve(this.lastExit);
      });
      child.once('exit', (code, signal) => {
        this.lastExit = { code, signal };
        this.log.append(`--- ${new Date().toISOString()} exit: code ${code} signal ${signal}\n`);
        resolve(this.lastExit);
      });
    });
    trackChild(child);
  }

  /** Waits until the member serves /health and gRPC; the error carries the tail of its log. */
  async waitReady(timeoutMs = readyTimeoutMsDefault): Promise<void> {
    try {
      await waitUntilReady(this.clientUrl, timeoutMs, () => this.running);
    } catch (error) {
      throw new Error(`${this.spec.kind} member ${this.name} (${this.clientUrl}): ${(error as Error).message}\n` +
        `--- last lines of its log ---\n${this.log.tail(40)}`);
    }
  }

  /** Sends `signal`; for terminating signals, waits (up to `timeoutMs`) until the process has exited. */
  async kill(signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 10_000): Promise<ExitInfo | undefined> {
    if (!this.running || !this.child) return this.lastExit;
    this.child.kill(signal);
    if (nonTerminatingSignals.has(signal)) return undefined;
    // The child is unreferenced; reference it while we wait, or Node could exit before its 'exit' event.
    this.child.ref();
    return withTimeout(this.exit, timeoutMs, `${this.name} did not exit within ${timeoutMs} ms of ${signal}`);
  }

  /** Stops the process: SIGTERM, then SIGKILL after a grace period. Safe to call when already stopped. */
  async stop(): Promise<void> {
    if (!this.running || !this.child) return;
    this.child.ref();
    // A stopped (SIGSTOP) process cannot handle SIGTERM until it is continued.
    this.child.kill('SIGCONT');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), stopGraceMs);
    await this.exit;
    clearTimeout(timer);
  }

  /** Stops the process if it runs, starts it again with the same flags and data, and waits until it is ready. */
  async restart(readyTimeoutMs = readyTimeoutMsDefault): Promise<void> {
    await this.stop();
    this.start();
    await this.waitReady(readyTimeoutMs);
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), timeoutMs)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
