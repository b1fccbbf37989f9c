// Debian's etcdctl 3.4 against one member of the target (E2E_TARGET=cairn|etcd, default cairn): every command an
// operator uses day to day, with the exact output and error messages a real etcd 3.4 produces. The member runs
// with `--max-txn-ops 8` so the txn limit test also proves that the flag is honoured.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { etcdctl, etcdctlBinaryPath, skipUnlessInstalled, type EtcdctlResult } from '../support/etcdctl.ts';
import { connect, isServiceError, type EtcdClient } from '../support/grpc-client.ts';
import type { ClusterHandle } from '../support/processes.ts';
import { EtcdctlWatch } from './etcdctl-watch.ts';
import { fromBase64, parseJsonKeepingBigIntegers, startTarget, target, targetUnavailableReason } from './target.ts';

/** The txn limit the member is started with (etcd's default is 128). */
const maxTxnOps = 8;

/** etcdctl prints these prompts for `txn --interactive` even when stdin is not a terminal. */
const txnPrompts = 'compares:\nsuccess requests (get, put, del):\nfailure requests (get, put, del):\n';

interface JsonHeader { cluster_id: string; member_id: string; revision?: number; raft_term: number }
interface JsonKv { key: string; value?: string; create_revision: number; mod_revision: number; version: number; lease?: string }
interface JsonRange { header: JsonHeader; kvs?: JsonKv[]; more?: boolean; count?: number }

