// The `etcd3` npm client (what Node applications use) against one member of the target (E2E_TARGET=cairn|etcd,
// default cairn): key-value calls, transactions and software transactions, leases with keep-alive and expiry,
// watchers and maintenance status, with the answers a real etcd 3.4 gives.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Etcd3, EtcdLeaseInvalidError, GRPCInvalidArgumentError, type IKeyValue, type Lease } from 'etcd3';
import type { ClusterHandle } from '../support/processes.ts';
import { sleep, startTarget, target, targetUnavailableReason, waitFor } from './target.ts';

/** One watch event as the etcd3 client reports it. */
interface SeenEvent {
  type: 'put' | 'delete';
  key: string;
  value: string;
  modRevision: string;
  previousValue: string | undefined;
}

describe(`the etcd3 npm client against one ${target} member`, () => {
  let cluster: ClusterHandle;
  let client: Etcd3;

  before(async () => {
    assert.equal(targetUnavailableReason(), undefined);
    cluster = await startTarget();
    client = new Etcd3({ hosts: cluster.endpoints[0], dialTimeout: 5_000 });
  });
  after(async () => {
    client?.close();
    await cluster?.stop();
  });

  test('put and get a key; a missing key reads as null', async () => {
    await client.put('kv/greeting').value('hello');
    assert.equal(await client.get('kv/greeting').string(), 'hello');
    assert.equal(await client.get('kv/missing').string(), null);
    const response = await client.get('kv/greeting').exec();
    assert.equal(response.kvs.length, 1);
    assert.equal(response.kvs[0].version, '1');
    assert.equal(response.kvs[0].create_revision, response.kvs[0].mod_revision);
    assert.equal(response.kvs[0].lease, '0');
  });

  test('getAll with a prefix returns the keys under it in order, with counts, sorting and limits', async () => {
    for (const [key, value] of [['all/b', '2'], ['all/a', '1'], ['all/c', '3'], ['allx', 'outside']]) await client.put(key).value(value);
    assert.deepEqual(await client.getAll().prefix('all/').strings(), { 'all/a': '1', 'all/b': '2', 'all/c': '3' });
    assert.deepEqual(await client.getAll().prefix('all/').keys(), ['all/a', 'all/b', 'all/c']);
    assert.equal(await client.getAll().prefix('all/').count(), 3);
    assert.deepEqual(await client.getAll().prefix('all/').sort('Key', 'Descend').limit(2).keys(), ['all/c', 'all/b']);
    const limited = await client.getAll().prefix('all/').limit(1).exec();
    assert.equal(limited.more, true);
    assert.equal(limited.count, '3');
  });

  test('get at an older revision reads the value the key had then', async () => {
    const first = await client.put('kv/versioned').value('one').exec();
    await client.put('kv/versioned').value('two');
    assert.equal(await client.get('kv/versioned').revision(first.header.revision).string(), 'one');
    assert.equal(await client.get('kv/versioned').string(), 'two');
  });

  test('delete removes one key or every key under a prefix and reports how many', async () => {
    for (const key of ['del/a', 'del/b', 'del/c', 'delx']) await client.put(key).value('v');
    const one = await client.delete().key('del/a').exec();
    assert.equal(one.deleted, '1');
    const none = await client.delete().key('del/a').exec();
    assert.equal(none.deleted, '0');
    const rest = await client.delete().prefix('del/').getPrevious();
    assert.deepEqual(rest.map((kv) => kv.key.toString()).sort(), ['del/b', 'del/c']);
    assert.deepEqual(await client.getAll().prefix('del').keys(), ['delx']);
  });

  test('an empty key is refused with etcd\'s InvalidArgument error', async () => {
    await assert.rejects(client.put('').value('v').exec(), (error: unknown) => {
      assert.ok(error instanceof GRPCInvalidArgumentError, String(error));
      assert.match((error as Error).message, /etcdserver: key is not provided/);
      return true;
    });
  });

  test('if().then().else().commit() runs the branch the compares select', async () => {
    await client.put('txn/state').value('ready');
    const succeeded = await client.if('txn/state', 'Value', '==', 'ready')
      .and('txn/state', 'Version', '>', 0)
      .then(client.put('txn/state').value('running'), client.put('txn/log').value('started'))
      .else(client.get('txn/state'))
      .commit();
    assert.equal(succeeded.succeeded, true);
    assert.equal(succeeded.responses.length, 2);
    assert.equal(await client.get('txn/state').string(), 'running');
    assert.equal(await client.get('txn/log').string(), 'started');

    const failed = await client.if('txn/state', 'Value', '==', 'ready')
      .then(client.put('txn/state').value('never'))
      .else(client.get('txn/state'))
      .commit();
    assert.equal(failed.succeeded, false);
    const range = failed.responses[0].response_range;
    assert.equal(range?.kvs[0].value.toString(), 'running');
    assert.equal(failed.header.revision, succeeded.header.revision, 'a failed txn with only reads writes nothing');
  });

  test('create-if-absent with a Create == 0 compare succeeds once only', async () => {
    const attempt = () => client.if('txn/once', 'Create', '==', 0).then(client.put('txn/once').value('first')).commit();
    assert.equal((await attempt()).succeeded, true);
    assert.equal((await attempt()).succeeded, false);
    const modRevision = (await client.get('txn/once').exec()).kvs[0].mod_revision;
    const stale = await client.if('txn/once', 'Mod', '<', Number(modRevision)).then(client.delete().key('txn/once')).commit();
    assert.equal(stale.succeeded, false);
    assert.equal(await client.get('txn/once').string(), 'first');
  });

  test('concurrent software transactions (stm) increment a counter without losing updates', async () => {
    await client.put('stm/counter').value('0');
    const increments = 6;
    const increment = () => client.stm({ retries: 50 }).transact(async (tx) => {
      const current = Number(await tx.get('stm/counter').string());
      await tx.put('stm/counter').value(String(current + 1));
    });
    await Promise.all(Array.from({ length: increments }, increment));
    assert.equal(await client.get('stm/counter').string(), String(increments));
    const { kvs } = await client.get('stm/counter').exec();
    assert.equal(kvs[0].version, String(increments + 1), 'every increment wrote exactly once');
  });

  test('a lease: grant, put with it, keep alive once, then revoke deletes its key', async () => {
    const lease = client.lease(60, { autoKeepAlive: false });
    const id = await lease.grant();
    assert.match(id, /^\d+$/);
    await lease.put('lease/key').value('leased');
    const { kvs } = await client.get('lease/key').exec();
    assert.equal(kvs[0].lease, id);
    const keepAlive = await lease.keepaliveOnce();
    assert.deepEqual([keepAlive.ID, keepAlive.TTL], [id, '60']);
    await lease.revoke();
    assert.equal(await client.get('lease/key').string(), null);
    await assert.rejects(lease.keepaliveOnce(), EtcdLeaseInvalidError);
  });

  test('a lease that is not kept alive expires after etcd\'s minimum TTL and deletes its key; a kept-alive one stays', async () => {
    // A TTL of 1 s is raised to etcd's minimum (1.5 election timeouts rounded up: 2 s by default).
    const expiring = client.lease(1, { autoKeepAlive: false });
    const kept: Lease = client.lease(2);
    const grantedAt = Date.now();
    await expiring.put('expire/short').value('gone soon');
    await kept.put('expire/kept').value('stays');
    assert.equal((await expiring.keepaliveOnce()).TTL, '2');
    assert.equal(await client.get('expire/short').string(), 'gone soon');
    await waitFor(async () => ((await client.get('expire/short').string()) === null ? true : undefined), 6_000, 'the expired lease\'s key is still there');
    const elapsedMs = Date.now() - grantedAt;
    assert.ok(elapsedMs >= 1_500, `the key went after ${elapsedMs} ms, before the 2 s minimum TTL`);
    // The kept-alive lease has outlived its 2 s TTL by now.
    await sleep(Math.max(0, 4_500 - elapsedMs));
    assert.equal(await client.get('expire/kept').string(), 'stays');
    await kept.revoke();
    assert.equal(await client.get('expire/kept').string(), null);
  });

  test('a prefix watcher receives put and delete events in order, with previous values', async () => {
    const watcher = await client.watch().prefix('watch/').withPreviousKV().create();
    const seen: SeenEvent[] = [];
    const record = (type: SeenEvent['type']) => (kv: IKeyValue, previous?: IKeyValue) => seen.push({
      type, key: kv.key.toString(), value: kv.value.toString(), modRevision: kv.mod_revision, previousValue: previous?.value.toString(),
    });
    watcher.on('put', record('put'));
    watcher.on('delete', record('delete'));
    try {
      const first = await client.put('watch/a').value('1').exec();
      await client.put('watch/a').value('2');
      await client.put('watchx').value('outside the prefix');
      await client.put('watch/b').value('3');
      const deleted = await client.delete().key('watch/a').exec();
      await waitFor(() => (seen.length >= 4 ? true : undefined), 5_000, `watch events so far: ${JSON.stringify(seen)}`);
      const base = Number(first.header.revision);
      assert.deepEqual(seen, [
        { type: 'put', key: 'watch/a', value: '1', modRevision: String(base), previousValue: undefined },
        { type: 'put', key: 'watch/a', value: '2', modRevision: String(base + 1), previousValue: '1' },
        { type: 'put', key: 'watch/b', value: '3', modRevision: String(base + 3), previousValue: undefined },
        { type: 'delete', key: 'watch/a', value: '', modRevision: deleted.header.revision, previousValue: '2' },
      ]);
      await sleep(200);
      assert.equal(seen.length, 4, 'no further events');
    } finally {
      await watcher.cancel();
    }
  });

  test('a watcher from a start revision replays history', async () => {
    const first = await client.put('replay/key').value('a').exec();
    await client.put('replay/key').value('b');
    const watcher = await client.watch().key('replay/key').startRevision(first.header.revision).create();
    const values: string[] = [];
    watcher.on('put', (kv) => values.push(kv.value.toString()));
    try {
      await waitFor(() => (values.length >= 2 ? true : undefined), 5_000, `replayed so far: ${values.join(',')}`);
      await client.put('replay/key').value('c');
      await waitFor(() => (values.length >= 3 ? true : undefined), 5_000, `events so far: ${values.join(',')}`);
      assert.deepEqual(values, ['a', 'b', 'c']);
    } finally {
      await watcher.cancel();
    }
  });

  test('maintenance.status reports this member as leader with its version and sizes', async () => {
    const put = await client.put('status/key').value('v').exec();
    const status = await client.maintenance.status();
    assert.equal(status.leader, status.header.member_id);
    assert.equal(status.header.revision, put.header.revision);
    assert.match(status.version, /^\d+\.\d+\.\d+$/);
    assert.ok(Number(status.dbSize) > 0, `dbSize ${status.dbSize}`);
    assert.ok(Number(status.raftIndex) > 0 && Number(status.raftTerm) > 0);
    assert.equal(status.raftTerm, status.header.raft_term);
    assert.equal(status.isLearner, false);
    assert.deepEqual(status.errors, []);
  });
});
