// The backend quota (`--quota-backend-bytes`) against one member of the target (E2E_TARGET=cairn|etcd): writes
// past the quota fail with etcd's "database space exceeded" (gRPC RESOURCE_EXHAUSTED) and raise a NOSPACE alarm
// that etcdctl lists; reads and deletes keep working; puts stay refused until the space is reclaimed
// (compaction + defrag) and the alarm is disarmed, after which writes succeed again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { etcdctl, etcdctlBinaryPath, skipUnlessInstalled } from '../support/etcdctl.ts';
import { connect, isServiceError, type EtcdClient } from '../support/grpc-client.ts';
import type { ClusterHandle } from '../support/processes.ts';
import { startTarget, target, targetUnavailableReason } from './target.ts';

/**
 * 4 MiB: above what an empty etcd or Cairn database occupies, small enough that 100 KB values fill it within
 * a few seconds (bbolt and lmdb both grow their files in steps, so the trip point is a step boundary).
 */
const quotaBytes = 4 * 1024 * 1024;
const valueBytes = 100 * 1024;
/** More than enough 100 KB puts to pass 4 MiB several times over; the loop fails the test if none is refused. */
const putsMax = 400;
const noSpaceMessage = 'etcdserver: mvcc: database space exceeded';
const resourceExhausted = 8;

describe(`backend quota on one ${target} member`, { skip: skipUnlessInstalled(etcdctlBinaryPath) }, () => {
  let cluster: ClusterHandle;
  let client: EtcdClient;
  let memberId: string;

  before(async () => {
    assert.equal(targetUnavailableReason(), undefined);
    cluster = await startTarget({ extraFlags: ['--quota-backend-bytes', String(quotaBytes)] });
    client = connect(cluster.endpoints[0]!);
    memberId = (await client.maintenance.status()).header!.member_id;
  });
  after(async () => {
    client?.close();
    await cluster?.stop();
  });

  const run = (args: string[]) => etcdctl(args, { endpoints: cluster.endpoints });

  /** Puts a fresh 100 KB value under `key`; resolves with the gRPC error it failed with, or undefined. */
  async function tryPut(key: string): Promise<Error | undefined> {
    try {
      await client.kv.put({ key: Buffer.from(key), value: randomBytes(valueBytes) });
      return undefined;
    } catch (error) {
      return error as Error;
    }
  }

  test('puts past the quota fail with "database space exceeded" and raise NOSPACE; reads, deletes and reclaiming space work', { timeout: 120_000 }, async () => {
    let refused: Error | undefined;
    let written = 0;
    for (; written < putsMax && refused === undefined; written++) refused = await tryPut(`quota/${String(written).padStart(4, '0')}`);
    assert.ok(refused, `no put was refused after ${putsMax} puts of ${valueBytes} bytes`);
    assert.ok(isServiceError(refused), `not a gRPC error: ${String(refused)}`);
    assert.equal(refused.code, resourceExhausted);
    assert.equal(refused.details, noSpaceMessage);
    const stored = written - 1;
    assert.ok(stored > 0, 'the quota must allow some writes before it trips');

    // The alarm is raised through the log; give the proposal a moment to apply.
    let alarms = '';
    for (let attempt = 0; attempt < 50 && !alarms.includes('NOSPACE'); attempt++) {
      alarms = (await run(['alarm', 'list'])).stdout;
      if (!alarms.includes('NOSPACE')) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // etcdctl prints the alarm member in protobuf text form, which ends with a space.
    assert.equal(alarms, `memberID:${memberId} alarm:NOSPACE \n`);

    // While the alarm is raised, a small put is refused too, and a txn with a put as well.
    const smallPut = await run(['put', 'small', 'x']);
    assert.notEqual(smallPut.code, 0);
    assert.match(smallPut.stderr, /database space exceeded/);

    // Reads still work and see everything that was stored.
    const count = await client.kv.range({ key: Buffer.from('quota/'), range_end: Buffer.from('quota0'), count_only: true });
    assert.equal(Number(count.count), stored);
    const first = await client.kv.range({ key: Buffer.from('quota/0000') });
    assert.equal(first.kvs[0]?.value.length, valueBytes);
    const get = await run(['get', 'quota/0000', '--keys-only']);
    assert.equal(get.code, 0, get.stderr);
    assert.equal(get.stdout, 'quota/0000\n\n');

    // Deletes still work.
    const deleted = await run(['del', '--prefix', 'quota/']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout, `${stored}\n`);

    // Still refused: freed pages are not reclaimed and the alarm stays until disarmed.
    assert.equal((await tryPut('after-delete') as { details?: string } | undefined)?.details, noSpaceMessage);

    const revision = (await client.kv.range({ key: Buffer.from('x') })).header!.revision;
    const compacted = await run(['compaction', '--physical', String(revision)]);
    assert.equal(compacted.code, 0, compacted.stderr);
    assert.equal(compacted.stdout, `compacted revision ${revision}\n`);
    const defrag = await run(['defrag']);
    assert.equal(defrag.code, 0, defrag.stderr);
    const disarm = await run(['alarm', 'disarm']);
    assert.equal(disarm.code, 0, disarm.stderr);
    assert.equal(disarm.stdout, `memberID:${memberId} alarm:NOSPACE \n`);
    assert.equal((await run(['alarm', 'list'])).stdout, '');

    const putAgain = await run(['put', 'after-disarm', 'ok']);
    assert.equal(putAgain.code, 0, putAgain.stderr);
    assert.equal(putAgain.stdout, 'OK\n');
    assert.equal(await tryPut('quota/again'), undefined);
  });
});
