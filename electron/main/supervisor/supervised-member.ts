// One engine member under supervision: spawned with a stdin pipe that carries only a stop request
// (member-launcher.mjs stops the member on "stop" and when that pipe closes, so even a SIGKILLed app leaves no
// orphan), watched for readiness through /health, restarted with back-off after a crash, stopped gracefully on
// request and with SIGKILL after a grace period.
// Its output goes to a rotating file, to an in-memory ring for the log view, and to listeners.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { LocalMember, LocalMemberState } from '../../common/contract.ts';
import { logLinesMax } from '../../common/limits.ts';
import { probeHealth, probeMemberId } from './health-probe.ts';
import type { ClientTlsMaterial } from './member-tls.ts';
import { LineRing } from './line-ring.ts';
import { LineSplitter } from './line-splitter.ts';
import { RotatingLog } from './rotating-log.ts';

/** What it takes to run one member. */
export interface MemberSpec {
  name: string;
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  clientUrl: string;
  peerUrl: string;
  dataDir: string;
  logFile: string;
  /** With an https client URL: the CA and client certificate the health probes use. */
  probeTls?: ClientTlsMaterial;
}

/** Timing of supervision; tests shorten these. */
export interface SupervisionTimings {
  /** How long a starting member may take to answer /health, in milliseconds. */
  readyTimeoutMs: number;
  /** Time between readiness probes while starting, in milliseconds. */
  readyPollMs: number;
  /** Time between health probes while running, in milliseconds. */
  healthPollMs: number;
  /** How long a graceful stop may take before SIGKILL, in milliseconds. */
  stopGraceMs: number;
  /** Delay before the n-th consecutive crash restart (the last one repeats), in milliseconds. */
  restartDelaysMs: readonly number[];
  /** A member that ran this long without crashing starts its back-off from the beginning again, in ms. */
  stableAfterMs: number;
}

/** Defaults for a desktop machine. */
export const supervisionTimingsDefault: SupervisionTimings = {
  readyTimeoutMs: 30_000,
  readyPollMs: 100,
  healthPollMs: 2_000,
  stopGraceMs: 5_000,
  restartDelaysMs: [500, 1_000, 2_000, 5_000, 10_000, 30_000],
  stableAfterMs: 60_000,
};

/** The line on a member's stdin that asks it to stop gracefully (member-launcher.mjs knows it too). */
export const memberStopRequest = 'stop';

/** How long we wait for a SIGKILLed process to be reaped before giving up on it, in milliseconds. */
const killReapTimeoutMs = 5_000;

/** Callbacks of a supervised member. */
export interface MemberListener {
  onChange(): void;
  onLog(name: string, lines: string[]): void;
}

/** One supervised engine member. */
export class SupervisedMember {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private state: LocalMemberState = 'stopped';
  /** True while the user wants this member running: exits then count as crashes and are restarted. */
  private wanted = false;
  private memberId: string | null = null;
  private crashRestarts = 0;
  private crashStreak = 0;
  private lastExit: LocalMember['lastExit'] = null;
  private nextRestartAt: number | null = null;
  private restartTimer: NodeJS.Timeout | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  /** True while writes to the log file fail (reported once, not once per line). */
  private logFailed = false;
  private readonly ring = new LineRing(logLinesMax);
  private readonly log: RotatingLog;

  /** A stopped member for `spec`. */
  constructor(private currentSpec: MemberSpec, private readonly timings: SupervisionTimings, private readonly listener: MemberListener) {
    mkdirSync(path.dirname(currentSpec.logFile), { recursive: true });
    this.log = new RotatingLog(currentSpec.logFile);
  }

  /** How the member is run. */
  get spec(): MemberSpec {
    return this.currentSpec;
  }

  /**
   * Runs the member differently from its next start on (other flags or URLs, e.g. TLS turned on). Only while it is
   * stopped: a running process keeps the flags it was started with. The name, data and log file stay.
   */
  respec(spec: MemberSpec): void {
    if (this.child) throw new Error(`${this.name} must be stopped before its flags change`);
    if (spec.name !== this.currentSpec.name || spec.logFile !== this.currentSpec.logFile) throw new Error('respec keeps the name and log file');
    this.currentSpec = spec;
    this.listener.onChange();
  }

