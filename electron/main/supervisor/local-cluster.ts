// The bundled local cluster: its members' data under `<rootDir>/<name>.data`, logs under `<logDir>`, identity in
// cluster.json (cluster-layout.ts). Operations run one at a time; state changes and log lines are pushed to
// listeners (the UI). The size is a setting (default 3) applied when a new cluster is created (first start or
// reset); an existing cluster keeps the size it was created with.
import { recoverInterruptedSwap } from './restored-data-dirs.ts';
import fs from 'node:fs';
import path from 'node:path';
import type { CairnError, LocalClusterState, LogLines } from '../../common/contract.ts';
import { logLinesMax } from '../../common/limits.ts';
import { Emitter } from '../util/emitter.ts';
import { SerialQueue } from '../util/serial-queue.ts';
import { createLayout, loadLayout, loopbackUrl, memberFlags, saveLayout, type ClusterLayout, type MemberLayout, type MemberStartOptions } from './cluster-layout.ts';
import { engineCommand, type EngineCommand } from './engine-command.ts';
import { freePorts } from './free-ports.ts';
import { addMember, removeMember, updateMemberPeerUrls, type GatewayTarget } from './member-gateway.ts';
import type { ClientTlsMaterial, LocalTlsSource } from './member-tls.ts';
import { SupervisedMember, supervisionTimingsDefault, type MemberSpec, type SupervisionTimings } from './supervised-member.ts';

/** The default number of members of a new local cluster. */
export const localClusterSizeDefault = 3;

/** Most members the local cluster can have (the layout file's limit), extra members included. */
const localClusterMembersMax = 7;

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
  /** The TLS setting and certificates; without it the cluster always runs plain (and `setTls` refuses). */
  tls?: LocalTlsSource;
}

