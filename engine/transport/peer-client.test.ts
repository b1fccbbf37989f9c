import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fetchClusterFromPeers, fetchPeerVersion } from './peer-client.ts';
import { startMember, stopMembers, unusedPeerUrl } from './transport-testing.ts';

test('a joining member learns the cluster ID and members from the first peer that answers', async () => {
  const member = await startMember(0x8e9e05c52164694dn, { clusterId: 0xcdf818194e3a8c32n });
  try {
    member.host.memberList = [{ id: 0x8e9e05c52164694dn, name: 'infra1', peerURLs: [member.url], clientURLs: [], isLearner: false }];
    const dead = await unusedPeerUrl();
    const cluster = await fetchClusterFromPeers([dead, member.url]);
    assert.equal(cluster.clusterId, 0xcdf818194e3a8c32n);
    assert.equal(cluster.url, member.url);
    assert.deepEqual(cluster.members, [{ id: '8e9e05c52164694d', name: 'infra1', peerURLs: [member.url], clientURLs: [], isLearner: false }]);
  } finally {
    await stopMembers([member]);
  }
});

test('no answering peer is an error naming every URL', async () => {
  const dead = await unusedPeerUrl();
  await assert.rejects(fetchClusterFromPeers([dead, 'ftp://x:1']), (error: Error) => {
    assert.match(error.message, /^could not retrieve cluster information from the given URLs/);
    assert.ok(error.message.includes(dead) && error.message.includes('must use http or https'));
    return true;
  });
});

test('GET /version reports the etcd versions; unknown paths and methods are refused', async () => {
  const member = await startMember(1n);
  try {
    assert.deepEqual(await fetchPeerVersion(member.url), { etcdserver: '3.5.17', etcdcluster: '3.5.0' });
    assert.equal((await fetch(`${member.url}/nothing`)).status, 404);
    assert.equal((await fetch(`${member.url}/members`, { method: 'POST' })).status, 405);
    const stream = await fetch(`${member.url}/raft/stream`);
    assert.equal(stream.status, 405); // A stream needs the Upgrade handshake.
  } finally {
    await stopMembers([member]);
  }
});
