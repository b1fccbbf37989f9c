// A 3-member cluster of the target (E2E_TARGET=cairn|etcd, default cairn) driven with Debian's etcdctl 3.4 the
// way operators do it: writes through any member are seen by all, `member add` then starting the new member
// with --initial-cluster-state existing, learners promoted (through a follower, which must forward it), removed
// members stop, leases kept alive through a follower, move-leader, and a member that was down while the log was
// compacted catching up through a snapshot.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { etcdctl } from '../support/etcdctl.ts';
import { connect } from '../support/grpc-client.ts';
import { MemberHandle } from '../support/member.ts';
import { trackTempDir } from '../support/child-cleanup.ts';
import { freePorts, loopbackHost } from '../support/ports.ts';
import { serverEnvironment, sleep, target, targetCommand, targetUnavailableReason } from './target.ts';

/** Small, so that a few thousand writes compact the log past what a stopped member has. */
const snapshotCount = 200;
/** Writes while a member is down: more than snapshotCount plus the 5,000 entries kept for slow followers. */
const writesWhileDown = 5_600;

interface Node {
  handle: MemberHandle;
  clientPort: number;
  peerUrl: string;
}

const baseDir = await mkdtemp(path.join(os.tmpdir(), `cairn-membership-${target}-`));
trackTempDir(baseDir);
const token = `membership-${process.pid}`;
const running: MemberHandle[] = [];
after(async () => {
  for (const handle of running) await handle.kill('SIGKILL').catch(() => undefined);
});

/** A member process of the target with etcd's flags (not started). */
function member(name: string, ports: [number, number], initialCluster: string, state: 'new' | 'existing'): Node {
  const clientUrl = `http://${loopbackHost}:${ports[0]}`;
  const peerUrl = `http://${loopbackHost}:${ports[1]}`;
  const { command, args } = targetCommand([
    '--name', name, '--data-dir', path.join(baseDir, name),
    '--listen-client-urls', clientUrl, '--advertise-client-urls', clientUrl,
    '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', initialCluster, '--initial-cluster-state', state, '--initial-cluster-token', token,
    '--snapshot-count', String(snapshotCount),
  ]);
  const handle = new MemberHandle({ kind: target, name, command, args, env: serverEnvironment(), clientUrl, peerUrl, dataDir: path.join(baseDir, name) });
  running.push(handle);
  return { handle, clientPort: ports[0], peerUrl };
}

const endpoint = (node: Node) => `${loopbackHost}:${node.clientPort}`;

