// A simple token used on a member that has not applied the Authenticate entry that minted it (E2E_TARGET=cairn|etcd,
// default cairn): three members behind fault proxies; one follower is cut off from its peers, alice authenticates
// through another member, and a serializable read with her token reaches the cut-off member at once. etcd waits
// until that member has applied the entry (its simple tokens wait on the applied index) instead of answering
// "invalid auth token"; once the network heals, the read is answered.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { etcdctlBinaryPath, skipUnlessInstalled } from '../support/etcdctl.ts';
import { startProxiedCluster, type ProxiedCluster } from '../support/cluster.ts';
import { sleep, target, targetUnavailableReason } from './target.ts';
import { authenticate, etcdctlOk, readWithToken } from './auth-support.ts';

describe(`a simple token on a ${target} member that has not applied it yet`, { skip: skipUnlessInstalled(etcdctlBinaryPath) }, () => {
  let cluster: ProxiedCluster;

  before(async () => {
    assert.equal(targetUnavailableReason(), undefined);
    cluster = await startProxiedCluster(target);
    await cluster.waitReady();
  });
  after(async () => {
    await cluster?.stop();
  });

  test('the member waits for the Authenticate entry instead of refusing the token', async () => {
    const leader = await cluster.waitForLeader(10_000);
    const url = leader.clientUrl;
    await etcdctlOk(url, ['user', 'add', 'root:rootpw']);
    await etcdctlOk(url, ['user', 'add', 'alice:alicepw']);
    await etcdctlOk(url, ['role', 'add', 'app']);
    await etcdctlOk(url, ['role', 'grant-permission', 'app', 'read', 'app/', '--prefix']);
    await etcdctlOk(url, ['user', 'grant-role', 'alice', 'app']);
    await etcdctlOk(url, ['put', 'app/late', 'waited']);
    await etcdctlOk(url, ['auth', 'enable']);
    const lagging = cluster.members.find((member) => member !== leader)!;
    // Everything before the cut is applied on the lagging member too: the next entry is the one it will miss.
    assert.equal(await readWithToken(lagging.clientUrl, 'app/late', await authenticate(url, 'alice', 'alicepw'), undefined, true), 'waited');
    cluster.network.isolate(lagging.name);
    try {
      const token = await authenticate(url, 'alice', 'alicepw');
      let settled: string | undefined;
      const pending = readWithToken(lagging.clientUrl, 'app/late', token, undefined, true).then((answer) => (settled = answer));
      await sleep(700);
      assert.equal(settled, undefined, 'answered before the member could know the token');
      cluster.network.heal();
      assert.equal(await pending, 'waited');
    } finally {
      cluster.network.heal();
    }
  });
});
