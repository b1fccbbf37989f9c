import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errors } from '../common/errors.ts';
import { MemoryBackend } from '../mvcc/testing/memory-backend.ts';
import type { InternalRaftRequest } from '../proto/generated/cairnpb/InternalRaftRequest.ts';
import { DowngradeAction, downgrade, type DowngradeHost } from './downgrade.ts';
import { readDowngradeInfo, writeDowngradeInfo } from './downgrade-info.ts';

/** A member whose proposals apply at once, as the applier would apply DowngradeInfoSet, and which counts reads. */
function member(): DowngradeHost & { proposed: InternalRaftRequest[]; reads: number } {
  const backend = new MemoryBackend();
  const host = {
    backend,
    clusterVersion: '3.5.0',
    proposed: [] as InternalRaftRequest[],
    reads: 0,
    linearizableRead: async () => {
      host.reads++;
    },
    propose: async (request: InternalRaftRequest) => {
      host.proposed.push(request);
      const set = request.downgrade_info_set!;
      backend.write((tx) => writeDowngradeInfo(tx, { enabled: set.enabled === true, targetVersion: set.enabled === true ? (set.ver ?? '') : '' }));
      return {};
    },
  };
  return host;
}

test('VALIDATE accepts exactly one minor version below the cluster version and proposes nothing', async () => {
  const host = member();
  assert.deepEqual(await downgrade(host, DowngradeAction.Validate, '3.4'), { header: {}, version: '3.5.0' });
  assert.deepEqual(await downgrade(host, DowngradeAction.Validate, '3.4.99'), { header: {}, version: '3.5.0' });
  assert.equal(host.proposed.length, 0);
  assert.equal(host.reads, 2, 'each validation reads at a linearizable point');
  for (const target of ['3.5.0', '3.3.0', '4.4.0', '2.4']) {
    await assert.rejects(downgrade(host, DowngradeAction.Validate, target), Errors.InvalidDowngradeTargetVersion, target);
  }
});

test('a target that does not parse is refused before any read', async () => {
  const host = member();
  await assert.rejects(downgrade(host, DowngradeAction.Validate, 'v3.4'), Errors.WrongDowngradeVersionFormat);
  await assert.rejects(downgrade(host, DowngradeAction.Enable, ''), Errors.WrongDowngradeVersionFormat);
  assert.equal(host.reads, 0);
  assert.equal(host.proposed.length, 0);
});

test('ENABLE replicates the target once; a second ENABLE or VALIDATE finds the job in progress', async () => {
  const host = member();
  assert.deepEqual(await downgrade(host, DowngradeAction.Enable, '3.4.2'), { header: {}, version: '3.5.0' });
  assert.deepEqual(host.proposed, [{ downgrade_info_set: { enabled: true, ver: '3.4.0' } }]);
  assert.deepEqual(readDowngradeInfo(host.backend), { enabled: true, targetVersion: '3.4.0' });
  await assert.rejects(downgrade(host, DowngradeAction.Enable, '3.4'), Errors.DowngradeInProcess);
  await assert.rejects(downgrade(host, DowngradeAction.Validate, '3.4'), Errors.DowngradeInProcess);
  // The target check comes before the job check, as in etcd's downgradeValidate.
  await assert.rejects(downgrade(host, DowngradeAction.Validate, '3.3'), Errors.InvalidDowngradeTargetVersion);
  assert.equal(host.proposed.length, 1);
});

test('CANCEL clears an enabled job and refuses when none is enabled', async () => {
  const host = member();
  await assert.rejects(downgrade(host, DowngradeAction.Cancel, ''), Errors.NoInflightDowngrade);
  await downgrade(host, DowngradeAction.Enable, '3.4');
  assert.deepEqual(await downgrade(host, DowngradeAction.Cancel, 'ignored'), { header: {}, version: '3.5.0' });
  assert.deepEqual(host.proposed.at(-1), { downgrade_info_set: { enabled: false, ver: '' } });
  assert.deepEqual(readDowngradeInfo(host.backend), { enabled: false, targetVersion: '' });
  await assert.rejects(downgrade(host, DowngradeAction.Cancel, ''), Errors.NoInflightDowngrade);
  assert.deepEqual(await downgrade(host, DowngradeAction.Validate, '3.4'), { header: {}, version: '3.5.0' });
});

test('an action outside VALIDATE, ENABLE and CANCEL is etcd\'s unknown method', async () => {
  await assert.rejects(downgrade(member(), 7, '3.4'), Errors.UnknownMethod);
});
