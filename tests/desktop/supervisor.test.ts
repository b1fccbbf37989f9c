// The local cluster supervisor against real engine processes: three members come up healthy; their output reaches
// the rotating log files and the UI stream; a SIGKILLed member is noticed and restarted while the others keep
// serving; a member restarts on request keeping its identity; a member that keeps crashing is restarted with a
// growing back-off; stopping is graceful and leaves no engine process; data and identity survive a restart of the
// supervisor. (That no member outlives a SIGKILLed app is proven on the real launcher in launch.test.ts.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LogLines } from '../../electron/common/contract.ts';
import { LocalCluster } from '../../electron/main/supervisor/local-cluster.ts';
import { probeHealth } from '../../electron/main/supervisor/health-probe.ts';
import { EtcdConnection } from '../../electron/main/etcd/etcd-connection.ts';
import { KvApi } from '../../electron/main/etcd/kv-api.ts';
import { removeTempDir, trackTempDir } from '../support/child-cleanup.ts';
import { processAlive, waitFor } from './support/process-alive.ts';
import { testClusterSize, testTimings } from './support/test-cluster.ts';

const encoder = new TextEncoder();

function newCluster(root: string): LocalCluster {
  return new LocalCluster({ rootDir: path.join(root, 'local-cluster'), logDir: path.join(root, 'logs'), size: testClusterSize, timings: testTimings });
}

/** The supervisor's own notes (JSON lines with caller "supervisor") in a member's output. */
function notes(lines: readonly string[]): Array<{ ts: string; msg: string }> {
  return lines.filter((line) => line.includes('"caller":"supervisor"')).map((line) => JSON.parse(line) as { ts: string; msg: string });
}

