// A cluster of real server processes (etcd or Cairn, same flags) with a fault proxy in front of every member's
// peer port, for fault-injection tests. Each member listens for peers on its own port but advertises its proxy's
// URL (--initial-advertise-peer-urls and --initial-cluster), so all peer traffic to a member passes through its
// proxy; `network` cuts and heals links between members through the proxies (see peer-network.ts). Members can be
// killed, paused and restarted through their MemberHandle (same flags and data dir).
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { onProcessExit, removeTempDir, trackTempDir } from './child-cleanup.ts';
import { FaultProxy } from './fault-proxy.ts';
import { connect } from './grpc-client.ts';
import { MemberHandle, readyTimeoutMsDefault, type ServerKind } from './member.ts';
import { PeerNetwork } from './peer-network.ts';
import { freePorts, loopbackHost } from './ports.ts';
import { cairnEnginePath, etcdBinaryPath } from './processes.ts';
import { findSocketOwner } from './socket-owner.ts';

/** How to start a proxied cluster. */
export interface ProxiedClusterOptions {
  /** Number of members (default 3). */
  memberCount?: number;
  /** Flags appended to every member's command line. */
  extraFlags?: readonly string[];
  /** Extra environment for the members. */
  env?: NodeJS.ProcessEnv;
  /** Node flags for Cairn members. */
  nodeArgs?: readonly string[];
}

/** Time between leader probes, in milliseconds. */
const leaderPollMs = 100;
/** The deadline of one Status call while looking for the leader. */
const statusDeadlineMs = 1_000;

/** A running cluster behind fault proxies. */
export class ProxiedCluster {
  /** Partitions and delays between members. */
  readonly network: PeerNetwork;

  /** Use startProxiedCluster. */
  constructor(
    readonly kind: ServerKind,
    readonly members: readonly MemberHandle[],
    readonly proxies: readonly FaultProxy[],
    private readonly baseDir: string,
  ) {
    this.network = new PeerNetwork(new Map(members.map((member, index) => [member.name, proxies[index]])));
  }

  /** `127.0.0.1:port` of every member's client port, for gRPC clients. */
  get endpoints(): string[] {
    return this.members.map((member) => member.endpoint);
  }

  /** The member called `name`. */
  member(name: string): MemberHandle {
    const found = this.members.find((member) => member.name === name);
    if (found === undefined) throw new Error(`no member named ${name}`);
    return found;
  }

  /** Waits until every running member is ready (healthy: it sees a leader; and answering gRPC). */
  async waitReady(timeoutMs = readyTimeoutMsDefault): Promise<void> {
    await Promise.all(this.members.filter((member) => member.running).map((member) => member.waitReady(timeoutMs)));
  }

  /** The member that says it leads, or undefined when none does now (asked over gRPC Status). */
  async leader(): Promise<MemberHandle | undefined> {
    const answers = await Promise.all(this.members.filter((member) => member.running).map(async (member) => {
      const client = connect(member.clientUrl, { deadlineMs: statusDeadlineMs });
      try {
        const status = await client.maintenance.status();
        return status.leader !== '0' && status.leader === status.header?.member_id ? member : undefined;
      } catch {
        return undefined;
      } finally {
        client.close();
      }
    }));
    return answers.find((member) => member !== undefined);
  }

  /** Waits until some member leads; throws after `timeoutMs`. */
  async waitForLeader(timeoutMs: number): Promise<MemberHandle> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const leader = await this.leader();
      if (leader !== undefined) return leader;
      if (Date.now() >= deadline) throw new Error(`no ${this.kind} member became leader within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, leaderPollMs));
    }
  }

  /** Every member's captured output, labeled. */
  logs(): string {
    return this.members.map((member) => `===== ${this.kind} member ${member.name} (${member.clientUrl}) =====\n${member.log.text()}`).join('\n');
  }

  /** Kills the members, closes the proxies and removes the data. */
  async stop(): Promise<void> {
    // SIGKILL, not SIGTERM: the data is thrown away, so a graceful stop proves nothing here, and the last etcd
    // member standing waits its 5 s grace period for peers that are gone.
    await Promise.all(this.members.map((member) => member.kill('SIGKILL')));
    await Promise.all(this.proxies.map((proxy) => proxy.close()));
    removeTempDir(this.baseDir);
  }
}

/** Clusters whose logs are printed when the test process fails (the newest few). */
const recentClusters: ProxiedCluster[] = [];
let dumpHookInstalled = false;

function rememberForFailureDump(cluster: ProxiedCluster): void {
  recentClusters.push(cluster);
  if (recentClusters.length > 2) recentClusters.shift();
  if (dumpHookInstalled) return;
  dumpHookInstalled = true;
  onProcessExit((failed) => {
    if (!failed && process.env.CAIRN_TEST_LOGS !== 'always') return;
    for (const cluster of recentClusters) process.stderr.write(`\n${cluster.logs()}\n`);
  });
}

function childEnvironment(extra: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  // etcd reads ETCD_* variables as flags; a stray one in the caller's shell must not change the servers.
  return { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('ETCD_'))), ...extra };
}

/** Starts the members of a `kind` cluster behind peer proxies; does not wait for readiness (see waitReady). */
export async function startProxiedCluster(kind: ServerKind, options: ProxiedClusterOptions = {}): Promise<ProxiedCluster> {
  const memberCount = options.memberCount ?? 3;
  const baseDir = await mkdtemp(path.join(os.tmpdir(), `cairn-cluster-${kind}-`));
  trackTempDir(baseDir);
  const ports = await freePorts(memberCount * 2);
  const names = Array.from({ length: memberCount }, (_, index) => `${kind}${index + 1}`);
  const members: MemberHandle[] = [];
  // Proxies name a connection's source by the member process that opened it; pids change on restart.
  const identifySource = async (clientPort: number, proxyPort: number): Promise<string | undefined> => {
    const running = members.filter((member) => member.pid !== undefined);
    const owner = await findSocketOwner(clientPort, proxyPort, running.map((member) => member.pid!));
    return running.find((member) => member.pid === owner)?.name;
  };
  const proxies = await Promise.all(names.map((name, index) =>
    FaultProxy.start({ targetPort: ports[index * 2 + 1], identifySource, name: `${name} peer proxy` })));
  const initialCluster = names.map((name, index) => `${name}=${proxies[index].url}`).join(',');
  const token = `${kind}-cluster-${process.pid}-${path.basename(baseDir)}`;
  const env = childEnvironment(options.env);
  for (const [index, name] of names.entries()) {
    const clientUrl = `http://${loopbackHost}:${ports[index * 2]}`;
    const dataDir = path.join(baseDir, `${name}.data`);
    const flags = [
      '--name', name, '--data-dir', dataDir,
      '--listen-client-urls', clientUrl, '--advertise-client-urls', clientUrl,
      '--listen-peer-urls', `http://${loopbackHost}:${ports[index * 2 + 1]}`,
      '--initial-advertise-peer-urls', proxies[index].url,
      '--initial-cluster', initialCluster, '--initial-cluster-state', 'new', '--initial-cluster-token', token,
      ...(options.extraFlags ?? []),
    ];
    const command = kind === 'etcd' ? etcdBinaryPath : process.execPath;
    const args = kind === 'etcd' ? flags : [...(options.nodeArgs ?? []), cairnEnginePath, ...flags];
    members.push(new MemberHandle({ kind, name, command, args, env, clientUrl, peerUrl: proxies[index].url, dataDir }));
  }
  const cluster = new ProxiedCluster(kind, members, proxies, baseDir);
  rememberForFailureDump(cluster);
  for (const member of members) member.start();
  return cluster;
}