/** Reports the step an operation is at, in words for the GUI. */
export type StepReporter = (step: string) => void;

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
      members: this.members.map((member, index) => ({ ...member.view(), joined: this.layout?.members[index]?.joined === true })),
      error: this.error,
      tls: this.tlsEnabled(),
    };
  }

  /** The CA and client certificate Cairn presents while any member serves https; null while all serve http. */
  clientTls(): ClientTlsMaterial | null {
    return this.members.some((member) => member.spec.clientUrl.startsWith('https:')) ? this.options.tls!.clientMaterial() : null;
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
      recoverInterruptedSwap(this.members.map((member) => member.spec));
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

  /**
   * Turns TLS with client-certificate auth on or off and moves the running cluster there without losing data or
   * member ids. The cluster knows each member by its peer URL, and an https URL needs a TLS listener, so the switch
   * goes as etcd's documentation does it, one member at a time so a quorum always runs: (1) restart each member
   * with its client URL in the new scheme and a second peer listener in the new scheme on a new port (with the
   * peer certificate, so every member can also dial https peers); (2) MemberUpdate each member to its new peer
   * URL; (3) restart each member with only the new listener. A cluster not created yet is simply created that way.
   */
  setTls(enabled: boolean, report: StepReporter = () => undefined): Promise<LocalClusterState> {
    return this.queue.run(() => this.during('securing', async () => {
      const tls = this.options.tls;
      if (!tls) throw new Error('this local cluster has no certificate store');
      let renewed = false;
      if (enabled) {
        report('Making a certificate authority and the server, peer and client certificates');
        renewed = await tls.enable();
      } else tls.disable();
      const layout = this.layout;
      if (!layout) return;
      report('Starting the members');
      await this.startAll();
      const switching = layout.members.filter((member) => (member.peerSecure === true) !== enabled);
      const ports = await freePorts(switching.length);
      const nextPeerUrls = new Map(switching.map((member, index) => [member.name, loopbackUrl(ports[index]!, enabled)]));
      for (const [index, member] of this.members.entries()) {
        const nextPeerUrl = nextPeerUrls.get(member.name);
        const options = nextPeerUrl === undefined ? this.startOptions(layout) : { ...this.startOptions(layout), peerTls: tls.files(), nextPeerUrl };
        const scheme = enabled ? 'https' : 'http';
        report(`Restarting ${member.name} with an ${scheme} client URL${nextPeerUrl ? ` and a second peer listener at ${nextPeerUrl}` : ''}`);
        await this.restartWith(member, layout.members[index]!, options, renewed);
      }
      for (const [index, member] of this.members.entries()) {
        const saved = layout.members[index]!;
        const nextPeerUrl = nextPeerUrls.get(member.name);
        if (nextPeerUrl === undefined) continue;
        if (saved.memberId === null) throw new Error(`the member id of ${member.name} is not known yet`);
        report(`Moving ${member.name} to peer URL ${nextPeerUrl}`);
        await updateMemberPeerUrls(this.gatewayOf(member), saved.memberId, [nextPeerUrl]);
        saved.peerPort = Number(new URL(nextPeerUrl).port);
        saved.peerSecure = enabled;
        saveLayout(this.options.rootDir, layout);
      }
      for (const [index, member] of this.members.entries()) {
        if (!nextPeerUrls.has(member.name)) continue;
        report(`Restarting ${member.name} with its ${enabled ? 'https' : 'http'} peer URL only`);
        await this.restartWith(member, layout.members[index]!, this.startOptions(layout), false);
      }
      report(enabled ? 'Every member serves https and requires a client certificate' : 'Every member serves plain http again');
    }));
  }

  /**
   * Adds a member to the running cluster on new free ports: MemberAdd (as a learner when asked) through a running
   * member, then the new process starts with `--initial-cluster-state existing` and joins. Resolves once it is
   * healthy; a member that was registered but did not come up stays listed so the user can see why and remove it.
   */
  addMember(asLearner: boolean): Promise<LocalClusterState> {
    return this.queue.run(async () => {
      const layout = this.layout;
      if (!layout) throw new Error('the local cluster has not been created yet');
      if (layout.members.length >= localClusterMembersMax) throw new Error(`the local cluster has ${layout.members.length} members, the most it can have`);
      const [clientPort, peerPort] = await freePorts(2);
      const used = new Set(layout.members.map((member) => member.name));
      let number = layout.members.length + 1;
      while (used.has(`member-${number}`)) number += 1;
      const added: MemberLayout = {
        name: `member-${number}`, clientPort: clientPort!, peerPort: peerPort!, memberId: null,
        peerSecure: layout.members.some((member) => member.peerSecure === true), joined: true,
      };
      added.memberId = await addMember(this.gatewayOf(this.runningMember()), loopbackUrl(added.peerPort, added.peerSecure), asLearner);
      layout.members.push(added);
      layout.size = layout.members.length;
      saveLayout(this.options.rootDir, layout);
      const member = this.buildMember(layout, added);
      this.members.push(member);
      this.changed();
      await member.start();
      this.rememberMemberIds();
      return this.state();
    });
  }

  /**
   * Removes a member that was added with `addMember` (the founding members stay: the cluster was created with
   * them): stops its process, MemberRemove through another running member, then deletes its data.
   */
  removeMember(name: string): Promise<LocalClusterState> {
    return this.queue.run(async () => {
      const layout = this.layout;
      const index = this.members.findIndex((member) => member.name === name);
      const saved = layout?.members[index];
      if (!layout || !saved) throw new Error(`the local cluster has no member named ${JSON.stringify(name)}`);
      if (saved.joined !== true) throw new Error(`${name} founded the local cluster and stays; only members added later can be removed (reset changes the size)`);
      const member = this.members[index]!;
      // Stopped first: a member learns of its own removal and exits, which would otherwise look like a crash.
      await member.stop();
      if (saved.memberId !== null) {
        try {
          await removeMember(this.gatewayOf(this.runningMember()), saved.memberId);
        } catch (error) {
          await member.start().catch(() => undefined);
          throw error;
        }
      }
      fs.rmSync(member.spec.dataDir, { recursive: true, force: true });
      layout.members.splice(index, 1);
      layout.size = layout.members.length;
      saveLayout(this.options.rootDir, layout);
      this.members.splice(index, 1);
      this.changed();
      return this.state();
    });
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
    this.layout = await createLayout(size, this.tlsEnabled());
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
    return layout.members.map((member) => this.buildMember(layout, member));
  }

  private buildMember(layout: ClusterLayout, member: MemberLayout): SupervisedMember {
    const listener = { onChange: () => this.changed(), onLog: (name: string, lines: string[]) => this.queueLog(name, lines) };
    const supervised = new SupervisedMember(this.specOf(layout, member, this.startOptions(layout)), this.timings, listener);
    supervised.setKnownMemberId(member.memberId);
    return supervised;
  }

  private specOf(layout: ClusterLayout, member: MemberLayout, options: MemberStartOptions): MemberSpec {
    const dataDir = path.join(this.options.rootDir, `${member.name}.data`);
    const secureClient = options.clientTls !== undefined;
    return {
      name: member.name,
      command: this.engine.command,
      args: [...this.engine.args, ...memberFlags(layout, member, dataDir, options), ...(this.options.extraFlags ?? [])],
      env: this.engine.env,
      clientUrl: loopbackUrl(member.clientPort, secureClient),
      peerUrl: loopbackUrl(member.peerPort, member.peerSecure === true),
      dataDir,
      logFile: path.join(this.options.logDir, `${member.name}.log`),
      ...(secureClient ? { probeTls: this.options.tls!.clientMaterial() } : {}),
    };
  }

  /**
   * TLS of a member's start when nothing is being switched: https client URL with the setting on; the peer
   * certificate whenever any peer URL of the cluster is https (to serve it, or to dial it).
   */
  private startOptions(layout: ClusterLayout): MemberStartOptions {
    const tls = this.options.tls;
    if (!tls) return {};
    const peerTls = layout.members.some((member) => member.peerSecure === true);
    return { ...(tls.enabled() ? { clientTls: tls.files() } : {}), ...(peerTls ? { peerTls: tls.files() } : {}) };
  }

  /** Restarts `member` with new flags, unless it already runs with exactly those (and `force` is false). */
  private async restartWith(member: SupervisedMember, saved: MemberLayout, options: MemberStartOptions, force: boolean): Promise<void> {
    const spec = this.specOf(this.layout!, saved, options);
    const running = member.view().state === 'running';
    if (!force && running && JSON.stringify(spec.args) === JSON.stringify(member.spec.args)) return;
    await member.stop();
    member.respec(spec);
    await member.start();
    this.rememberMemberIds();
  }

  private tlsEnabled(): boolean {
    return this.options.tls?.enabled() ?? false;
  }

  private gatewayOf(member: SupervisedMember): GatewayTarget {
    return { clientUrl: member.spec.clientUrl, ...(member.spec.probeTls ? { tls: member.spec.probeTls } : {}) };
  }

  private runningMember(): SupervisedMember {
    const found = this.members.find((member) => member.view().state === 'running');
    if (!found) throw new Error('no member of the local cluster is running');
    return found;
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
