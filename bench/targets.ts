// The servers a benchmark runs against: clusters the bench starts itself (temp data dirs, removed afterwards) or
// an existing cluster given by --endpoints. A target that cannot run (Cairn before its engine exists) is reported
// as missing instead of failing the whole run, so the etcd half still gives numbers.
import { cairnEngineAvailable, cairnEnginePath, startServers, type ClusterHandle, type ServerKind } from '../tests/support/processes.ts';
import { connect, endpointOf } from '../tests/support/grpc-client.ts';

/** A cluster ready to be benchmarked. */
export interface BenchTarget {
  kind: ServerKind;
  /** `host:port` of every member. */
  endpoints: string[];
  /** `host:port` of the leader when the run started. */
  leader: string;
  /** Member pids (empty for an external cluster, whose memory we cannot read). */
  pids: number[];
  /** Stops the cluster if the bench started it. */
  stop(): Promise<void>;
}

/** A target that could not be used, and why. */
export interface MissingTarget {
  kind: ServerKind;
  missing: string;
}

/** How to obtain a target. */
export interface TargetOptions {
  members: 1 | 3;
  /** An existing cluster to use instead of starting one. */
  endpoints?: string[];
}

/** Starts (or connects to) a cluster of `kind`; resolves with the reason when it cannot. */
export async function acquireTarget(kind: ServerKind, options: TargetOptions): Promise<BenchTarget | MissingTarget> {
  if (options.endpoints) {
    const endpoints = options.endpoints.map(endpointOf);
    return { kind, endpoints, leader: await leaderEndpoint(endpoints), pids: [], stop: async () => undefined };
  }
  if (kind === 'cairn' && !cairnEngineAvailable()) return { kind, missing: `engine not built yet (${cairnEnginePath})` };
  let cluster: ClusterHandle;
  try {
    cluster = await startServers(kind, { members: options.members });
  } catch (error) {
    // The table shows the first line; the full message (with the member's last log lines) goes to stderr.
    process.stderr.write(`[bench] ${kind} failed to start: ${(error as Error).message}\n`);
    return { kind, missing: `failed to start: ${(error as Error).message.split('\n')[0]}` };
  }
  const endpoints = [...cluster.endpoints];
  return {
    kind,
    endpoints,
    leader: await leaderEndpoint(endpoints),
    pids: cluster.pids,
    stop: () => cluster.stop(),
  };
}

/** True when `target` is usable. */
export function isReady(target: BenchTarget | MissingTarget): target is BenchTarget {
  return !('missing' in target);
}

/** Asks each member for its status and returns the endpoint of the member that leads. */
export async function leaderEndpoint(endpoints: readonly string[]): Promise<string> {
  for (const endpoint of endpoints) {
    const client = connect(endpoint, { deadlineMs: 3_000 });
    try {
      const status = await client.maintenance.status();
      if (status.leader !== undefined && status.leader === status.header?.member_id) return endpoint;
    } catch {
      // This member cannot answer; another may be the leader.
    } finally {
      client.close();
    }
  }
  throw new Error(`no leader among ${endpoints.join(', ')}`);
}