describe(`etcdctl 3.4 against one ${target} member`, { skip: skipUnlessInstalled(etcdctlBinaryPath) }, () => {
  let cluster: ClusterHandle;
  let client: EtcdClient;
  let endpoints: readonly string[];

  before(async () => {
    assert.equal(targetUnavailableReason(), undefined);
    cluster = await startTarget({ extraFlags: ['--max-txn-ops', String(maxTxnOps)] });
    endpoints = cluster.endpoints;
    client = connect(endpoints[0]);
  });
  after(async () => {
    client?.close();
    await cluster?.stop();
  });

  const run = (args: readonly string[], input?: string): Promise<EtcdctlResult> => etcdctl(args, { endpoints, input });

  /** Runs etcdctl, requires exit code 0 and returns stdout. */
  async function ok(args: readonly string[], input?: string): Promise<string> {
    const result = await run(args, input);
    assert.equal(result.code, 0, `etcdctl ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  }

  /** Runs etcdctl with `-w json` and parses its output. */
  async function json<T>(args: readonly string[], input?: string): Promise<T> {
    const stdout = await ok([...args, '-w', 'json'], input);
    return parseJsonKeepingBigIntegers<T>(stdout.startsWith(txnPrompts) ? stdout.slice(txnPrompts.length) : stdout);
  }

  /** Puts with etcdctl and returns the revision of the write. */
  async function put(key: string, value: string, ...flags: string[]): Promise<number> {
    const response = await json<{ header: JsonHeader }>(['put', key, value, ...flags]);
    assert.equal(typeof response.header.revision, 'number');
    return response.header.revision!;
  }

  /** Runs etcdctl expecting a failure; returns its stderr's last line (etcdctl's "Error: ..." summary). */
  async function fails(args: readonly string[], code = 1): Promise<string> {
    const result = await run(args);
    assert.equal(result.code, code, `etcdctl ${args.join(' ')}: stdout ${result.stdout} stderr ${result.stderr}`);
    return result.stderr.trim().split('\n').at(-1) ?? '';
  }

  test('put prints OK and get prints the key line and the value line', async () => {
    assert.equal(await ok(['put', 'basic/greeting', 'hello world']), 'OK\n');
    assert.equal(await ok(['get', 'basic/greeting']), 'basic/greeting\nhello world\n');
    assert.equal(await ok(['get', 'basic/missing']), '');
  });

  test('get --prefix -w json reports the kvs, count and revisions of the puts', async () => {
    const first = await put('prefix/a', '1');
    const second = await put('prefix/b', '2');
    await put('prefix/b', '3');
    await put('prefixless', 'outside');
    assert.equal(second, first + 1);
    const response = await json<JsonRange>(['get', 'prefix/', '--prefix']);
    assert.equal(response.count, 2);
    assert.equal(response.more, undefined, 'more is omitted when false');
    assert.deepEqual(response.kvs?.map((kv) => [fromBase64(kv.key), fromBase64(kv.value), kv.create_revision, kv.mod_revision, kv.version]), [
      ['prefix/a', '1', first, first, 1],
      ['prefix/b', '3', second, second + 1, 2],
    ]);
    assert.equal(response.header.revision, second + 2);
  });

  test('get --from-key lists every key from the given one in byte order', async () => {
    for (const key of ['zz-from/a', 'zz-from/b', 'zz-from/c', 'zz-from/c/d']) await put(key, 'v');
    const keys = (await ok(['get', 'zz-from/b', '--from-key', '--keys-only'])).split('\n').filter(Boolean);
    // Keys of other tests sort before "zz-", so only this test's keys are at or after "zz-from/b".
    assert.deepEqual(keys, ['zz-from/b', 'zz-from/c', 'zz-from/c/d']);
    const response = await json<JsonRange>(['get', 'zz-from/b', '--from-key']);
    assert.equal(response.count, 3);
  });

  test('get --limit returns the first keys, more=true and the count of all matching keys', async () => {
    for (const key of ['limit/1', 'limit/2', 'limit/3', 'limit/4']) await put(key, key);
    const response = await json<JsonRange>(['get', 'limit/', '--prefix', '--limit', '2']);
    assert.deepEqual(response.kvs?.map((kv) => fromBase64(kv.key)), ['limit/1', 'limit/2']);
    assert.equal(response.more, true);
    assert.equal(response.count, 4);
    assert.equal(await ok(['get', 'limit/', '--prefix', '--limit', '1']), 'limit/1\nlimit/1\n');
  });

  test('get --rev reads the value a key had at that revision', async () => {
    const first = await put('rev/key', 'first');
    const second = await put('rev/key', 'second');
    await ok(['del', 'rev/key']);
    assert.equal(await ok(['get', 'rev/key', '--rev', String(first)]), 'rev/key\nfirst\n');
    assert.equal(await ok(['get', 'rev/key', '--rev', String(second)]), 'rev/key\nsecond\n');
    assert.equal(await ok(['get', 'rev/key']), '');
    const old = await json<JsonRange>(['get', 'rev/key', '--rev', String(first)]);
    assert.equal(old.kvs?.[0].mod_revision, first);
    assert.ok((old.header.revision ?? 0) > second, 'the header carries the current revision, not the requested one');
    assert.equal(await ok(['get', 'rev/key', '--rev', String(first - 1)]), '', 'the key did not exist before its first put');
  });

  test('--keys-only prints each key and an empty value line; --print-value-only prints only the values', async () => {
    await put('only/a', 'alpha');
    await put('only/b', 'beta');
    assert.equal(await ok(['get', 'only/', '--prefix', '--keys-only']), 'only/a\n\nonly/b\n\n');
    assert.equal(await ok(['get', 'only/', '--prefix', '--print-value-only']), 'alpha\nbeta\n');
    const keysOnly = await json<JsonRange>(['get', 'only/', '--prefix', '--keys-only']);
    assert.deepEqual(keysOnly.kvs?.map((kv) => kv.value), [undefined, undefined]);
  });

  test('del deletes one key and prints how many were deleted (0 for a missing key)', async () => {
    await put('del/one', 'x');
    assert.equal(await ok(['del', 'del/one']), '1\n');
    assert.equal(await ok(['get', 'del/one']), '');
    assert.equal(await ok(['del', 'del/one']), '0\n');
    const missing = await json<{ header: JsonHeader; deleted?: number }>(['del', 'del/one']);
    assert.equal(missing.deleted, undefined, 'deleted is omitted when 0');
  });

  test('del --prefix deletes every key under the prefix; --prev-kv prints the deleted pairs', async () => {
    for (const [key, value] of [['delp/a', '1'], ['delp/b', '2'], ['delp/c', '3'], ['delpx', 'outside']]) await put(key, value);
    assert.equal(await ok(['del', 'delp/a', '--prev-kv']), '1\ndelp/a\n1\n');
    const response = await json<{ header: JsonHeader; deleted: number; prev_kvs: JsonKv[] }>(['del', 'delp/', '--prefix', '--prev-kv']);
    assert.equal(response.deleted, 2);
    assert.deepEqual(response.prev_kvs.map((kv) => [fromBase64(kv.key), fromBase64(kv.value)]), [['delp/b', '2'], ['delp/c', '3']]);
    assert.equal(await ok(['get', 'delp', '--prefix', '--keys-only']), 'delpx\n\n');
  });

  test('txn --interactive takes the success branch when value and version compares hold', async () => {
    await put('txn/k', 'v1');
    const script = 'value("txn/k") = "v1"\nversion("txn/k") = "1"\n\nput txn/k v2\nget txn/k\n\nput txn/k never\n\n';
    assert.equal(await ok(['txn', '--interactive'], script), `${txnPrompts}SUCCESS\n\nOK\n\ntxn/k\nv2\n`);
    assert.equal(await ok(['get', 'txn/k', '--print-value-only']), 'v2\n');
  });

  test('txn --interactive takes the failure branch when a compare fails', async () => {
    await put('txn/f', 'current');
    const script = 'value("txn/f") = "other"\n\nput txn/f never\n\nget txn/f\ndel txn/absent\n\n';
    assert.equal(await ok(['txn', '--interactive'], script), `${txnPrompts}FAILURE\n\ntxn/f\ncurrent\n\n0\n`);
    const failed = await json<{ succeeded?: boolean; responses: unknown[] }>(['txn', '--interactive'], 'version("txn/f") > "5"\n\n\n\n');
    assert.equal(failed.succeeded, undefined, 'succeeded is omitted when false');
  });

  test('txn compares on create and mod revisions, including create == 0 for an absent key', async () => {
    const created = await put('txn/c', 'a');
    const modified = await put('txn/c', 'b');
    const holds = `create("txn/c") = "${created}"\nmod("txn/c") > "${created}"\nmod("txn/c") < "${modified + 1}"\n\nput txn/c c\n\nput txn/c never\n\n`;
    assert.equal(await ok(['txn', '--interactive'], holds), `${txnPrompts}SUCCESS\n\nOK\n`);
    const fails = `mod("txn/c") = "${modified}"\n\nput txn/c never\n\nget txn/c\n\n`;
    assert.equal(await ok(['txn', '--interactive'], fails), `${txnPrompts}FAILURE\n\ntxn/c\nc\n`);
    const response = await json<{ header: JsonHeader; succeeded?: boolean; responses: Array<{ Response: Record<string, { header: JsonHeader }> }> }>(
      ['txn', '--interactive'], 'create("txn/new") = "0"\n\nput txn/new made\n\n\n');
    assert.equal(response.succeeded, true);
    assert.equal(response.responses.length, 1);
    assert.equal(response.responses[0].Response.ResponsePut.header.revision, response.header.revision);
    assert.equal(await ok(['get', 'txn/new', '--print-value-only']), 'made\n');
  });

  test('watch prints the PUT and DELETE events written by other commands', async () => {
    const watch = new EtcdctlWatch(endpoints, ['watch/key']);
    try {
      // etcdctl prints nothing when the watch is created: write a sentinel until it shows up.
      let sentinel = 0;
      while (!watch.stdout.includes('ready-')) {
        assert.ok(sentinel < 50, `the watch never reported a write: ${watch.stderr}`);
        sentinel += 1;
        await put('watch/key', `ready-${sentinel}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await watch.waitForOutput((stdout) => stdout.includes(`ready-${sentinel}\n`));
      const start = watch.stdout.indexOf(`ready-${sentinel}\n`) + `ready-${sentinel}\n`.length;
      await put('watch/key', 'one');
      await put('watch/other', 'not watched');
      await put('watch/key', 'two');
      await ok(['del', 'watch/key']);
      const expected = 'PUT\nwatch/key\none\nPUT\nwatch/key\ntwo\nDELETE\nwatch/key\n\n';
      await watch.waitForOutput((stdout) => stdout.length >= start + expected.length);
      assert.equal(watch.stdout.slice(start), expected);
    } finally {
      await watch.stop();
    }
  });

  test('watch --rev replays the history of a key from that revision', async () => {
    const first = await put('watchrev/key', 'a');
    const second = await put('watchrev/key', 'b');
    await ok(['del', 'watchrev/key']);
    const text = new EtcdctlWatch(endpoints, ['watchrev/key', '--rev', String(first)]);
    const asJson = new EtcdctlWatch(endpoints, ['watchrev/key', '--rev', String(second), '-w', 'json']);
    try {
      await text.waitForOutput((stdout) => stdout.includes('DELETE'));
      assert.equal(text.stdout, 'PUT\nwatchrev/key\na\nPUT\nwatchrev/key\nb\nDELETE\nwatchrev/key\n\n');
      await asJson.waitForOutput((stdout) => stdout.split('\n').filter(Boolean).flatMap((line) => parseJsonKeepingBigIntegers<{ Events: unknown[] }>(line).Events).length >= 2);
      const events = asJson.stdout.split('\n').filter(Boolean)
        .flatMap((line) => parseJsonKeepingBigIntegers<{ Events: Array<{ type?: number; kv: JsonKv }> }>(line).Events);
      // A PUT event has type 0, which JSON omits; DELETE is 1 and its kv has only the key and mod_revision.
      assert.deepEqual(events.map((event) => [event.type, fromBase64(event.kv.key), event.kv.mod_revision, fromBase64(event.kv.value)]), [
        [undefined, 'watchrev/key', second, 'b'],
        [1, 'watchrev/key', second + 1, ''],
      ]);
      assert.equal(events[1].kv.create_revision, undefined);
    } finally {
      await Promise.all([text.stop(), asJson.stop()]);
    }
  });

  test('watch --prefix --prev-kv prints the previous pair before the new one', async () => {
    const start = (await put('watchp-before', 'x')) + 1;
    const watch = new EtcdctlWatch(endpoints, ['watchp/', '--prefix', '--prev-kv', '--rev', String(start)]);
    try {
      await put('watchp/a', '1');
      await put('watchp/a', '2');
      await put('watchp/b', '3');
      await put('watchpx', 'outside the prefix');
      await ok(['del', 'watchp/a']);
      const expected = 'PUT\nwatchp/a\n1\nPUT\nwatchp/a\n1\nwatchp/a\n2\nPUT\nwatchp/b\n3\nDELETE\nwatchp/a\n2\nwatchp/a\n\n';
      await watch.waitForOutput((stdout) => stdout.length >= expected.length);
      assert.equal(watch.stdout, expected);
    } finally {
      await watch.stop();
    }
  });

  test('lease grant, put --lease, keep-alive --once, timetolive --keys and list', async () => {
    const granted = /^lease ([0-9a-f]+) granted with TTL\(60s\)\n$/.exec(await ok(['lease', 'grant', '60']));
    assert.ok(granted, 'lease grant prints the hex id and TTL');
    const id = granted[1];
    assert.equal(await ok(['put', '--lease', id, 'lease/key', 'leased']), 'OK\n');
    const kv = await json<JsonRange>(['get', 'lease/key']);
    assert.equal(String(kv.kvs?.[0].lease), BigInt(`0x${id}`).toString());
    assert.equal(await ok(['lease', 'keep-alive', '--once', id]), `lease ${id} keepalived with TTL(60)\n`);
    const text = await ok(['lease', 'timetolive', id, '--keys']);
    assert.match(text, new RegExp(`^lease ${id} granted with TTL\\(60s\\), remaining\\((5[5-9]|60)s\\), attached keys\\(\\[lease/key\\]\\)\\n$`));
    const ttl = await json<{ id: string; ttl: number; 'granted-ttl': number; keys: string[] }>(['lease', 'timetolive', id, '--keys']);
    assert.equal(String(ttl.id), BigInt(`0x${id}`).toString());
    assert.equal(ttl['granted-ttl'], 60);
    assert.ok(ttl.ttl > 50 && ttl.ttl <= 60, `remaining TTL ${ttl.ttl}`);
    assert.deepEqual(ttl.keys.map(fromBase64), ['lease/key']);
    const list = (await ok(['lease', 'list'])).split('\n');
    assert.match(list[0], /^found \d+ leases$/);
    assert.equal(Number(/\d+/.exec(list[0])![0]), list.filter(Boolean).length - 1);
    assert.ok(list.includes(id), `lease list shows ${id}: ${list.join(' | ')}`);
  });

  test('lease revoke deletes the attached keys; afterwards the lease is reported as not found', async () => {
    const id = /^lease ([0-9a-f]+) granted/.exec(await ok(['lease', 'grant', '60']))![1];
    await ok(['put', '--lease', id, 'revoke/a', '1']);
    await ok(['put', '--lease', id, 'revoke/b', '2']);
    await put('revoke/unleased', '3');
    assert.equal(await ok(['lease', 'revoke', id]), `lease ${id} revoked\n`);
    assert.equal(await ok(['get', 'revoke/', '--prefix', '--keys-only']), 'revoke/unleased\n\n');
    assert.equal(await ok(['lease', 'timetolive', id]), `lease ${id} already expired\n`);
    const ttl = await json<{ ttl: number; 'granted-ttl': number; keys: null }>(['lease', 'timetolive', id]);
    assert.deepEqual([ttl.ttl, ttl['granted-ttl'], ttl.keys], [-1, 0, null]);
    assert.equal(await fails(['lease', 'revoke', id]), 'Error: failed to revoke lease (etcdserver: requested lease not found)');
    // The server answers a keep-alive for an unknown lease with TTL 0; etcdctl turns that into this error.
    assert.equal(await fails(['lease', 'keep-alive', '--once', id], 2), 'Error: etcdserver: requested lease not found');
    assert.ok(!(await ok(['lease', 'list'])).split('\n').includes(id));
  });

  test('put --lease with an unknown lease fails with etcd\'s message and writes nothing', async () => {
    assert.equal(await fails(['put', '--lease', '1234abcd', 'badlease/key', 'v']), 'Error: etcdserver: requested lease not found');
    assert.equal(await ok(['get', 'badlease/key']), '');
  });

  test('compaction makes older revisions unreadable with etcd\'s message', async () => {
    const first = await put('compact/key', 'v1');
    const second = await put('compact/key', 'v2');
    await put('compact/key', 'v3');
    assert.equal(await ok(['compaction', String(second)]), `compacted revision ${second}\n`);
    assert.equal(await fails(['get', 'compact/key', '--rev', String(first)]), 'Error: etcdserver: mvcc: required revision has been compacted');
    assert.equal(await ok(['get', 'compact/key', '--rev', String(second)]), 'compact/key\nv2\n', 'the compaction revision itself stays readable');
    assert.equal(await ok(['get', 'compact/key', '--print-value-only']), 'v3\n');
    assert.equal(await fails(['compaction', String(second)]), 'Error: etcdserver: mvcc: required revision has been compacted');
    assert.equal(await fails(['compaction', String(second + 1000)]), 'Error: etcdserver: mvcc: required revision is a future revision');
    assert.equal(await fails(['get', 'compact/key', '--rev', String(second + 1000)]), 'Error: etcdserver: mvcc: required revision is a future revision');
    const physical = await put('compact/key', 'v4');
    assert.equal(await ok(['compaction', '--physical', String(physical)]), `compacted revision ${physical}\n`);
  });

  test('watch --rev of a compacted revision is cancelled by the server with the compact revision', async () => {
    const old = await put('wcompact/key', 'old');
    const compactAt = await put('wcompact/key', 'new');
    await ok(['compaction', String(compactAt)]);
    const watch = new EtcdctlWatch(endpoints, ['wcompact/key', '--rev', String(old), '-w', 'json']);
    const exit = await watch.waitForExit();
    assert.equal(exit.code, 5);
    assert.match(watch.stderr, /^watch was canceled \(etcdserver: mvcc: required revision has been compacted\)\nError: watch is canceled by the server\n$/);
    const response = parseJsonKeepingBigIntegers<{ Header: JsonHeader; Events: unknown[]; CompactRevision: number; Canceled: boolean }>(watch.stdout.trim());
    assert.equal(response.CompactRevision, compactAt);
    assert.equal(response.Canceled, true);
    assert.deepEqual(response.Events, []);
    // etcd 3.4 sends this cancellation with revision 0 in its header (JSON omits it).
    assert.equal(response.Header.revision, undefined);
  });

  test('snapshot save writes a non-empty file', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'cairn-e2e-snapshot-'));
    try {
      // Random values, so that even a compressed snapshot must hold at least their 20 kB.
      for (let index = 0; index < 20; index += 1) await client.kv.put({ key: `snap/${index}`, value: randomBytes(1000) });
      const file = path.join(folder, 'backup.db');
      assert.equal(await ok(['snapshot', 'save', file]), `Snapshot saved at ${file}\n`);
      assert.ok((await stat(file)).size > 20_000, 'the snapshot holds at least the values just written');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  test('endpoint status -w json reports this member as leader at the current revision', async () => {
    const revision = await put('status/key', 'v');
    type Status = { Endpoint: string; Status: { header: JsonHeader; version: string; dbSize: number; leader: string; raftIndex: number; raftTerm: number; raftAppliedIndex: number; dbSizeInUse: number } };
    const [entry, ...others] = await json<Status[]>(['endpoint', 'status']);
    assert.equal(others.length, 0);
    assert.equal(entry.Endpoint, endpoints[0]);
    const status = entry.Status;
    assert.equal(status.header.revision, revision);
    assert.equal(String(status.leader), String(status.header.member_id));
    assert.match(status.version, /^\d+\.\d+\.\d+$/);
    assert.ok(status.dbSize > 0 && status.dbSizeInUse > 0 && status.dbSizeInUse <= status.dbSize, `db sizes ${status.dbSize} ${status.dbSizeInUse}`);
    assert.ok(status.raftIndex > 0 && status.raftAppliedIndex <= status.raftIndex, `raft indexes ${status.raftIndex} ${status.raftAppliedIndex}`);
    assert.equal(status.raftTerm, status.header.raft_term);
  });

  test('endpoint health reports the member healthy (on stderr, as etcdctl 3.4 does)', async () => {
    const result = await run(['endpoint', 'health']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, new RegExp(`^${endpoints[0]} is healthy: successfully committed proposal: took = \\S+\\n$`));
    const [health] = await json<Array<{ endpoint: string; health: boolean; took: string }>>(['endpoint', 'health']);
    assert.equal(health.endpoint, endpoints[0]);
    assert.equal(health.health, true);
  });

  test('endpoint hashkv is stable at a revision, changes with writes and refuses the compacted revision', async () => {
    type HashKv = Array<{ Endpoint: string; HashKV: { header: JsonHeader; hash: number; compact_revision: number } }>;
    const compacted = await put('hash/key', 'a');
    await ok(['compaction', String(compacted)]);
    // Unlike a range, HashKV refuses the compaction revision itself: etcd checks `rev <= compactRev`.
    assert.equal(await fails(['endpoint', 'hashkv', '--rev', String(compacted)]), 'Error: etcdserver: mvcc: required revision has been compacted');
    const revision = await put('hash/key', 'b');
    const [before] = await json<HashKv>(['endpoint', 'hashkv', '--rev', String(revision)]);
    assert.equal(before.Endpoint, endpoints[0]);
    assert.equal(before.HashKV.compact_revision, compacted);
    assert.equal(typeof before.HashKV.hash, 'number');
    const [latestBefore] = await json<HashKv>(['endpoint', 'hashkv']);
    await put('hash/key', 'c');
    const [again] = await json<HashKv>(['endpoint', 'hashkv', '--rev', String(revision)]);
    const [latestAfter] = await json<HashKv>(['endpoint', 'hashkv']);
    assert.equal(again.HashKV.hash, before.HashKV.hash, 'the hash up to a revision does not change with later writes');
    assert.notEqual(latestAfter.HashKV.hash, latestBefore.HashKV.hash, 'a write changes the hash of the whole store');
    assert.equal(latestAfter.HashKV.header.revision, revision + 1);
  });

  test('defrag succeeds and keeps the data', async () => {
    await put('defrag/key', 'kept');
    assert.equal(await ok(['defrag']), `Finished defragmenting etcd member[${endpoints[0]}]\n`);
    assert.equal(await ok(['get', 'defrag/key', '--print-value-only']), 'kept\n');
  });

  test('alarm list prints nothing when no alarm is raised', async () => {
    assert.equal(await ok(['alarm', 'list']), '');
    // etcd answers Alarm (and Defragment) without a response header, so etcdctl's JSON is an empty object.
    assert.equal(await ok(['alarm', 'list', '-w', 'json']), '{}\n');
    const alarms = await client.maintenance.alarm({ action: 'GET' });
    assert.deepEqual([alarms.alarms, alarms.header], [[], null]);
    assert.equal((await client.maintenance.defragment()).header, null);
  });

  test('member list shows this one member with its name and URLs', async () => {
    type Members = { header: JsonHeader; members: Array<{ ID: string; name: string; peerURLs: string[]; clientURLs: string[]; isLearner?: boolean }> };
    const response = await json<Members>(['member', 'list']);
    const member = cluster.members[0];
    assert.equal(response.members.length, 1);
    const [only] = response.members;
    assert.equal(String(only.ID), String(response.header.member_id));
    assert.deepEqual([only.name, only.peerURLs, only.clientURLs, only.isLearner], [member.name, [member.peerUrl], [member.clientUrl], undefined]);
    assert.equal(response.header.revision, undefined, 'member list headers carry no revision');
    const hexId = BigInt(only.ID).toString(16);
    assert.equal(await ok(['member', 'list']), `${hexId}, started, ${member.name}, ${member.peerUrl}, ${member.clientUrl}, false\n`);
  });

  describe('errors over gRPC carry etcd\'s codes and messages', () => {
    /** Asserts that `call` fails with this gRPC code and exactly this message. */
    async function rejectsWith(call: Promise<unknown>, code: number, details: string): Promise<void> {
      await assert.rejects(call, (error: unknown) => {
        assert.ok(isServiceError(error), `not a gRPC error: ${String(error)}`);
        assert.deepEqual([error.code, error.details], [code, details]);
        return true;
      });
    }

    test('an empty key is refused by put, range and delete', async () => {
      await rejectsWith(client.kv.put({ key: '', value: 'v' }), 3, 'etcdserver: key is not provided');
      await rejectsWith(client.kv.range({ key: '' }), 3, 'etcdserver: key is not provided');
      await rejectsWith(client.kv.deleteRange({ key: '' }), 3, 'etcdserver: key is not provided');
    });

    test(`a txn over --max-txn-ops (${maxTxnOps}) is refused; one at the limit succeeds`, async () => {
      const ops = (count: number) => Array.from({ length: count }, (_, index) => ({ request_put: { key: `maxops/${index}`, value: 'v' } }));
      await rejectsWith(client.kv.txn({ success: ops(maxTxnOps + 1) }), 3, 'etcdserver: too many operations in txn request');
      await rejectsWith(client.kv.txn({ failure: ops(maxTxnOps + 1) }), 3, 'etcdserver: too many operations in txn request');
      const response = await client.kv.txn({ success: ops(maxTxnOps) });
      assert.equal(response.succeeded, true);
      assert.equal(response.responses.length, maxTxnOps);
      assert.equal(await ok(['get', 'maxops/', '--prefix', '-w', 'json']).then((text) => parseJsonKeepingBigIntegers<JsonRange>(text).count), maxTxnOps);
    });

    test('a txn that puts the same key twice is refused', async () => {
      const put = { request_put: { key: 'dup/key', value: 'v' } };
      await rejectsWith(client.kv.txn({ success: [put, put] }), 3, 'etcdserver: duplicate key given in txn request');
    });

    test('unknown leases: put and revoke fail with NotFound; keep-alive answers TTL 0; timetolive answers TTL -1', async () => {
      await rejectsWith(client.kv.put({ key: 'nolease/key', value: 'v', lease: '4660' }), 5, 'etcdserver: requested lease not found');
      await rejectsWith(client.lease.revoke({ ID: '4660' }), 5, 'etcdserver: requested lease not found');
      const keepAlive = await client.lease.keepAliveOnce('4660');
      assert.deepEqual([keepAlive.ID, keepAlive.TTL], ['4660', '0']);
      const ttl = await client.lease.timeToLive({ ID: '4660', keys: true });
      assert.deepEqual([ttl.ID, ttl.TTL, ttl.grantedTTL, ttl.keys], ['4660', '-1', '0', []]);
    });

    test('granting an existing lease id fails; a TTL below the minimum is raised to it', async () => {
      const granted = await client.lease.grant({ ID: '777', TTL: 30 });
      assert.deepEqual([granted.ID, granted.TTL, granted.error], ['777', '30', '']);
      await rejectsWith(client.lease.grant({ ID: '777', TTL: 30 }), 9, 'etcdserver: lease already exists');
      // etcd's minimum TTL is 1.5 election timeouts rounded up: 2 s with the default 1 s election timeout.
      const short = await client.lease.grant({ TTL: 1 });
      assert.equal(short.TTL, '2');
      await client.lease.revoke({ ID: '777' });
      await client.lease.revoke({ ID: short.ID });
    });

    test('a range at a future revision fails with OutOfRange', async () => {
      const { header } = await client.kv.range({ key: 'any' });
      await rejectsWith(client.kv.range({ key: 'any', revision: Number(header!.revision) + 10 }), 11, 'etcdserver: mvcc: required revision is a future revision');
    });
  });
});
