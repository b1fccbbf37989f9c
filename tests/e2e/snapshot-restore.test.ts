// `cairn-util snapshot restore` as an operator uses `etcdutl snapshot restore`: keys, a lease, a compaction and a
// deletion written to a running cluster, `etcdctl snapshot save`, three new data dirs restored from the file with
// the same flags, three members started on them. The new cluster must hold the same keys at the same revisions,
// agree on HashKV with the source, keep the lease with its key, refuse reads below the compaction, and accept
// writes; a corrupt file is refused with etcd's message and nothing written. The same is done with a snapshot of a
// real etcd (a bbolt file), whose `snapshot status` must read exactly as etcdctl's.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { etcdctl, skipUnlessInstalled } from '../support/etcdctl.ts';
import { MemberHandle } from '../support/member.ts';
import { trackTempDir } from '../support/child-cleanup.ts';
import { freePorts, loopbackHost } from '../support/ports.ts';
import { cairnEnginePath, repositoryRoot, startServers, type ClusterHandle, type ServerKind } from '../support/processes.ts';
import { runProcess } from '../support/run-process.ts';
import { serverEnvironment } from './target.ts';

const cairnUtilPath = path.join(repositoryRoot, 'engine', 'bin', 'cairn-util');
const baseDir = await mkdtemp(path.join(os.tmpdir(), 'cairn-snapshot-restore-'));
trackTempDir(baseDir);
const running: Array<{ stop(): Promise<void> }> = [];
after(async () => {
  for (const each of running) await each.stop().catch(() => undefined);
});

