// Starts real etcd members and Cairn engine members with the same etcd flags, on free 127.0.0.1 ports and
// temporary data directories, and hands back handles for killing, restarting and stopping them. Both kinds are
// driven identically so that side-by-side tests and the bench treat them the same way.
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts, loopbackHost } from './ports.ts';
import { onProcessExit, removeTempDir, trackTempDir } from './child-cleanup.ts';
import { MemberHandle, readyTimeoutMsDefault, type ServerKind } from './member.ts';
import { connect } from './grpc-client.ts';

export { MemberHandle, type ServerKind, type ExitInfo } from './member.ts';

/** The repository root (two folders above this file). */
export const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The Cairn engine executable, a Node script run with the current Node binary (`$CAIRN_ENGINE` overrides it). */
export const cairnEnginePath = process.env.CAIRN_ENGINE ?? path.join(repositoryRoot, 'engine', 'bin', 'cairn-engine');

/** The etcd binary: `$ETCD_BIN` if set, else Debian's. */
export const etcdBinaryPath = process.env.ETCD_BIN ?? '/usr/bin/etcd';

/** True once the Cairn engine executable exists. */
export function cairnEngineAvailable(): boolean {
  return existsSync(cairnEnginePath);
}

/** How to start a cluster. */
export interface StartOptions {
  /** Number of members (default 1). */
  members?: 1 | 3;
  /** A folder for the members' data dirs; kept afterwards. Default: a new temp dir removed by `stop()`/at exit. */
  dataDir?: string;
  /** Flags appended to every member's command line (e.g. `--heartbeat-interval 10`). */
  extraFlags?: readonly string[];
  /** How long to wait for every member to become ready, in milliseconds. */
  readyTimeoutMs?: number;
  /** Extra environment for the children. */
  env?: NodeJS.ProcessEnv;
  /** Node flags for Cairn members (before the script), e.g. `--max-old-space-size=4096`. */
  nodeArgs?: readonly string[];
}

/** A running cluster of one kind. */
export interface ClusterHandle {
  readonly kind: ServerKind;
  readonly members: readonly MemberHandle[];
  /** `http://127.0.0.1:port` of every member. */
  readonly clientUrls: readonly string[];
  /** Peer URLs of every member. */
  readonly peerUrls: readonly string[];
  /** `127.0.0.1:port` of every member, for gRPC clients and etcdctl. */
  readonly endpoints: readonly string[];
  /** Pids of the members that are running now. */
  readonly pids: number[];
  /** The member that currently leads (asked over gRPC Status). */
  leader(): Promise<MemberHandle>;
  /** Sends `signal` to every running member (waiting for exits, as `MemberHandle.kill` does). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Stops every member, starts them all again on the same data dirs and ports, and waits until all are ready. */
  restart(readyTimeoutMs?: number): Promise<void>;
  /** Every member's captured output, labeled. */
  logs(): string;
  /** Stops every member and removes the temp data dir (if we created it). */
  stop(): Promise<void>;
}

/** Clusters whose logs are dumped when the process exits with a failure (the newest few only). */
const recentClusters: ClusterHandle[] = [];
const recentClustersMax = 4;
let dumpHookInstalled = false;
let tokenCounter = 0;

function rememberForFailureDump(cluster: ClusterHandle): void {
  recentClusters.push(cluster);
  if (recentClusters.length > recentClustersMax) recentClusters.shift();
  if (dumpHookInstalled) return;
  dumpHookInstalled = true;
  onProcessExit((failed) => {
    if (!failed && process.env.CAIRN_TEST_LOGS !== 'always') return;
    for (const recent of recentClusters) process.stderr.write(`\n${recent.logs()}\n`);
  });
}

/** Starts a real etcd cluster (Debian's etcd 3.4) and waits until every member is ready. */
export function startEtcd(options: StartOptions = {}): Promise<ClusterHandle> {
  return startCluster('etcd', options);
}

/** Starts a Cairn engine cluster (`node engine/bin/cairn-engine`) and waits until every member is ready. */
export function startCairn(options: StartOptions = {}): Promise<ClusterHandle> {
  if (!cairnEngineAvailable()) {
    return Promise.reject(new Error(`the Cairn engine executable is missing: ${cairnEnginePath}`));
  }
  return startCluster('cairn', options);
}