  /** The member's name. */
  get name(): string {
    return this.spec.name;
  }

  /** The pid of the running process, or undefined. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** What the UI shows about this member (the cluster adds whether it joined later). */
  view(): Omit<LocalMember, 'joined'> {
    return {
      name: this.spec.name,
      memberId: this.memberId,
      state: this.state,
      pid: this.child?.pid ?? null,
      clientUrl: this.spec.clientUrl,
      peerUrl: this.spec.peerUrl,
      dataDir: this.spec.dataDir,
      logFile: this.spec.logFile,
      crashRestarts: this.crashRestarts,
      lastExit: this.lastExit,
      nextRestartAt: this.nextRestartAt === null ? null : new Date(this.nextRestartAt).toISOString(),
    };
  }

  /** The newest `count` lines of output. */
  tail(count: number): string[] {
    return this.ring.tail(count);
  }

  /** The member id learned from the member (or persisted from an earlier run). */
  setKnownMemberId(id: string | null): void {
    this.memberId = id;
  }

  /** Starts the member (if not running) and resolves once it is healthy; rejects with the reason otherwise. */
  async start(): Promise<void> {
    this.wanted = true;
    this.cancelRestart();
    if (!this.child) this.spawn();
    await this.waitReady();
  }

  /** Stops the member gracefully (a stop request, then SIGKILL after the grace period); it stays stopped. */
  async stop(): Promise<void> {
    this.wanted = false;
    this.cancelRestart();
    const child = this.child;
    if (!child) {
      this.setState('stopped');
      return;
    }
    this.setState('stopping');
    this.note(`stopping (graceful, SIGKILL after ${this.timings.stopGraceMs} ms)`);
    // The request goes over stdin rather than as SIGTERM: Windows has no catchable signals, and the launcher turns
    // the request into the engine's own graceful shutdown on every platform. SIGTERM only when stdin is gone.
    if (child.stdin?.writable) child.stdin.write(`${memberStopRequest}\n`);
    else child.kill('SIGTERM');
    if (!(await this.exitWithin(this.timings.stopGraceMs))) {
      this.note('did not stop in time; sending SIGKILL');
      child.kill('SIGKILL');
      if (!(await this.exitWithin(killReapTimeoutMs))) throw new Error(`${this.name} (pid ${child.pid}) did not exit after SIGKILL`);
    }
  }

  /** Kills the process at once without waiting (used when main itself is exiting). */
  killNow(): void {
    this.wanted = false;
    this.cancelRestart();
    this.child?.kill('SIGKILL');
  }

  private spawn(): void {
    mkdirSync(this.spec.dataDir, { recursive: true });
    this.note(`starting: ${[this.spec.command, ...this.spec.args].join(' ')}`);
    // stdin carries only the stop request; its end is how the member notices that we died (member-launcher.mjs).
    const child = spawn(this.spec.command, [...this.spec.args], { env: this.spec.env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    this.child = child;
    this.startedAt = Date.now();
    this.setState('starting');
    const stdout = new LineSplitter();
    const stderr = new LineSplitter();
    child.stdout?.on('data', (chunk: Buffer) => this.output(stdout.push(chunk)));
    child.stderr?.on('data', (chunk: Buffer) => this.output(stderr.push(chunk)));
    child.stdin?.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      let settled = false;
      const finish = (code: number | null, signal: string | null, reason: string): void => {
        if (settled) return;
        settled = true;
        this.output([...stdout.end(), ...stderr.end()]);
        this.onExit(child, code, signal, reason);
        resolve();
      };
      child.once('error', (error) => finish(null, null, `could not start: ${error.message}`));
      child.once('exit', (code, signal) => finish(code, signal, `exited with ${signal ? `signal ${signal}` : `code ${code}`}`));
    });
  }

