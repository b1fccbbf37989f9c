// The main-process services against a real three-member local cluster, called the way the renderer calls them (a
// session's CairnApi): paged listings pinned to a revision, the key tree with folder counts, compare-and-swap,
// history, delete previews, a scoped connection, a watch that resumes across a member restart, leases, snapshots,
// the production write confirmation, a failover the user starts by stopping the leader, and a confirmed reset.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { resetConfirmation, type WatchBatch, type WatchStateChange } from '../../electron/common/contract.ts';
import { fromUtf8, utf8 } from '../../electron/common/wire-codec.ts';
import { downloadSnapshot } from '../../electron/main/snapshots/snapshot-download.ts';
import { waitFor } from './support/process-alive.ts';
import { useLocalHost } from './support/local-host.ts';
import { value } from './support/result-value.ts';
import { testClusterSize } from './support/test-cluster.ts';

const local = { connectionId: 'local' };

describe(`main-process services on a real local cluster (${testClusterSize} members)`, () => {
  const app = useLocalHost('cairn-services-');

  before(async () => {
    const ops = [];
    for (let index = 0; index < 25; index += 1) ops.push({ type: 'put' as const, key: utf8(`tree/flat-${String(index).padStart(2, '0')}`), value: utf8(`v${index}`) });
    for (const folder of ['a', 'b', 'c']) for (let index = 0; index < 4; index += 1) ops.push({ type: 'put' as const, key: utf8(`tree/${folder}/${index}`), value: utf8('x') });
    value(await app.api.keys.txn({ ...local, compare: [], success: ops, failure: [] }));
  });

  test('pages of keys follow each other at the first page\'s revision', async () => {
    const first = value(await app.api.keys.list({ ...local, prefix: utf8('tree/flat-'), limit: 10 }));
    assert.equal(first.remaining, 25);
    assert.equal(first.kvs.length, 10);
    assert.equal(first.kvs[0]!.valueSize, null, 'keys only by default');
    value(await app.api.keys.put({ ...local, key: utf8('tree/flat-05x'), value: utf8('later') }));
    const seen = first.kvs.map((kv) => fromUtf8(kv.key));
    let page = first;
    while (page.more) {
      page = value(await app.api.keys.list({ ...local, prefix: utf8('tree/flat-'), limit: 10, after: page.next!, revision: first.revision }));
      seen.push(...page.kvs.map((kv) => fromUtf8(kv.key)));
    }
    assert.equal(seen.length, 25, 'a key written after page one does not appear in later pages');
    assert.equal(new Set(seen).size, 25);
    value(await app.api.keys.delete({ ...local, key: utf8('tree/flat-05x') }));
  });

  test('one tree level lists folders with their counts and keys, page by page', async () => {
    const first = value(await app.api.keys.tree({ ...local, prefix: utf8('tree/'), separator: '/', limit: 2 }));
    assert.deepEqual(first.entries.map((entry) => (entry.kind === 'folder' ? `${fromUtf8(entry.key)}(${entry.count})` : fromUtf8(entry.kv.key))), ['tree/a/(4)', 'tree/b/(4)']);
    assert.equal(first.more, true);
    const rest = value(await app.api.keys.tree({ ...local, prefix: utf8('tree/'), separator: '/', limit: 100, after: first.next!, revision: first.revision }));
    assert.equal(rest.entries[0]!.kind === 'folder' && fromUtf8(rest.entries[0]!.key), 'tree/c/');
    assert.equal(rest.entries.filter((entry) => entry.kind === 'key').length, 25);
    assert.equal(rest.more, false);
  });

  test('compare-and-swap saves, conflicts show the current value, and history walks back', async () => {
    const key = utf8('cas/config');
    const created = value(await app.api.keys.put({ ...local, key, value: utf8('{"v":1}'), expectedModRevision: 0 }));
    assert.equal(created.outcome, 'done');
    const edited = value(await app.api.keys.put({ ...local, key, value: utf8('{"v":2}'), expectedModRevision: created.revision }));
    assert.equal(edited.outcome, 'done');
    const stale = value(await app.api.keys.put({ ...local, key, value: utf8('{"v":3}'), expectedModRevision: created.revision }));
    assert.equal(stale.outcome, 'conflict');
    assert.equal(stale.outcome === 'conflict' && fromUtf8(stale.current!.value), '{"v":2}');
    const history = value(await app.api.keys.history({ ...local, key }));
    assert.deepEqual(history.versions.map((kv) => fromUtf8(kv.value)), ['{"v":2}', '{"v":1}']);
    assert.equal(history.createdAt, created.revision);
    const big = new Uint8Array(1024 * 1024 + 4096).fill(65);
    value(await app.api.keys.put({ ...local, key: utf8('cas/big'), value: big }));
    const shown = value(await app.api.keys.get({ ...local, key: utf8('cas/big') })).kv!;
    assert.equal(shown.valueTruncated, true);
    assert.equal(shown.valueSize, big.length);
    assert.equal(shown.value.length, 1024 * 1024);
  });

  test('a prefix delete is previewed with its count, then deletes exactly that', async () => {
    const preview = value(await app.api.keys.previewDelete({ ...local, key: utf8('tree/a/'), prefix: true }));
    assert.equal(preview.count, 4);
    assert.deepEqual(preview.sample.map(fromUtf8), ['tree/a/0', 'tree/a/1', 'tree/a/2', 'tree/a/3']);
    const done = value(await app.api.keys.delete({ ...local, key: utf8('tree/a/'), prefix: true }));
    assert.equal(done.outcome === 'done' && done.deleted, 4);
    assert.equal(value(await app.api.keys.count({ ...local, prefix: utf8('tree/') })).count, 33);
  });

  test('a connection with a key-prefix scope sees only its keys, without the prefix', async () => {
    const urls = app.host.localCluster.clientUrls();
    const scoped = value(await app.api.connections.add({ draft: { name: 'scoped', endpoints: urls, environment: 'development', keyPrefix: 'tree/b/' } }));
    const list = value(await app.api.keys.list({ connectionId: scoped.id, prefix: new Uint8Array() }));
    assert.deepEqual(list.kvs.map((kv) => fromUtf8(kv.key)), ['0', '1', '2', '3']);
    value(await app.api.keys.put({ connectionId: scoped.id, key: utf8('new'), value: utf8('1') }));
    assert.ok(value(await app.api.keys.get({ ...local, key: utf8('tree/b/new') })).kv);
    const tested = value(await app.api.connections.test({ id: scoped.id }));
    assert.equal(tested.ok, true, JSON.stringify(tested));
  });

  test('a watch survives a member restart and delivers every event once', async () => {
    const batches: WatchBatch[] = [];
    const states: WatchStateChange[] = [];
    app.api.watch.onDidReceive((batch) => batches.push(batch));
    app.api.watch.onDidChangeState((change) => states.push(change));
    const { watchId } = value(await app.api.watch.start({ ...local, key: utf8('watched/'), prefix: true, prevKv: true }));
    await waitFor('the watch to be live', () => states.some((change) => change.watchId === watchId && change.state === 'live'), 5_000);
    value(await app.api.keys.put({ ...local, key: utf8('watched/one'), value: utf8('1') }));
    await waitFor('the first event', () => batches.length > 0, 5_000);
    const member = app.host.localCluster.state().members[0]!.name;
    value(await app.api.localCluster.restartMember({ name: member }));
    value(await app.api.keys.put({ ...local, key: utf8('watched/two'), value: utf8('2') }));
    value(await app.api.keys.put({ ...local, key: utf8('watched/one'), value: utf8('1b') }));
    const events = () => batches.filter((batch) => batch.watchId === watchId).flatMap((batch) => batch.events);
    await waitFor('events after the restart', () => events().length >= 3, 15_000);
    assert.deepEqual(events().map((event) => `${event.type} ${fromUtf8(event.kv.key)}=${fromUtf8(event.kv.value)}`), ['put watched/one=1', 'put watched/two=2', 'put watched/one=1b']);
    assert.equal(fromUtf8(events()[2]!.prevKv!.value), '1');
    assert.ok(states.some((change) => change.watchId === watchId && change.state === 'reconnecting'), 'the restart was noticed');
    value(await app.api.watch.stop({ watchId }));
    assert.equal(states.at(-1)?.state, 'ended');
  });

  test('leases are granted, listed with TTL and keys, and revoked', async () => {
    const lease = value(await app.api.leases.grant({ ...local, ttl: 120 }));
    value(await app.api.keys.put({ ...local, key: utf8('leased/key'), value: utf8('v'), lease: lease.id }));
    const listed = value(await app.api.leases.list(local)).leases.find((each) => each.id === lease.id);
    assert.equal(listed?.keyCount, 1);
    assert.ok((listed?.ttl ?? 0) > 100);
    const detail = value(await app.api.leases.timeToLive({ ...local, id: lease.id, keys: true }));
    assert.deepEqual(detail.keys.map(fromUtf8), ['leased/key']);
    assert.ok(value(await app.api.leases.keepAliveOnce({ ...local, id: lease.id })).ttl > 100);
    value(await app.api.leases.revoke({ ...local, id: lease.id }));
    assert.equal(value(await app.api.keys.get({ ...local, key: utf8('leased/key') })).kv, null);
    const gone = await app.api.leases.timeToLive({ ...local, id: lease.id });
    assert.equal(!gone.ok && gone.error.code, 'not-found');
  });

  test('a snapshot streams into the library with progress and a verified sha256', async () => {
    const progress: string[] = [];
    app.api.maintenance.onDidProgress((event) => progress.push(`${event.operationId}:${event.phase}`));
    const info = value(await app.api.maintenance.saveSnapshot({ ...local, operationId: 'snap-test', destination: 'library' }));
    assert.ok(existsSync(info.path));
    assert.equal(info.sha256, createHash('sha256').update(readFileSync(info.path)).digest('hex'));
    assert.ok(info.revision > 0 && info.sizeBytes > 32);
    assert.deepEqual(value(await app.api.maintenance.listSnapshots()).map((each) => each.id), [info.id]);
    assert.equal(progress[0], 'snap-test:running');
    assert.equal(progress.at(-1), 'snap-test:done');
    const dialog = await app.api.maintenance.saveSnapshot({ ...local, operationId: 'snap-dialog', destination: 'choose-file' });
    assert.equal(!dialog.ok && dialog.error.code, 'not-supported');
    value(await app.api.maintenance.deleteSnapshot({ id: info.id }));
    assert.equal(existsSync(info.path), false);
  });

  test('cluster overview, hashes, alarms and compaction', async () => {
    const overview = value(await app.api.cluster.overview(local));
    assert.equal(overview.members.length, testClusterSize);
    const leader = overview.members.find((member) => member.id === overview.leaderId);
    assert.ok(leader?.status?.reachable && leader.status.isLeader);
    const endpoint = overview.endpoints[0]!.endpoint;
    const hash = value(await app.api.maintenance.hashKv({ ...local, endpoint }));
    assert.ok(hash.revision > 0);
    assert.deepEqual(value(await app.api.maintenance.alarms(local)), []);
    const compacted = value(await app.api.maintenance.compact({ ...local, revision: 3 }));
    assert.equal(compacted.revision, 3);
    const old = await app.api.keys.get({ ...local, key: utf8('cas/config'), revision: 2 });
    assert.equal(!old.ok && old.error.code, 'compacted');
    assert.match(!old.ok ? old.error.message : '', /compacted/);
  });

  test('a snapshot that cannot be written fails as a value and leaves no file', async () => {
    const target = path.join(app.root, 'unwritable', 'snapshot.db');
    mkdirSync(path.dirname(target), { recursive: true });
    // The partial file's name points into a folder that does not exist: opening it for writing fails.
    symlinkSync(path.join(app.root, 'no-such-folder', 'x'), `${target}.part`);
    await assert.rejects(downloadSnapshot(app.host.registry.get('local'), target, () => undefined), /ENOENT/);
    assert.equal(existsSync(target), false);
    assert.equal(existsSync(`${target}.part`), false);
  });

  test('writes to a production connection need its name as confirmation, checked in main', async () => {
    const production = value(await app.api.connections.add({ draft: { name: 'Local as prod', endpoints: app.host.localCluster.clientUrls(), environment: 'production' } }));
    const key = utf8('prod/guarded');
    const refused = await app.api.keys.put({ connectionId: production.id, key, value: utf8('1') });
    assert.equal(!refused.ok && refused.error.code, 'confirmation-required');
    const wrongName = await app.api.keys.delete({ connectionId: production.id, key, prefix: true, productionConfirmation: 'local as prod' });
    assert.equal(!wrongName.ok && wrongName.error.code, 'confirmation-required');
    assert.equal(value(await app.api.keys.get({ connectionId: production.id, key })).kv, null, 'reads need no confirmation, and nothing was written');
    const done = value(await app.api.keys.put({ connectionId: production.id, key, value: utf8('1'), productionConfirmation: 'Local as prod' }));
    assert.equal(done.outcome, 'done');
    assert.equal(fromUtf8(value(await app.api.keys.get({ ...local, key })).kv!.value), '1');
    value(await app.api.connections.remove({ id: production.id }));
  });

  test('stopping the leader elects another; the cluster keeps serving and the member rejoins when started', async (t) => {
    const memberName = (id: string | null) => app.host.localCluster.state().members.find((member) => member.memberId === id)?.name;
    const before = value(await app.api.cluster.overview(local));
    const leader = memberName(before.leaderId);
    assert.ok(leader, `the leader ${before.leaderId} is a local member`);
    const stoppedAt = Date.now();
    const stopped = value(await app.api.localCluster.stopMember({ name: leader }));
    assert.equal(stopped.members.find((member) => member.name === leader)?.state, 'stopped');
    assert.equal(stopped.phase, 'degraded');
    let after = before;
    await waitFor('a new leader', async () => {
      const overview = await app.api.cluster.overview(local);
      if (overview.ok) after = overview.value;
      return overview.ok && after.leaderId !== null && after.leaderId !== before.leaderId;
    }, 15_000);
    t.diagnostic(`new leader ${memberName(after.leaderId)} (was ${leader}) ${Date.now() - stoppedAt} ms after the stop request`);
    assert.equal(after.members.length, testClusterSize, 'the stopped member is still a member');
    const asked = Date.now();
    const withStopped = value(await app.api.cluster.overview(local));
    assert.ok(Date.now() - asked < 2_500, `an overview with a stopped member took ${Date.now() - asked} ms: it must not wait for the member`);
    assert.equal(withStopped.members.find((member) => member.name === leader)?.status?.reachable, false);
    assert.equal(value(await app.api.keys.put({ ...local, key: utf8('failover/written'), value: utf8('during') })).outcome, 'done');
    const restarted = value(await app.api.localCluster.startMember({ name: leader }));
    assert.equal(restarted.phase, 'running');
    const rejoined = restarted.members.find((member) => member.name === leader)!;
    assert.equal(rejoined.crashRestarts, 0, 'a stop on request is not a crash');
    const endpoint = rejoined.clientUrl;
    await waitFor('the rejoined member to have the write made while it was down', async () => {
      const written = await app.api.keys.get({ ...local, key: utf8('failover/written') });
      const status = await app.api.maintenance.hashKv({ ...local, endpoint });
      return written.ok && status.ok && status.value.revision >= (written.value.kv?.modRevision ?? Infinity);
    }, 15_000);
  });

  test('destructive local-cluster operations need the confirmation phrase', async () => {
    const refused = await app.api.localCluster.reset({ confirm: 'yes' });
    assert.equal(!refused.ok && refused.error.code, 'confirmation-required');
    assert.ok(value(await app.api.keys.get({ ...local, key: utf8('cas/config') })).kv, 'a refused reset leaves the data alone');
    const unknown = await app.api.localCluster.stopMember({ name: 'member-9' });
    assert.equal(!unknown.ok && unknown.error.code, 'not-found');
  });

  test('a confirmed reset wipes the local cluster and starts a new empty one of the same size', async (t) => {
    const before = app.host.localCluster.state();
    const started = Date.now();
    const after = value(await app.api.localCluster.reset({ confirm: resetConfirmation }));
    t.diagnostic(`reset and ${after.members.length} new member(s) healthy in ${Date.now() - started} ms`);
    assert.equal(after.phase, 'running');
    assert.equal(after.members.length, before.members.length);
    const oldIds = new Set(before.members.map((member) => member.memberId));
    for (const member of after.members) assert.ok(member.memberId && !oldIds.has(member.memberId), `${member.name} has a new identity`);
    assert.equal(value(await app.api.keys.count({ ...local, prefix: new Uint8Array() })).count, 0);
  });
});
