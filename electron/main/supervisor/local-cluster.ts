// The bundled local cluster: its members' data under `<rootDir>/<name>.data`, logs under `<logDir>`, identity in
// cluster.json (cluster-layout.ts). Operations run one at a time; state changes and log lines are pushed to
// listeners (the UI). The size is a setting (default 3) applied when a new cluster is created (first start or
// reset); an existing cluster keeps the size it was created with.
import fs from 'node:fs';
import path from 'node:path';
import type { CairnError, LocalClusterState, LogLines } from '../../common/contract.ts';
import { logLinesMax } from '../../common/limits.ts';
import { Emitter } from '../util/emitter.ts';
import { SerialQueue } from '../util/serial-queue.ts';
import { createLayout, loadLayout, loopbackUrl, memberFlags, saveLayout, type ClusterLayout } from './cluster-layout.ts';
import { engineCommand, type EngineCommand } from './engine-command.ts';
import { SupervisedMember, supervisionTimingsDefault, type SupervisionTimings } from './supervised-member.ts';

/** The default number of members of a new local cluster. */
export const localClusterSizeDefault = 3;

/** How often batched log lines are pushed to listeners, in milliseconds (a chatty member must not flood IPC). */
const logFlushMs = 100;

/** Most lines held for one push; older ones are dropped from the push (the file and ring still have them). */
const logPushLinesMax = 2_000;

/** Options of the local cluster. */
export interface LocalClusterOptions {
  /** Folder of cluster.json and the members' data dirs. */
  rootDir: string;
  /** Folder of the members' log files. */
  logDir: string;
  /** Size of a newly created cluster. */
  size?: number;
  engine?: EngineCommand;
  timings?: Partial<SupervisionTimings>;
  /** Flags added to every member (tests shorten heartbeats, for example). */
  extraFlags?: readonly string[];
}

type Phase = LocalClusterState['phase'];

/** Supervises the local cluster's members. */
export class LocalCluster {
  private layout: ClusterLayout | undefined;
  private members: SupervisedMember[] = [];
  private operation: Phase | undefined;
  private error: CairnError | null = null;
  private size: number;
  private readonly queue = new SerialQueue();
  private readonly timings: SupervisionTimings;
  private readonly engine: EngineCommand;
  private readonly stateEmitter = new Emitter<LocalClusterState>();
  private readonly logEmitter = new Emitter<LogLines>();
  private readonly pendingLogs = new Map<string, string[]>();
  private logTimer: NodeJS.Timeout | undefined;

  /** Fires with the whole state whenever a member or the cluster changes. */
  readonly onDidChangeState = this.stateEmitter.event;
  /** Fires with new output lines of a member, batched. */
  readonly onDidAppendLog = this.logEmitter.event;

  /** A supervisor for the cluster in `options.rootDir` (nothing starts until `start()`). */
  constructor(private readonly options: LocalClusterOptions) {
    this.size = options.size ?? localClusterSizeDefault;
    this.timings = { ...supervisionTimingsDefault, ...options.timings };
    this.engine = options.engine ?? engineCommand();
    this.layout = loadLayout(options.rootDir);
    if (this.layout) this.members = this.buildMembers(this.layout);
  }

  /** The state the UI shows. */
  state(): LocalClusterState {
    return {
      phase: this.operation ?? this.settledPhase(),
      size: this.layout?.size ?? this.size,
      dataDir: this.options.rootDir,
      members: this.members.map((member) => member.view()),
      error: this.error,
    };
  }

  /** `http://127.0.0.1:port` of every member's client URL (empty before the first start). */
  clientUrls(): string[] {
    return this.members.map((member) => member.spec.clientUrl);
  }

  /** Pids of the running member processes. */
  pids(): number[] {
    return this.members.map((member) => member.pid).filter((pid): pid is number => pid !== undefined);
  }

  /** Creates the cluster if needed and starts every member; resolves once all are healthy. */
  start(): Promise<LocalClusterState> {
    return this.queue.run(() => this.during('starting', async () => {
      if (!this.layout) await this.create(this.size);
      await this.startAll();
    }));
  }

  /** Stops every member gracefully. */
  stop(): Promise<LocalClusterState> {
    return this.queue.run(() => this.during('stopping', () => this.stopAll()));
  }

  /** Starts one member. */
  startMember(name: string): Promise<LocalClusterState> {
    return this.queue.run(async () => {
      await this.member(name).start();
      this.rememberMemberIds();
      return this.state();
    });
  }

  /** Stops one member (it stays stopped until started). */
  stopMember(name: string): Promise<LocalClusterState> {
    return this.queue.run(async () => {
      await this.member(name).stop();
      return this.state();
    });
  }

  /** Stops and starts one member. */
  restartMember(name: string): Promise<LocalClusterState> {
    return this.queue.run(async () => {
      const member = this.member(name);
      await member.stop();
      await member.start();
      return this.state();
    });
  }

  /** The newest lines of a member's output. */
  logs(name: string, lines = logLinesMax): LogLines {
    return { name, lines: this.member(name).tail(Math.min(lines, logLinesMax)) };
  }