describe(`local cluster supervisor (${testClusterSize} members)`, () => {
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

  test('every member comes up healthy on 127.0.0.1, reports its member id, and logs to its file and to the UI', async (t) => {
    cluster = newCluster(root);
    const streamed: LogLines[] = [];
    cluster.onDidAppendLog((batch) => streamed.push(batch));
    const started = Date.now();
    const state = await cluster.start();
    t.diagnostic(`${testClusterSize} members healthy ${Date.now() - started} ms after start`);
    assert.equal(state.phase, 'running');
    assert.equal(state.members.length, testClusterSize);
    assert.equal(new Set(state.members.map((member) => member.memberId)).size, testClusterSize);
    for (const member of state.members) {
      assert.equal(member.state, 'running');
      assert.match(member.clientUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(member.peerUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(member.memberId ?? '', /^[0-9]+$/);
      assert.equal((await probeHealth(member.clientUrl)).healthy, true);
      assert.match(readFileSync(member.logFile, 'utf8'), /ready to serve client requests/, `${member.name}'s log file`);
    }
    await waitFor('log lines of every member on the UI stream', () =>
      state.members.every((member) => streamed.some((batch) => batch.name === member.name && batch.lines.some((line) => line.includes('ready to serve client requests')))), 5_000);
  });

  test('a member killed with SIGKILL is noticed and restarted while the others keep serving', async (t) => {
    assert.ok(cluster);
    const [victim, ...others] = cluster.state().members;
    assert.ok(victim?.pid);
    const started = Date.now();
    process.kill(victim.pid, 'SIGKILL');
    await waitFor('the crash to be noticed', () => cluster!.state().members[0]!.lastExit?.signal === 'SIGKILL', 10_000);
    t.diagnostic(`crash noticed ${Date.now() - started} ms after SIGKILL`);
    await waitFor('the member to run again', () => {
      const member = cluster!.state().members[0]!;
      return member.state === 'running' && member.pid !== null && member.pid !== victim.pid;
    }, 20_000);
    t.diagnostic(`member restarted and healthy ${Date.now() - started} ms after SIGKILL`);
    const restarted = cluster.state().members[0]!;
    assert.equal(restarted.crashRestarts, 1);
    assert.equal(restarted.memberId, victim.memberId);
    assert.equal(processAlive(victim.pid), false);
    assert.equal((await probeHealth(restarted.clientUrl)).healthy, true);
    for (const other of others) assert.equal(cluster.state().members.find((member) => member.name === other.name)?.pid, other.pid);
    assert.match(cluster.logs(victim.name, 50).lines.join('\n'), /crashed; restarting in 100 ms \(crash 1 in a row\)/);
  });

  test('a member restarted on request comes back with the same identity and is not counted as a crash', async () => {
    assert.ok(cluster);
    const before = cluster.state().members[1]!;
    const state = await cluster.restartMember(before.name);
    const after = state.members[1]!;
    assert.equal(after.state, 'running');
    assert.notEqual(after.pid, before.pid);
    assert.equal(after.memberId, before.memberId);
    assert.equal(after.crashRestarts, 0);
    assert.deepEqual(after.lastExit && [after.lastExit.code, after.lastExit.signal], [0, null], 'stopped gracefully');
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

  test('stopping the cluster is graceful and leaves no engine process (checked by pid)', async () => {
    assert.ok(cluster);
    const pids = cluster.pids();
    assert.equal(pids.length, testClusterSize);
    const state = await cluster.stop();
    assert.equal(state.phase, 'stopped');
    for (const member of state.members) {
      assert.deepEqual([member.lastExit?.code, member.lastExit?.signal], [0, null], `${member.name} exited by itself`);
      // The request went over stdin and ran the engine's own graceful shutdown (no signal: the same on Windows).
      const log = cluster.logs(member.name, 20).lines.join('\n');
      assert.match(log, /asked to stop; stopping the member/);
      assert.match(log, /received signal; shutting down/);
    }
    for (const pid of pids) assert.equal(processAlive(pid), false, `engine pid ${pid} still runs`);
    assert.deepEqual(cluster.pids(), []);
  });

  test('a member that keeps crashing is restarted with a growing back-off until it is stopped', async () => {
    // A stand-in engine that writes one line and exits at once: every start is a crash.
    const crashing = new LocalCluster({
      rootDir: path.join(root, 'crashing'), logDir: path.join(root, 'crashing-logs'), size: 1,
      engine: { command: process.execPath, args: ['-e', 'process.stderr.write("engine gives up\\n"); process.exit(3)', '--'], env: process.env },
      timings: { ...testTimings, restartDelaysMs: [100, 200, 400] },
    });
    try {
      await assert.rejects(crashing.start(), /exited with code 3 before it became healthy/);
      await waitFor('four crashes', () => notes(crashing.logs('member-1').lines).filter((note) => note.msg.startsWith('crashed')).length >= 4, 10_000);
      const stopped = await crashing.stopMember('member-1');
      assert.equal(stopped.members[0]!.state, 'stopped');
      const log = crashing.logs('member-1').lines;
      assert.ok(log.includes('engine gives up'), 'the engine\'s own output is kept');
      assert.ok(log.every((line) => line.length < 2_000), 'a failed restart does not copy earlier output into its note');
      const all = notes(log);
      const crashes = all.filter((note) => note.msg.startsWith('crashed'));
      assert.deepEqual(crashes.slice(0, 4).map((note) => /restarting in (\d+) ms/.exec(note.msg)?.[1]), ['100', '200', '400', '400']);
      // Each restart waited at least its delay: the next start comes that long after the crash note.
      for (const crash of crashes.slice(0, 3)) {
        const next = all.slice(all.indexOf(crash) + 1).find((note) => note.msg.startsWith('starting'))!;
        const delay = Number(/restarting in (\d+) ms/.exec(crash.msg)![1]);
        assert.ok(Date.parse(next.ts) - Date.parse(crash.ts) >= delay - 5, `${crash.ts} ${crash.msg} -> ${next.ts}`);
      }
      const restartsAtStop = stopped.members[0]!.crashRestarts;
      await new Promise((resolve) => setTimeout(resolve, 600));
      assert.equal(crashing.state().members[0]!.crashRestarts, restartsAtStop, 'no restart after a stop on request');
    } finally {
      await crashing.dispose();
    }
  });
});
