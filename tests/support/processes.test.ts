// Starting, killing, restarting and stopping real etcd members through the shared process helpers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { etcdBinaryPath, startEtcd } from './processes.ts';
import { connect } from './grpc-client.ts';
import { skipUnlessInstalled } from './tools.ts';

const skip = skipUnlessInstalled(etcdBinaryPath);

test('a killed member restarts on the same data and ports; stop removes its temp dir', { timeout: 60_000, skip }, async () => {
  const cluster = await startEtcd();
  const member = cluster.members[0];
  try {
    const client = connect(member.endpoint);
    await client.kv.put({ key: 'durable', value: 'yes' });
    client.close();
    const firstPid = member.pid;
    const exit = await member.kill('SIGKILL');
    assert.equal(exit?.signal, 'SIGKILL');
    assert.equal(member.running, false);
    await member.restart();
    assert.notEqual(member.pid, firstPid);
    const again = connect(member.endpoint);
    const response = await again.kv.range({ key: 'durable' });
    again.close();
    assert.equal(response.kvs?.[0]?.value?.toString(), 'yes');
    assert.match(member.log.text(), /ready to serve client requests/);
  } finally {
    await cluster.stop();
  }
  assert.equal(member.running, false);
  assert.equal(existsSync(path.dirname(member.dataDir)), false);
});

test('a three-member cluster starts, reports a leader and stops quickly', { timeout: 60_000, skip }, async () => {
  const cluster = await startEtcd({ members: 3 });
  let stopMs = 0;
  try {
    assert.equal(new Set(cluster.endpoints).size, 3);
    const leader = await cluster.leader();
    assert.ok(cluster.members.includes(leader));
  } finally {
    const startMs = performance.now();
    await cluster.stop();
    stopMs = performance.now() - startMs;
  }
  assert.ok(cluster.members.every((member) => !member.running));
  assert.ok(stopMs < 4_000, `stopping took ${stopMs.toFixed(0)} ms`);
});

test('a whole cluster killed with SIGKILL restarts with its data', { timeout: 60_000, skip }, async () => {
  const cluster = await startEtcd({ members: 3 });
  try {
    const client = connect(cluster.endpoints[1]);
    await client.kv.put({ key: 'survives', value: 'all' });
    client.close();
    const before = cluster.pids;
    await cluster.kill('SIGKILL');
    assert.deepEqual(cluster.pids, []);
    await cluster.restart();
    assert.equal(cluster.pids.filter((pid) => before.includes(pid)).length, 0);
    const again = connect(cluster.endpoints[2]);
    const response = await again.kv.range({ key: 'survives' });
    again.close();
    assert.equal(response.kvs?.[0]?.value?.toString(), 'all');
  } finally {
    await cluster.stop();
  }
});

test('a member that cannot start fails fast with its log', { timeout: 30_000, skip }, async () => {
  // An unknown flag makes etcd exit at once; the error must say so instead of waiting for the deadline.
  await assert.rejects(startEtcd({ extraFlags: ['--no-such-flag'], readyTimeoutMs: 20_000 }), /exited before becoming ready[\s\S]*no-such-flag/);
});