  /** Stops every member, deletes all data, and starts a new empty cluster (of `size` members if given). */
  reset(size?: number): Promise<LocalClusterState> {
    return this.queue.run(() => this.during('resetting', async () => {
      await this.stopAll();
      this.wipe();
      await this.create(size ?? this.layout?.size ?? this.size);
      await this.startAll();
    }));
  }

  /**
   * Stops every member, lets `replace` rewrite the data dirs (snapshot restore), then starts them again. The
   * layout is handed over so the caller knows each member's data dir and identity.
   */
  replaceData(replace: (members: Array<{ name: string; dataDir: string; peerUrl: string }>, layout: ClusterLayout) => Promise<void>): Promise<LocalClusterState> {
    return this.queue.run(() => this.during('restoring', async () => {
      if (!this.layout) throw new Error('the local cluster has not been created yet');
      await this.stopAll();
      await replace(this.members.map((member) => ({ name: member.name, dataDir: member.spec.dataDir, peerUrl: member.spec.peerUrl })), this.layout);
      await this.startAll();
    }));
  }

  /** Stops every member (graceful), for app quit. */
  async dispose(): Promise<void> {
    await this.queue.run(() => this.stopAll());
    clearTimeout(this.logTimer);
  }

  /** Kills every member at once; for a main process that must exit synchronously. */
  killNow(): void {
    for (const member of this.members) member.killNow();
  }

  private async during(phase: Phase, work: () => Promise<void>): Promise<LocalClusterState> {
    this.operation = phase;
    this.error = null;
    this.changed();
    try {
      await work();
    } catch (error) {
      this.error = { code: 'unavailable', message: `The local cluster could not finish ${phase}: ${(error as Error).message}` };
      throw error;
    } finally {
      this.operation = undefined;
      this.changed();
    }
    return this.state();
  }

  private async create(size: number): Promise<void> {
    this.layout = await createLayout(size);
    fs.mkdirSync(this.options.rootDir, { recursive: true });
    saveLayout(this.options.rootDir, this.layout);
    this.members = this.buildMembers(this.layout);
  }

  private async startAll(): Promise<void> {
    // All at once: members of a multi-member cluster only become healthy together, once a quorum runs.
    const results = await Promise.allSettled(this.members.map((member) => member.start()));
    this.rememberMemberIds();
    const failures = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failures.length > 0) throw new Error(failures.map((failure) => (failure.reason as Error).message).join('; '));
  }

  private async stopAll(): Promise<void> {
    // One by one, as etcd's own tests do: a leader stopping while its peers go away waits on them.
    for (const member of [...this.members].reverse()) await member.stop();
  }

  private wipe(): void {
    for (const member of this.members) fs.rmSync(member.spec.dataDir, { recursive: true, force: true });
    fs.rmSync(path.join(this.options.rootDir, 'cluster.json'), { force: true });
    this.layout = undefined;
    this.members = [];
  }

  private rememberMemberIds(): void {
    if (!this.layout) return;
    let changed = false;
    for (const [index, member] of this.members.entries()) {
      const id = member.view().memberId;
      const saved = this.layout.members[index]!;
      if (id !== null && saved.memberId !== id) {
        saved.memberId = id;
        changed = true;
      }
    }
    if (changed) saveLayout(this.options.rootDir, this.layout);
  }

  private buildMembers(layout: ClusterLayout): SupervisedMember[] {
    const listener = { onChange: () => this.changed(), onLog: (name: string, lines: string[]) => this.queueLog(name, lines) };
    return layout.members.map((member) => {
      const dataDir = path.join(this.options.rootDir, `${member.name}.data`);
      const supervised = new SupervisedMember({
        name: member.name,
        command: this.engine.command,
        args: [...this.engine.args, ...memberFlags(layout, member, dataDir), ...(this.options.extraFlags ?? [])],
        env: this.engine.env,
        clientUrl: loopbackUrl(member.clientPort),
        peerUrl: loopbackUrl(member.peerPort),
        dataDir,
        logFile: path.join(this.options.logDir, `${member.name}.log`),
      }, this.timings, listener);
      supervised.setKnownMemberId(member.memberId);
      return supervised;
    });
  }

  private member(name: string): SupervisedMember {
    const found = this.members.find((member) => member.name === name);
    if (!found) throw new Error(`the local cluster has no member named ${JSON.stringify(name)}`);
    return found;
  }

  private settledPhase(): Phase {
    if (this.members.length === 0) return 'stopped';
    const states = this.members.map((member) => member.view().state);
    if (states.every((state) => state === 'running')) return 'running';
    if (states.every((state) => state === 'stopped')) return this.error ? 'failed' : 'stopped';
    return 'degraded';
  }

  private changed(): void {
    this.stateEmitter.fire(this.state());
  }

  private queueLog(name: string, lines: string[]): void {
    const pending = this.pendingLogs.get(name) ?? [];
    pending.push(...lines);
    if (pending.length > logPushLinesMax) pending.splice(0, pending.length - logPushLinesMax);
    this.pendingLogs.set(name, pending);
    this.logTimer ??= setTimeout(() => {
      this.logTimer = undefined;
      for (const [member, batch] of this.pendingLogs) this.logEmitter.fire({ name: member, lines: batch });
      this.pendingLogs.clear();
    }, logFlushMs);
  }
}
