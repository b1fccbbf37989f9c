// Learner promotion end to end on a real three-member local cluster, through the services the GUI calls: a 4th
// member is added as a learner (MemberAdd with isLearner, then its process joins with --initial-cluster-state
// existing), catches up and is promoted with the ordinary `cluster.promoteMember`, and is removed again (process
// stopped, member removed, data deleted). A founding member cannot be removed this way.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fromUtf8, utf8 } from '../../electron/common/wire-codec.ts';
import { waitFor } from './support/process-alive.ts';
import { useLocalHost } from './support/local-host.ts';
import { value } from './support/result-value.ts';
import { testClusterSize } from './support/test-cluster.ts';

const local = { connectionId: 'local' };

describe(`a learner added to the local cluster, promoted and removed (${testClusterSize} members)`, () => {
  const app = useLocalHost('cairn-learner-');

  test('add learner -> promote -> remove', async () => {
    value(await app.api.keys.put({ ...local, key: utf8('learner/seed'), value: utf8('copied to the learner') }));
    const founder = await app.api.localCluster.removeMember({ name: 'member-1' });
    assert.equal(founder.ok, false, 'a founding member stays');
    assert.equal(!founder.ok && founder.error.code, 'forbidden');

    const started = Date.now();
    const state = value(await app.api.localCluster.addMember({ asLearner: true }));
    const learner = state.members.find((member) => member.joined)!;
    assert.equal(learner.name, `member-${testClusterSize + 1}`);
    assert.equal(learner.state, 'running');
    assert.ok(learner.memberId);
    const listed = value(await app.api.cluster.overview(local)).members.find((member) => member.id === learner.memberId)!;
    assert.equal(listed.isLearner, true);
    assert.equal(listed.name, learner.name, 'the learner started and published its name');

    // A learner is promoted once it has caught up; the engine refuses earlier, as etcd does, so ask until it agrees.
    await waitFor('the promotion', async () => (await app.api.cluster.promoteMember({ ...local, id: learner.memberId! })).ok, 20_000);
    const voters = value(await app.api.cluster.overview(local)).members;
    assert.equal(voters.length, testClusterSize + 1);
    assert.ok(voters.every((member) => !member.isLearner));
    const served = await fetch(`${learner.clientUrl}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: Buffer.from('learner/seed').toString('base64') }) });
    const kvs = ((await served.json()) as { kvs?: Array<{ value: string }> }).kvs ?? [];
    assert.equal(fromUtf8(Buffer.from(kvs[0]?.value ?? '', 'base64')), 'copied to the learner', 'the promoted member serves the data');
    console.log(`learner added and promoted in ${Date.now() - started} ms`);

    const after = value(await app.api.localCluster.removeMember({ name: learner.name }));
    assert.deepEqual(after.members.map((member) => member.name), ['member-1', 'member-2', 'member-3'].slice(0, testClusterSize));
    assert.equal(existsSync(learner.dataDir), false, 'its data is deleted');
    await waitFor('the member list without it', async () => value(await app.api.cluster.overview(local)).members.length === testClusterSize, 10_000);
    value(await app.api.keys.put({ ...local, key: utf8('learner/after'), value: utf8('still writable') }));
  });
});