/** etcdctl against `endpoints`; fails the test with etcdctl's stderr unless it succeeds. */
async function ctl(endpoints: string | string[], ...args: string[]): Promise<string> {
  const result = await etcdctl(args, { endpoints, timeoutMs: 20_000 });
  assert.equal(result.code, 0, `etcdctl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/**
 * A membership change, retried while the answer is "unhealthy cluster": with --strict-reconfig-check (the
 * default) etcd refuses changes until every voter has been connected for 5 s, e.g. right after start.
 */
async function reconfigure(endpoints: string, ...args: string[]): Promise<string> {
  let result = await etcdctl(args, { endpoints, timeoutMs: 20_000 });
  for (let attempt = 0; attempt < 40 && result.code !== 0 && result.stderr.includes('unhealthy cluster'); attempt++) {
    await sleep(250);
    result = await etcdctl(args, { endpoints, timeoutMs: 20_000 });
  }
  assert.equal(result.code, 0, `etcdctl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** The member that leads, by asking every endpoint. */
async function leaderOf(nodes: Node[]): Promise<Node> {
  for (let attempt = 0; attempt < 100; attempt++) {
    for (const node of nodes) {
      const client = connect(endpoint(node), { deadlineMs: 2_000 });
      try {
        const status = await client.maintenance.status();
        if (status.leader === status.header?.member_id) return node;
      } catch {
        // Not answering yet; try the others.
      } finally {
        client.close();
      }
    }
    await sleep(100);
  }
  throw new Error('no leader elected');
}

/** Waits until every node reports the same HashKV at the same revision. */
async function waitConverged(nodes: Node[]): Promise<void> {
  let last = '';
  for (let attempt = 0; attempt < 150; attempt++) {
    const answers = await Promise.all(nodes.map(async (node) => {
      const client = connect(endpoint(node), { deadlineMs: 2_000 });
      try {
        const hash = await client.maintenance.hashKv(0);
        return `${hash.header?.revision}/${hash.hash}`;
      } catch (error) {
        return `error ${(error as Error).message}`;
      } finally {
        client.close();
      }
    }));
    last = answers.join(' ');
    if (answers.every((answer) => answer === answers[0] && !answer.startsWith('error'))) return;
    await sleep(200);
  }
  throw new Error(`members did not converge: ${last}`);
}

test(`membership operations on a 3-member ${target} cluster`, { timeout: 240_000 }, async (t) => {
  const unavailable = targetUnavailableReason();
  assert.equal(unavailable, undefined, unavailable);
  const ports = await freePorts(10);
  const names = ['m1', 'm2', 'm3'];
  const initialCluster = names.map((name, index) => `${name}=http://${loopbackHost}:${ports[index * 2 + 1]}`).join(',');
  const nodes = names.map((name, index) => member(name, [ports[index * 2]!, ports[index * 2 + 1]!], initialCluster, 'new'));
  for (const node of nodes) node.handle.start();
  await Promise.all(nodes.map((node) => node.handle.waitReady()));
  const leader = await leaderOf(nodes);
  const followers = nodes.filter((node) => node !== leader);

  await t.test('a write through a follower is read from every member', async () => {
    assert.equal(await ctl(endpoint(followers[0]!), 'put', 'through-follower', 'v1'), 'OK\n');
    for (const node of nodes) assert.equal(await ctl(endpoint(node), 'get', 'through-follower', '--print-value-only'), 'v1\n');
  });

  await t.test('member add, then the new member joins with --initial-cluster-state existing; member remove stops it', async () => {
    const joinerPeer = `http://${loopbackHost}:${ports[7]}`;
    const added = await reconfigure(endpoint(followers[0]!), 'member', 'add', 'm4', `--peer-urls=${joinerPeer}`);
    const joinCluster = /ETCD_INITIAL_CLUSTER="([^"]+)"/.exec(added)?.[1];
    assert.ok(joinCluster, added);
    const joiner = member('m4', [ports[6]!, ports[7]!], joinCluster, 'existing');
    joiner.handle.start();
    await joiner.handle.waitReady();
    assert.equal(await ctl(endpoint(joiner), 'get', 'through-follower', '--print-value-only'), 'v1\n');
    const list = await ctl(endpoint(leader), 'member', 'list');
    assert.equal(list.trim().split('\n').length, 4, list);
    assert.match(list, /started, m4, /);

    const id = list.split('\n').find((line) => line.includes(', m4, '))!.split(',')[0]!;
    assert.match(await reconfigure(endpoint(followers[1]!), 'member', 'remove', id), /removed from cluster/);
    let stopped = false;
    for (let attempt = 0; attempt < 75 && !stopped; attempt++) {
      stopped = !joiner.handle.running;
      if (!stopped) await sleep(200);
    }
    assert.ok(stopped, 'a removed member stops serving');
    assert.equal((await ctl(endpoint(leader), 'member', 'list')).trim().split('\n').length, 3);
  });

  await t.test('a learner is added, catches up, is promoted through a follower, and is removed', async () => {
    const learnerPeer = `http://${loopbackHost}:${ports[9]}`;
    const added = await reconfigure(endpoint(leader), 'member', 'add', 'm5', '--learner', `--peer-urls=${learnerPeer}`);
    const learner = member('m5', [ports[8]!, ports[9]!], /ETCD_INITIAL_CLUSTER="([^"]+)"/.exec(added)![1]!, 'existing');
    learner.handle.start();
    await learner.handle.waitReady();
    const status = await ctl(endpoint(learner), 'endpoint', 'status');
    assert.match(status, /, true, \d+, \d+, \d+, $/m, `a learner reports IS LEARNER true: ${status}`);
    const id = (await ctl(endpoint(leader), 'member', 'list')).split('\n').find((line) => line.includes(', m5, '))!.split(',')[0]!;
    let promoted = '';
    for (let attempt = 0; attempt < 50 && !promoted.includes('promoted'); attempt++) {
      const result = await etcdctl(['member', 'promote', id], { endpoints: endpoint(followers[0]!) });
      promoted = result.stdout + result.stderr;
      if (!promoted.includes('promoted')) await sleep(200);
    }
    // etcdctl prints IDs with %16x: an ID of 15 hex digits comes with a leading space.
    assert.match(promoted, /Member +\w+ promoted in cluster/);
    // The follower that forwarded the promotion has applied it by the time it answers (etcd's may lag behind).
    if (target === 'cairn') assert.match(await ctl(endpoint(followers[0]!), 'member', 'list'), new RegExp(`${id}, started, m5, .*, false`));
    assert.match(await ctl(endpoint(leader), 'member', 'list'), new RegExp(`${id}, started, m5, .*, false`));
    await reconfigure(endpoint(leader), 'member', 'remove', id);
    await learner.handle.kill('SIGKILL');
  });

  await t.test('a lease kept alive through a follower outlives its TTL; its key goes when it expires', async () => {
    const granted = await ctl(endpoint(followers[1]!), 'lease', 'grant', '3');
    const leaseId = /lease (\w+) granted/.exec(granted)![1]!;
    await ctl(endpoint(followers[1]!), 'put', '--lease', leaseId, 'leased', 'x');
    for (let round = 0; round < 5; round++) {
      assert.match(await ctl(endpoint(followers[1]!), 'lease', 'keep-alive', '--once', leaseId), /keepalived with TTL\(3\)/);
      await sleep(1_000);
    }
    assert.equal(await ctl(endpoint(followers[0]!), 'get', 'leased', '--print-value-only'), 'x\n');
    const ttl = await ctl(endpoint(followers[0]!), 'lease', 'timetolive', leaseId);
    assert.match(ttl, /granted with TTL\(3s\), remaining\([123]s\)/);
    let gone = false;
    for (let attempt = 0; attempt < 40 && !gone; attempt++) {
      gone = (await ctl(endpoint(leader), 'get', 'leased', '--print-value-only')) === '';
      if (!gone) await sleep(250);
    }
    assert.ok(gone, 'the key goes with the expired lease');
  });

  await t.test('member update changes a member\'s peer URLs; endpoint health and status see every member', async () => {
    const list = await ctl(endpoint(leader), 'member', 'list');
    const line = list.split('\n').find((entry) => entry.includes(`, ${names[2]}, `))!;
    const id = line.split(',')[0]!;
    const original = nodes[2]!.peerUrl;
    // A second URL nothing listens on (the removed learner's): peers fall back to the first one.
    const extra = `http://${loopbackHost}:${ports[9]}`;
    assert.match(await reconfigure(endpoint(followers[0]!), 'member', 'update', id, `--peer-urls=${original},${extra}`), /updated in cluster/);
    assert.match(await ctl(endpoint(leader), 'member', 'list'), new RegExp(`${id}, started, ${names[2]}, ${original},${extra}, `));
    assert.match(await reconfigure(endpoint(followers[1]!), 'member', 'update', id, `--peer-urls=${original}`), /updated in cluster/);
    // Health is a linearizable read on every member; on a loaded machine one may miss etcdctl's 5 s once.
    let healthLines: string[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const health = await etcdctl(['endpoint', 'health', '--cluster'], { endpoints: endpoint(leader) });
      healthLines = `${health.stdout}${health.stderr}`.split('\n');
      if (health.code === 0) break;
      await sleep(500);
    }
    assert.equal(healthLines.filter((entry) => entry.includes('is healthy')).length, 3, healthLines.join('\n'));
    const status = await ctl(endpoint(leader), 'endpoint', 'status', '--cluster');
    assert.equal(status.trim().split('\n').length, 3, status);
    assert.equal(status.split('\n').filter((entry) => entry.includes(', true, false, ')).length, 1, `exactly one leader: ${status}`);
  });

  await t.test('move-leader hands leadership to a follower', async () => {
    const current = await leaderOf(nodes);
    const next = nodes.find((node) => node !== current)!;
    const nextId = (await ctl(endpoint(next), 'endpoint', 'status')).split(',')[1]!.trim();
    assert.match(await ctl(nodes.map(endpoint), 'move-leader', nextId), /Leadership transferred from \w+ to \w+/);
    assert.equal(await leaderOf(nodes), next);
  });

  await t.test('a member down while the log was compacted catches up from a snapshot and converges', async () => {
    const current = await leaderOf(nodes);
    const down = nodes.find((node) => node !== current)!;
    await down.handle.kill('SIGKILL');
    const client = connect(endpoint(current), { deadlineMs: 10_000 });
    try {
      for (let start = 0; start < writesWhileDown; start += 100) {
        await Promise.all(Array.from({ length: 100 }, (_, offset) => client.kv.put({ key: `while-down/${start + offset}`, value: 'v'.repeat(64) })));
      }
    } finally {
      client.close();
    }
    // Cairn takes a snapshot and compacts its log once the backend has synced (at once when a snapshot falls
    // due, else every second), and the member is dialled back at once when it returns: leave the leader time
    // to have compacted by then.
    await sleep(2_500);
    down.handle.start();
    await down.handle.waitReady();
    await waitConverged(nodes);
    assert.equal(await ctl(endpoint(down), 'get', `while-down/${writesWhileDown - 1}`, '--print-value-only'), `${'v'.repeat(64)}\n`);
    if (target === 'cairn') assert.match(down.handle.log.tail(400), /applied snapshot/, 'the member caught up through a snapshot, not the log');
  });

  await t.test('a member added after the log was compacted joins through a snapshot that names it', async () => {
    // The newest stored snapshot predates the new member; the leader must send one with today's membership,
    // or the new member's Raft refuses it (etcd's createMergedSnapshotMessage).
    const current = await leaderOf(nodes);
    const joinerPeer = `http://${loopbackHost}:${ports[7]}`;
    const added = await reconfigure(endpoint(current), 'member', 'add', 'm6', '--learner', `--peer-urls=${joinerPeer}`);
    const joiner = member('m6', [ports[6]!, ports[7]!], /ETCD_INITIAL_CLUSTER="([^"]+)"/.exec(added)![1]!, 'existing');
    joiner.handle.start();
    await joiner.handle.waitReady();
    await waitConverged([...nodes, joiner]);
    assert.equal(await ctl(endpoint(joiner), 'get', `while-down/${writesWhileDown - 1}`, '--print-value-only', '--consistency=s'), `${'v'.repeat(64)}\n`);
    if (target === 'cairn') assert.match(joiner.handle.log.tail(400), /applied snapshot/, 'the new member started from a snapshot');
    const id = (await ctl(endpoint(current), 'member', 'list')).split('\n').find((line) => line.includes(', m6, '))!.split(',')[0]!;
    await reconfigure(endpoint(current), 'member', 'remove', id);
  });

  // Last, as it leaves the cluster without a quorum. etcd 3.5's MemberListRequest.linearizable (the 3.4 server
  // started for side-by-side runs predates the field and ignores it).
  await t.test('a linearizable member list needs a quorum; a serializable one is answered from the member', { skip: target !== 'cairn' }, async () => {
    const [survivor, ...others] = nodes;
    const client = connect(endpoint(survivor!), { deadlineMs: 10_000 });
    try {
      // The previous test removed its member through the leader; a linearizable list waits until this member
      // has applied that too, so the serializable list below cannot still show the removed one.
      assert.equal((await client.cluster.memberList({ linearizable: true })).members.length, 3);
      for (const node of others) await node.handle.kill('SIGKILL');
      assert.equal((await client.cluster.memberList()).members.length, 3);
      await assert.rejects(client.cluster.memberList({ linearizable: true }), /etcdserver: (no leader|request timed out|leader changed)/);
    } finally {
      client.close();
    }
  });
});
