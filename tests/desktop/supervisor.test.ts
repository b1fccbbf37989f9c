// The local cluster supervisor against real engine processes: members come up healthy, a SIGKILLed member is
// restarted, stopping leaves no engine process, data and identity survive a restart of the supervisor, and a
// SIGKILLed supervisor leaves no orphan. Cluster size: `testClusterSize` (1 until engine replication lands).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalCluster } from '../../electron/main/supervisor/local-cluster.ts';
import { probeHealth } from '../../electron/main/supervisor/health-probe.ts';
import { EtcdConnection } from '../../electron/main/etcd/etcd-connection.ts';
import { KvApi } from '../../electron/main/etcd/kv-api.ts';
import { removeTempDir, trackChild, trackTempDir } from '../support/child-cleanup.ts';
import { processAlive, waitFor, waitForExit } from './support/process-alive.ts';
import { testClusterSize, testTimings } from './support/test-cluster.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const encoder = new TextEncoder();

function newCluster(root: string): LocalCluster {
  return new LocalCluster({ rootDir: path.join(root, 'local-cluster'), logDir: path.join(root, 'logs'), size: testClusterSize, timings: testTimings });
}

describe(`local cluster supervisor (${testClusterSize} member(s): 1 until engine replication lands, then 3)`, () => {
  let root = '';
  let cluster: LocalCluster | undefined;

  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'cairn-supervisor-'));
    trackTempDir(root);
  });

  after(async () => {
    await cluster?.dispose();
    removeTempDir(root);
  });

  test('every member comes up healthy on 127.0.0.1 and reports its member id', async (t) => {
    cluster = newCluster(root);
    const started = Date.now();
    const state = await cluster.start();
    t.diagnostic(`${testClusterSize} member(s) healthy ${Date.now() - started} ms after start`);
    assert.equal(state.phase, 'running');
    assert.equal(state.members.length, testClusterSize);
    for (const member of state.members) {
      assert.equal(member.state, 'running');
      assert.match(member.clientUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(member.memberId ?? '', /^[0-9]+$/);
      assert.equal((await probeHealth(member.clientUrl)).healthy, true);
    }
  });

  test('a member killed with SIGKILL is noticed and restarted while the others keep serving', async (t) => {
    assert.ok(cluster);
    const [victim, ...others] = cluster.state().members;
    assert.ok(victim?.pid);
    const started = Date.now();
    process.kill(victim.pid, 'SIGKILL');
    await waitFor('the crash to be noticed', () => cluster!.state().members[0]!.lastExit?.signal === 'SIGKILL', 10_000);
    await waitFor('the member to run again', () => {
      const member = cluster!.state().members[0]!;
      return member.state === 'running' && member.pid !== null && member.pid !== victim.pid;
    }, 20_000);
    t.diagnostic(`member restarted and healthy ${Date.now() - started} ms after SIGKILL`);
    const restarted = cluster.state().members[0]!;
    assert.equal(restarted.crashRestarts, 1);
    assert.equal(processAlive(victim.pid), false);
    assert.equal((await probeHealth(restarted.clientUrl)).healthy, true);
    for (const other of others) assert.equal(cluster.state().members.find((member) => member.name === other.name)?.pid, other.pid);
    assert.match(cluster.logs(victim.name, 50).lines.join('\n'), /crashed; restarting in \d+ ms/);
  });

  test('data and identity survive a restart of the supervisor', async () => {
    assert.ok(cluster);
    const before = cluster.state();
    const connection = new EtcdConnection({ endpoints: cluster.clientUrls() });
    try {
      await new KvApi(connection).put(encoder.encode('survives/restart'), encoder.encode('yes'));
    } finally {
      connection.close();
    }
    await cluster.dispose();
    cluster = newCluster(root);
    const after = await cluster.start();
    assert.deepEqual(after.members.map((member) => [member.name, member.clientUrl, member.peerUrl, member.memberId]),
      before.members.map((member) => [member.name, member.clientUrl, member.peerUrl, member.memberId]));
    const again = new EtcdConnection({ endpoints: cluster.clientUrls() });
    try {
      const response = await new KvApi(again).range({ key: encoder.encode('survives/restart') });
      assert.equal(response.kvs[0]?.value.toString(), 'yes');
    } finally {
      again.close();
    }
  });

  test('stopping the cluster leaves no engine process (checked by pid)', async () => {
    assert.ok(cluster);
    const pids = cluster.pids();
    assert.equal(pids.length, testClusterSize);
    const state = await cluster.stop();
    assert.equal(state.phase, 'stopped');
    for (const pid of pids) assert.equal(processAlive(pid), false, `engine pid ${pid} still runs`);
    assert.deepEqual(cluster.pids(), []);
  });

  test('a supervisor killed with SIGKILL leaves no orphaned member', async (t) => {
    const holder = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'support', 'hold-local-cluster.ts'), path.join(root, 'orphans')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    trackChild(holder);
    let output = '';
    holder.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    holder.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor('the stand-in main process to report its members', () => /"pids":\[/.test(output), 30_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${output}`);
    });
    const pids = (JSON.parse(output.split('\n').find((line) => line.includes('"pids"'))!) as { pids: number[] }).pids;
    assert.equal(pids.length, testClusterSize);
    const killedAt = Date.now();
    holder.kill('SIGKILL');
    for (const pid of pids) assert.equal(await waitForExit(pid, 10_000), true, `member pid ${pid} outlived its supervisor`);
    t.diagnostic(`members gone ${Date.now() - killedAt} ms after the supervisor was SIGKILLed`);
  });
});
