import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AutoCompactor, type CompactorHost } from './auto-compactor.ts';

function fakeHost(): CompactorHost & { revision: number; compacted: number[]; leader: boolean } {
  const host = {
    revision: 1,
    compacted: [] as number[],
    leader: true,
    isLeader: () => host.leader,
    currentRevision: () => host.revision,
    compactedRevision: () => host.compacted.at(-1) ?? 0,
    compact: async (revision: number) => {
      host.compacted.push(revision);
    },
  };
  return host;
}

test('revision mode keeps the last N revisions', async () => {
  const host = fakeHost();
  const compactor = new AutoCompactor(host, 'revision', 100, () => 0, assert.fail);
  host.revision = 50;
  assert.equal(await compactor.runOnce(), undefined, 'nothing to compact while fewer than N revisions exist');
  host.revision = 250;
  assert.equal(await compactor.runOnce(), 150);
  assert.equal(await compactor.runOnce(), undefined, 'no second compaction at the same revision');
  assert.deepEqual(host.compacted, [150]);
});

test('periodic mode compacts to the revision seen one retention window ago', async () => {
  const host = fakeHost();
  let now = 0;
  const compactor = new AutoCompactor(host, 'periodic', 60_000, () => now, assert.fail);
  assert.equal(compactor.intervalMs(), 6000);
  for (let step = 0; step <= 10; step++) {
    now = step * 6000;
    host.revision = 10 + step * 5;
    const compacted = await compactor.runOnce();
    if (step < 10) assert.equal(compacted, undefined, `no compaction before the window has passed (step ${step})`);
    else assert.equal(compacted, 10, 'the revision sampled at time 0');
  }
  now += 6000;
  host.revision += 5;
  assert.equal(await compactor.runOnce(), 15, 'the window slides by one sample');
});

test('only the leader compacts', async () => {
  const host = fakeHost();
  host.leader = false;
  const compactor = new AutoCompactor(host, 'revision', 10, () => 0, assert.fail);
  host.revision = 100;
  assert.equal(await compactor.runOnce(), undefined);
  assert.deepEqual(host.compacted, []);
});
