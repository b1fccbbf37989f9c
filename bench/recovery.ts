// Recovery workloads of a 3-member cluster, side by side with etcd:
// - failover: `kill -9` the leader while a client keeps writing through the other members; measured from the kill
//   to the first write accepted again (and to a new leader being reported). Repeated `rounds` times, restarting
//   the killed member in between.
// - catch-up: `kill -9` a follower, write `writes` keys through the leader, restart the follower; measured from
//   its restart to the moment it has applied everything the leader has (via a snapshot when the log was
//   compacted meanwhile, which etcd's default --snapshot-count of 100,000 makes the case for 100k writes).
import { startServers, type ClusterHandle, type ServerKind } from '../tests/support/processes.ts';
import { connect, type EtcdClient } from '../tests/support/grpc-client.ts';
import type { MemberHandle } from '../tests/support/member.ts';

/** One target's recovery figures. */
export interface RecoveryFigures {
  /** Milliseconds from the kill to the first accepted write, per round. */
  writesBackMs?: number[];
  /** Milliseconds from the kill to a new leader reported by a surviving member, per round. */
  newLeaderMs?: number[];
  /** Milliseconds from the follower's restart to having applied everything. */
  catchUpMs?: number;
  /** Writes made while the follower was down. */
  writes?: number;
}

const pollMs = 10;
const callDeadlineMs = 500;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function leaderOf(cluster: ClusterHandle): Promise<MemberHandle> {
  return cluster.leader();
}

/** Kills the leader `rounds` times; between rounds the killed member is restarted and the cluster settles. */
export async function runFailover(kind: ServerKind, rounds: number): Promise<RecoveryFigures> {
  const cluster = await startServers(kind, { members: 3 });
  const figures: RecoveryFigures = { writesBackMs: [], newLeaderMs: [] };
  try {
    for (let round = 0; round < rounds; round++) {
      const leader = await leaderOf(cluster);
      const survivors = cluster.members.filter((member) => member !== leader);
      const clients = survivors.map((member) => connect(member.endpoint, { deadlineMs: callDeadlineMs }));
      try {
        await clients[0]!.kv.put({ key: 'failover/warm', value: 'x' });
        const oldLeaderId = await memberIdOf(leader);
        const killedAt = performance.now();
        await leader.kill('SIGKILL');
        const [writesBack, newLeader] = await Promise.all([untilWriteAccepted(clients, round, killedAt), untilNewLeader(clients, oldLeaderId, killedAt)]);
        figures.writesBackMs!.push(writesBack);
        figures.newLeaderMs!.push(newLeader);
      } finally {
        for (const client of clients) client.close();
      }
      leader.start();
      await leader.waitReady();
      // Let the restarted member catch up and the cluster settle before the next kill.
      await sleep(1_500);
    }
  } finally {
    await cluster.stop();
  }
  return figures;
}

async function untilWriteAccepted(clients: EtcdClient[], round: number, since: number): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const client = clients[attempt % clients.length]!;
    try {
      await client.kv.put({ key: `failover/${round}`, value: String(attempt) });
      return performance.now() - since;
    } catch {
      if (performance.now() - since > 30_000) throw new Error('no write accepted within 30 s of the leader kill');
      await sleep(pollMs);
    }
  }
}

async function untilNewLeader(clients: EtcdClient[], oldId: string, since: number): Promise<number> {
  for (;;) {
    for (const client of clients) {
      try {
        const status = await client.maintenance.status();
        if (status.leader !== '0' && status.leader !== oldId) return performance.now() - since;
      } catch {
        // This member cannot answer yet.
      }
    }
    if (performance.now() - since > 30_000) throw new Error('no new leader within 30 s of the leader kill');
    await sleep(pollMs);
  }
}

async function memberIdOf(member: MemberHandle): Promise<string> {
  const status = await connectOnce(member.endpoint, (client) => client.maintenance.status());
  return String(status.header?.member_id ?? '');
}

async function connectOnce<T>(endpoint: string, call: (client: EtcdClient) => Promise<T>): Promise<T> {
  const client = connect(endpoint, { deadlineMs: 2_000 });
  try {
    return await call(client);
  } finally {
    client.close();
  }
}

/** A follower misses `writes` writes and then catches up. */
export async function runCatchUp(kind: ServerKind, writes: number, clientsCount: number): Promise<RecoveryFigures> {
  const cluster = await startServers(kind, { members: 3 });
  try {
    const leader = await leaderOf(cluster);
    const follower = cluster.members.find((member) => member !== leader)!;
    await follower.kill('SIGKILL');
    const clients = Array.from({ length: Math.min(clientsCount, 8) }, () => connect(leader.endpoint, { deadlineMs: 10_000 }));
    try {
      const value = 'v'.repeat(256);
      let next = 0;
      await Promise.all(Array.from({ length: clientsCount }, async (_, worker) => {
        const client = clients[worker % clients.length]!;
        while (next < writes) {
          const key = `catch-up/${(next++).toString().padStart(8, '0')}`;
          await client.kv.put({ key, value });
        }
      }));
      const target = await clients[0]!.maintenance.status();
      const restartedAt = performance.now();
      follower.start();
      for (;;) {
        const status = await connectOnce(follower.endpoint, (client) => client.maintenance.status()).catch(() => undefined);
        // etcd 3.4 reports no applied index; its raftIndex (what the member has committed) stands in for it.
        const reached = status === undefined ? 0 : Number(status.raftAppliedIndex) || Number(status.raftIndex);
        if (reached >= Number(target.raftIndex)) break;
        if (performance.now() - restartedAt > 120_000) throw new Error('the follower did not catch up within 120 s');
        await sleep(50);
      }
      return { catchUpMs: performance.now() - restartedAt, writes };
    } finally {
      for (const client of clients) client.close();
    }
  } finally {
    await cluster.stop();
  }
}

/** Median of a list of figures. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
