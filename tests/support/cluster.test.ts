// The proxied cluster helper against a real 3-member etcd: every peer connection goes through a proxy that knows
// which member opened it, and isolating a member cuts it off in both directions until the network heals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startProxiedCluster } from './cluster.ts';
import { connect } from './grpc-client.ts';
import { etcdBinaryPath } from './processes.ts';
import { skipUnlessInstalled } from './tools.ts';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

test('a 3-member etcd cluster behind peer proxies: isolating a member cuts it off both ways until healed', { skip: skipUnlessInstalled(etcdBinaryPath) }, async () => {
  const cluster = await startProxiedCluster('etcd');
  const clients = cluster.members.map((member) => connect(member.clientUrl, { deadlineMs: 2_000 }));
  try {
    await cluster.waitReady(20_000);
    cluster.proxies.forEach((proxy, index) => {
      const sources = proxy.openSources();
      const others = cluster.members.filter((_, other) => other !== index).map((member) => member.name);
      assert.ok(sources.length > 0 && sources.every((source) => source !== undefined && others.includes(source)),
        `${proxy.name}: every peer connection comes from another member, got ${JSON.stringify(sources)}`);
      assert.equal(proxy.stats.unidentified, 0, `${proxy.name}: a connection whose source is unknown would slip through partitions`);
    });
    const leader = await cluster.waitForLeader(5_000);
    const victimIndex = cluster.members.findIndex((member) => member !== leader);
    const victim = clients[victimIndex];
    cluster.network.isolate(cluster.members[victimIndex].name);
    await clients[cluster.members.indexOf(leader)].kv.put({ key: 'isolated', value: 'written during the partition' });
    // Heartbeats no longer reach the victim (it loses its leader), and it never sees the write.
    let leaderLost = false;
    for (let attempt = 0; attempt < 50 && !leaderLost; attempt += 1) {
      await sleep(100);
      const seen = await victim.kv.range({ key: 'isolated', serializable: true });
      assert.equal(seen.kvs.length, 0, 'the isolated member must not receive the write');
      leaderLost = (await victim.maintenance.status()).leader === '0';
    }
    assert.ok(leaderLost, 'the isolated member still sees a leader after 5 s');
    cluster.network.heal();
    let caughtUp = false;
    for (let attempt = 0; attempt < 100 && !caughtUp; attempt += 1) {
      await sleep(100);
      caughtUp = (await victim.kv.range({ key: 'isolated', serializable: true })).kvs.length === 1;
    }
    assert.ok(caughtUp, 'the member caught up within 10 s of healing');
  } finally {
    for (const client of clients) client.close();
    await cluster.stop();
  }
});
