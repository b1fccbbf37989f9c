// The typed client: text keys, separate connections per client, deadlines, and the watch helpers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { connect, connectMany, isServiceError } from './grpc-client.ts';
import { etcdBinaryPath, startEtcd, type ClusterHandle } from './processes.ts';
import { skipUnlessInstalled } from './tools.ts';

describe('grpc-client against a real etcd', { skip: skipUnlessInstalled(etcdBinaryPath) }, () => {
  let cluster: ClusterHandle;
  before(async () => {
    cluster = await startEtcd();
  });
  after(() => cluster.stop());

  /** Socket inodes of established TCP connections from this process to `port` (found through /proc/self/fd). */
  function connectionsTo(port: number): Set<string> {
    const inodes = new Set(readdirSync('/proc/self/fd').flatMap((fd) => {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
        return match ? [match[1]] : [];
      } catch {
        return [];
      }
    }));
    const rows = readFileSync('/proc/net/tcp', 'utf8').trim().split('\n').slice(1).map((line) => line.trim().split(/\s+/));
    return new Set(rows.filter((row) => row[3] === '01' && Number.parseInt(row[2].split(':')[1], 16) === port &&
      inodes.has(row[9])).map((row) => row[9]));
  }

  test('string keys and values are sent as UTF-8 text', async () => {
    const client = connect(cluster.clientUrls[0]);
    try {
      await client.kv.put({ key: 'text/key', value: 'héllo' });
      const response = await client.kv.range({ key: 'text/', range_end: 'text0' });
      assert.equal(response.kvs?.[0].key?.toString(), 'text/key');
      assert.equal(response.kvs?.[0].value?.toString(), 'héllo');
    } finally {
      client.close();
    }
  });

  test('each client has its own connection, shared by its services', async () => {
    const port = Number(cluster.endpoints[0].split(':')[1]);
    const before = connectionsTo(port);
    const clients = connectMany(cluster.endpoints, 3);
    try {
      await Promise.all(clients.map(async (client) => {
        await client.kv.range({ key: 'a' });
        await client.maintenance.status();
        await client.lease.leases();
      }));
      const opened = [...connectionsTo(port)].filter((inode) => !before.has(inode));
      assert.equal(opened.length, 3);
    } finally {
      for (const client of clients) client.close();
    }
  });

  test('a call to a paused server fails with DEADLINE_EXCEEDED', async () => {
    const client = connect(cluster.endpoints[0]);
    await client.maintenance.status();
    await cluster.members[0].kill('SIGSTOP');
    try {
      await assert.rejects(client.kv.range({ key: 'a' }, { deadlineMs: 300 }), (error) => isServiceError(error) && error.code === 4);
    } finally {
      await cluster.members[0].kill('SIGCONT');
      client.close();
    }
  });

  test('watch helpers: create, events with prev_kv, cancel', async () => {
    const client = connect(cluster.endpoints[0]);
    const stream = client.watch();
    try {
      const created = await stream.create({ key: 'watched', prev_kv: true });
      assert.equal(created.created, true);
      assert.equal(created.canceled, false);
      await client.kv.put({ key: 'watched', value: '1' });
      await client.kv.put({ key: 'watched', value: '2' });
      const events = await stream.waitForEvents(created.watch_id ?? '', 2);
      assert.deepEqual(events.map((event) => event.kv?.value?.toString()), ['1', '2']);
      assert.equal(events[1].prev_kv?.value?.toString(), '1');
      const failed = await stream.create({ key: 'b', range_end: 'a' });
      assert.equal(failed.canceled, true);
      const canceled = await stream.cancel(created.watch_id ?? '');
      assert.equal(canceled.canceled, true);
    } finally {
      stream.close();
      client.close();
    }
  });
});