  private onExit(child: ChildProcess, code: number | null, signal: string | null, reason: string): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.stopHealthChecks();
    this.lastExit = { code, signal, at: new Date().toISOString() };
    this.note(reason);
    if (!this.wanted) {
      this.setState('stopped');
      return;
    }
    // An exit nobody asked for is a crash: restart after a delay that grows with consecutive crashes.
    if (Date.now() - this.startedAt >= this.timings.stableAfterMs) this.crashStreak = 0;
    const delays = this.timings.restartDelaysMs;
    const delay = delays[Math.min(this.crashStreak, delays.length - 1)]!;
    this.crashStreak += 1;
    this.nextRestartAt = Date.now() + delay;
    this.setState('crashed');
    this.note(`crashed; restarting in ${delay} ms (crash ${this.crashStreak} in a row)`);
    this.setState('waiting-to-restart');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.nextRestartAt = null;
      if (!this.wanted || this.child) return;
      this.crashRestarts += 1;
      this.spawn();
      // Only the first line: the rest of the message repeats output lines the log already has. Nothing to say
      // when the member was stopped on request meanwhile: that is why it did not become healthy.
      this.waitReady().catch((error: Error) => {
        if (this.wanted) this.note(`restart did not become healthy: ${error.message.split('\n')[0]}`);
      });
    }, delay);
  }

  private async waitReady(): Promise<void> {
    const child = this.child;
    if (!child) throw new Error(`${this.name} is not running`);
    const deadline = Date.now() + this.timings.readyTimeoutMs;
    let last = 'no probe yet';
    while (Date.now() < deadline) {
      if (this.child !== child) throw new Error(`${this.name} ${this.lastExitText()} before it became healthy (last probe: ${last})\n${this.tail(10).join('\n')}`);
      const health = await probeHealth(this.spec.clientUrl, this.spec.probeTls);
      last = health.detail;
      if (health.healthy && this.child === child) {
        this.memberId = (await probeMemberId(this.spec.clientUrl, this.spec.probeTls)) ?? this.memberId;
        this.setState('running');
        this.startHealthChecks(child);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, this.timings.readyPollMs));
    }
    if (this.child === child) this.setState('unhealthy');
    throw new Error(`${this.name} was not healthy within ${this.timings.readyTimeoutMs} ms (last probe: ${last})`);
  }

  private startHealthChecks(child: ChildProcess): void {
    this.stopHealthChecks();
    const check = async (): Promise<void> => {
      const health = await probeHealth(this.spec.clientUrl, this.spec.probeTls);
      if (this.child !== child || this.state === 'stopping') return;
      const next = health.healthy ? 'running' : 'unhealthy';
      if (next !== this.state) this.note(health.healthy ? 'healthy again' : `unhealthy: ${health.detail}`);
      this.setState(next);
      this.healthTimer = setTimeout(() => void check(), this.timings.healthPollMs);
    };
    this.healthTimer = setTimeout(() => void check(), this.timings.healthPollMs);
  }

  private stopHealthChecks(): void {
    clearTimeout(this.healthTimer);
    this.healthTimer = undefined;
  }

  private cancelRestart(): void {
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.nextRestartAt = null;
  }

  private async exitWithin(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const result = await Promise.race([this.exited.then(() => true as const), timedOut]);
    clearTimeout(timer);
    return result;
  }

  private lastExitText(): string {
    if (!this.lastExit) return 'stopped';
    return this.lastExit.signal ? `was killed by ${this.lastExit.signal}` : `exited with code ${this.lastExit.code}`;
  }

  private setState(state: LocalMemberState): void {
    if (state === this.state) return;
    this.state = state;
    this.listener.onChange();
  }

  private output(lines: string[]): void {
    if (lines.length === 0) return;
    try {
      this.log.append(`${lines.join('\n')}\n`);
      this.logFailed = false;
    } catch (error) {
      // A log file that cannot be written (disk full) must not take the supervisor down: the lines still reach
      // the ring and the GUI, and the failure is reported once per episode where developers look.
      if (!this.logFailed) console.error(`cairn: cannot write ${this.spec.logFile}: ${(error as Error).message}`);
      this.logFailed = true;
    }
    this.ring.push(lines);
    this.listener.onLog(this.spec.name, lines);
  }

  /** A supervisor line in the member's log, in the engine's JSON line format so the log view parses both. */
  private note(message: string): void {
    this.output([JSON.stringify({ level: 'info', ts: new Date().toISOString(), caller: 'supervisor', msg: message })]);
  }
}