/** etcdctl against `endpoints`; fails the test with etcdctl's stderr unless it succeeds. */
async function ctl(endpoints: string | readonly string[], ...args: string[]): Promise<string> {
  const result = await etcdctl(args, { endpoints, timeoutMs: 20_000 });
  assert.equal(result.code, 0, `etcdctl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

function cairnUtil(args: readonly string[]) {
  return runProcess(process.execPath, [cairnUtilPath, ...args], { env: serverEnvironment(), timeoutMs: 60_000 });
}

interface Written {
  leaseId: string;
  revision: number;
}

/** Writes the history every restore must reproduce; returns the lease and the final revision. */
async function writeHistory(endpoint: string): Promise<Written> {
  for (let version = 1; version <= 5; version++) await ctl(endpoint, 'put', 'config/app', `v${version}`);
  const compactAt = JSON.parse(await ctl(endpoint, 'get', 'config/app', '-w', 'json')).header.revision as number;
  for (let index = 0; index < 20; index++) await ctl(endpoint, 'put', `items/${String(index).padStart(2, '0')}`, `item ${index}`);
  await ctl(endpoint, 'del', 'items/07');
  await ctl(endpoint, 'compact', String(compactAt));
  const leaseId = /lease ([0-9a-f]+) granted/.exec(await ctl(endpoint, 'lease', 'grant', '600'))![1]!;
  await ctl(endpoint, 'put', '--lease', leaseId, 'session/alive', 'yes');
  const revision = JSON.parse(await ctl(endpoint, 'get', 'config/app', '-w', 'json')).header.revision as number;
  return { leaseId, revision };
}

/** Every key with its revisions, value and lease, and the store revision, as etcdctl reports them. */
async function dump(endpoints: string | readonly string[]): Promise<{ revision: number; kvs: unknown[] }> {
  const response = JSON.parse(await ctl(endpoints, 'get', '', '--prefix', '-w', 'json')) as { header: { revision: number }; kvs: unknown[] };
  return { revision: response.header.revision, kvs: response.kvs };
}

async function hashKv(endpoints: string | readonly string[], revision: number): Promise<string[]> {
  const lines = (await ctl(endpoints, 'endpoint', 'hashkv', '--rev', String(revision))).trim().split('\n');
  return lines.map((line) => line.split(', ')[1]!);
}

/** Starts a one-member source cluster of `kind`, writes the history and saves a snapshot of it. */
async function snapshotOf(kind: ServerKind, name: string): Promise<{ file: string; source: ClusterHandle; written: Written; before: Awaited<ReturnType<typeof dump>>; hash: string }> {
  const source = await startServers(kind, { members: 1 });
  running.push(source);
  const endpoint = source.endpoints[0]!;
  const written = await writeHistory(endpoint);
  const file = path.join(baseDir, `${name}.db`);
  await ctl(endpoint, 'snapshot', 'save', file);
  return { file, source, written, before: await dump(endpoint), hash: (await hashKv(endpoint, written.revision))[0]! };
}

/** Restores `file` into three data dirs with the same flags and starts a member on each; resolves when all are ready. */
async function restoreAndStart(file: string, label: string): Promise<{ endpoints: string[]; members: MemberHandle[] }> {
  const ports = await freePorts(6);
  const names = ['r1', 'r2', 'r3'];
  const peerUrls = names.map((_, index) => `http://${loopbackHost}:${ports[index * 2 + 1]}`);
  const clientUrls = names.map((_, index) => `http://${loopbackHost}:${ports[index * 2]}`);
  const initialCluster = names.map((name, index) => `${name}=${peerUrls[index]}`).join(',');
  const token = `restored-${label}-${process.pid}`;
  const members: MemberHandle[] = [];
  for (const [index, name] of names.entries()) {
    const dataDir = path.join(baseDir, `${label}-${name}.data`);
    const flags = ['--name', name, '--initial-cluster', initialCluster, '--initial-cluster-token', token, '--initial-advertise-peer-urls', peerUrls[index]!];
    const restored = await cairnUtil(['snapshot', 'restore', file, '--data-dir', dataDir, ...flags]);
    assert.equal(restored.code, 0, `restore ${name}: ${restored.stderr}`);
    assert.match(restored.stderr, /"msg":"restored snapshot"/);
    const args = [cairnEnginePath, ...flags, '--data-dir', dataDir, '--listen-peer-urls', peerUrls[index]!,
      '--listen-client-urls', clientUrls[index]!, '--advertise-client-urls', clientUrls[index]!, '--initial-cluster-state', 'new'];
    members.push(new MemberHandle({ kind: 'cairn', name, command: process.execPath, args, env: serverEnvironment(), clientUrl: clientUrls[index]!, peerUrl: peerUrls[index]!, dataDir }));
  }
  running.push({ stop: async () => { for (const member of members) await member.kill('SIGKILL'); } });
  for (const member of members) member.start();
  await Promise.all(members.map((member) => member.waitReady(30_000)));
  return { endpoints: members.map((member) => member.endpoint), members };
}

/** The checks every restored cluster must pass against the snapshot's source. */
async function checkRestored(endpoints: string[], expected: { written: Written; before: Awaited<ReturnType<typeof dump>>; hash: string }): Promise<void> {
  for (const endpoint of endpoints) assert.deepEqual(await dump(endpoint), expected.before, `keys and revision on ${endpoint}`);
  assert.deepEqual(await hashKv(endpoints, expected.written.revision), [expected.hash, expected.hash, expected.hash], 'HashKV equals the source\'s on every member');
  const compacted = await etcdctl(['get', 'config/app', '--rev', '2'], { endpoints: endpoints[0]! });
  assert.notEqual(compacted.code, 0);
  assert.match(compacted.stderr, /required revision has been compacted/);
  const lease = await ctl(endpoints[1]!, 'lease', 'timetolive', expected.written.leaseId, '--keys');
  assert.match(lease, new RegExp(`lease ${expected.written.leaseId} granted with TTL\\(600s\\), remaining\\(\\d+s\\), attached keys\\(\\[session/alive\\]\\)`));
  const members = JSON.parse(await ctl(endpoints, 'member', 'list', '-w', 'json')) as { members: Array<{ name: string }> };
  assert.deepEqual(members.members.map((member) => member.name).sort(), ['r1', 'r2', 'r3'], 'the new membership, not the source\'s');
  await ctl(endpoints[2]!, 'put', 'after/restore', 'ok');
  const after = await dump(endpoints[0]!);
  assert.equal(after.revision, expected.written.revision + 1, 'the revision continues from the snapshot\'s');
}

test('three members restored from a Cairn snapshot form a cluster with its keys, revision, HashKV, compaction and lease', { skip: skipUnlessInstalled('etcdctl') }, async () => {
  const started = Date.now();
  const snapshot = await snapshotOf('cairn', 'cairn');
  await snapshot.source.stop();
  const status = await cairnUtil(['snapshot', 'status', snapshot.file, '-w', 'json']);
  assert.equal(status.code, 0, status.stderr);
  assert.equal(JSON.parse(status.stdout).revision, snapshot.written.revision);
  const restored = await restoreAndStart(snapshot.file, 'cairn');
  await checkRestored(restored.endpoints, snapshot);
  process.stderr.write(`# restore of a Cairn snapshot: ${Date.now() - started} ms (source, snapshot, 3 restores, 3 members ready, checks)\n`);
});

test('a corrupt snapshot is refused with etcd\'s message and nothing is written', { skip: skipUnlessInstalled('etcdctl') }, async () => {
  const snapshot = await snapshotOf('cairn', 'to-corrupt');
  await snapshot.source.stop();
  const bytes = fs.readFileSync(snapshot.file);
  bytes[Math.floor(bytes.length / 3)] ^= 0x5a;
  const corrupt = path.join(baseDir, 'corrupt.db');
  fs.writeFileSync(corrupt, bytes);
  const target = path.join(baseDir, 'corrupt-target');
  fs.mkdirSync(target);
  const result = await cairnUtil(['snapshot', 'restore', corrupt, '--data-dir', path.join(target, 'm1.data'), '--name', 'm1',
    '--initial-cluster', 'm1=http://127.0.0.1:2380', '--initial-advertise-peer-urls', 'http://127.0.0.1:2380']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^Error: expected sha256 \[[0-9 ]+\], got \[[0-9 ]+\]$/m);
  assert.deepEqual(fs.readdirSync(target), [], 'no data dir and no staging folder');
});

test('a real etcd\'s snapshot: status reads as etcdctl\'s, and three restored Cairn members serve its data with the same HashKV', {
  skip: skipUnlessInstalled('etcdctl') || skipUnlessInstalled('/usr/bin/etcd'),
}, async () => {
  const snapshot = await snapshotOf('etcd', 'etcd');
  const endpoint = snapshot.source.endpoints[0]!;
  await ctl(endpoint, 'user', 'add', 'root:secret');
  await ctl(endpoint, 'role', 'add', 'reader');
  const withAuth = path.join(baseDir, 'etcd-with-auth.db');
  await ctl(endpoint, 'snapshot', 'save', withAuth);
  await snapshot.source.stop();
  const theirs = await etcdctl(['snapshot', 'status', withAuth, '-w', 'json'], { endpoints: endpoint });
  assert.equal(theirs.code, 0, theirs.stderr);
  for (const format of ['json', 'table', 'simple']) {
    const etcdStatus = await etcdctl(['snapshot', 'status', withAuth, '-w', format], { endpoints: endpoint });
    const ours = await cairnUtil(['snapshot', 'status', withAuth, '-w', format]);
    assert.equal(ours.stdout, etcdStatus.stdout, `snapshot status -w ${format}`);
  }
  const restored = await restoreAndStart(withAuth, 'etcd');
  await checkRestored(restored.endpoints, snapshot);
  assert.match(await ctl(restored.endpoints[0]!, 'user', 'list'), /^root$/m, 'users come along');
  assert.match(await ctl(restored.endpoints[0]!, 'role', 'list'), /^reader$/m, 'roles come along');
});