/** Starts a cluster of either kind. */
export function startServers(kind: ServerKind, options: StartOptions = {}): Promise<ClusterHandle> {
  return kind === 'etcd' ? startEtcd(options) : startCairn(options);
}

function childEnvironment(extra: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  // etcd reads ETCD_* variables as flags; a stray one in the caller's shell must not change the servers.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('ETCD_')));
  return { ...env, ...extra };
}

async function startCluster(kind: ServerKind, options: StartOptions): Promise<ClusterHandle> {
  const memberCount = options.members ?? 1;
  const ownsDataDir = options.dataDir === undefined;
  const baseDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), `cairn-${kind}-`)));
  if (ownsDataDir) trackTempDir(baseDir);
  const ports = await freePorts(memberCount * 2);
  const names = Array.from({ length: memberCount }, (_, index) => `${kind}${index + 1}`);
  const clientUrls = names.map((_, index) => `http://${loopbackHost}:${ports[index * 2]}`);
  const peerUrls = names.map((_, index) => `http://${loopbackHost}:${ports[index * 2 + 1]}`);
  const initialCluster = names.map((name, index) => `${name}=${peerUrls[index]}`).join(',');
  tokenCounter += 1;
  const token = `${kind}-${process.pid}-${tokenCounter}`;
  const env = childEnvironment(options.env);
  const members = names.map((name, index) => {
    const flags = [
      '--name', name,
      '--data-dir', path.join(baseDir, `${name}.data`),
      '--listen-client-urls', clientUrls[index],
      '--advertise-client-urls', clientUrls[index],
      '--listen-peer-urls', peerUrls[index],
      '--initial-advertise-peer-urls', peerUrls[index],
      '--initial-cluster', initialCluster,
      '--initial-cluster-state', 'new',
      '--initial-cluster-token', token,
      ...(options.extraFlags ?? []),
    ];
    const command = kind === 'etcd' ? etcdBinaryPath : process.execPath;
    const args = kind === 'etcd' ? flags : [...(options.nodeArgs ?? []), cairnEnginePath, ...flags];
    return new MemberHandle({
      kind, name, command, args, env, clientUrl: clientUrls[index], peerUrl: peerUrls[index],
      dataDir: path.join(baseDir, `${name}.data`),
    });
  });
  const cluster = clusterHandle(kind, members, async () => {
    // One by one: stopped all at once, etcd's leader waits for peers that are going away and needs SIGKILL
    // after the grace period (5 s); one by one, three members stop in about 0.2 s.
    for (const member of members) await member.stop();
    if (ownsDataDir) removeTempDir(baseDir);
  });
  rememberForFailureDump(cluster);
  for (const member of members) member.start();
  try {
    await Promise.all(members.map((member) => member.waitReady(options.readyTimeoutMs ?? readyTimeoutMsDefault)));
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

function clusterHandle(kind: ServerKind, members: MemberHandle[], stop: () => Promise<void>): ClusterHandle {
  return {
    kind,
    members,
    clientUrls: members.map((member) => member.clientUrl),
    peerUrls: members.map((member) => member.peerUrl),
    endpoints: members.map((member) => member.endpoint),
    get pids() {
      return members.map((member) => member.pid).filter((pid): pid is number => pid !== undefined);
    },
    leader: () => findLeader(members),
    kill: async (signal) => {
      await Promise.all(members.map((member) => member.kill(signal)));
    },
    restart: async (readyTimeoutMs = readyTimeoutMsDefault) => {
      for (const member of members) await member.stop();
      for (const member of members) member.start();
      // Members of a multi-member cluster only become healthy together, once a quorum is back.
      await Promise.all(members.map((member) => member.waitReady(readyTimeoutMs)));
    },
    logs: () => members.map((member) => `===== ${kind} member ${member.name} (${member.clientUrl}) =====\n` +
      member.log.text()).join('\n'),
    stop,
  };
}

/** Asks each running member for its status and returns the one whose id is the reported leader. */
async function findLeader(members: readonly MemberHandle[]): Promise<MemberHandle> {
  for (const member of members.filter((candidate) => candidate.running)) {
    const client = connect(member.clientUrl, { deadlineMs: 2_000 });
    try {
      const status = await client.maintenance.status();
      if (status.leader !== '0' && status.leader === status.header?.member_id) return member;
    } catch {
      // This member cannot answer now (down or without a leader); ask the next one.
    } finally {
      client.close();
    }
  }
  throw new Error('no member reports itself as leader');
}
