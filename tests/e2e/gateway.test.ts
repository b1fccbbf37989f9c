// The JSON gateway and the HTTP endpoints on the client port of one member of the target (E2E_TARGET=cairn|etcd,
// default cairn): POST /v3/<service>/<method> with grpc-gateway's JSON (bytes as base64, 64-bit integers as
// strings, default values omitted, errors as {"error","message","code"} with the HTTP status grpc-gateway maps
// the gRPC code to), plus /health, /version and /metrics. The last test sends one script of requests to the
// target and to a fresh real etcd 3.4 and requires the same answers from both.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../support/grpc-client.ts';
import { startEtcd, type ClusterHandle } from '../support/processes.ts';
import { fromBase64, startTarget, target, targetUnavailableReason, toBase64 } from './target.ts';

/** One HTTP answer. */
interface HttpAnswer {
  status: number;
  contentType: string;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  body: Record<string, unknown> | undefined;
}

/** How long one HTTP request may take, in milliseconds. */
const requestTimeoutMs = 10_000;

async function request(url: string, init: RequestInit = {}): Promise<HttpAnswer> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(requestTimeoutMs) });
  const text = await response.text();
  let body: Record<string, unknown> | undefined;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text, body };
}

/** POSTs `body` (an object, sent as JSON, or raw text) to `baseUrl + path`. */
function post(baseUrl: string, path: string, body: unknown): Promise<HttpAnswer> {
  return request(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

// A loose view of gateway JSON: tests assert the exact shape with deepEqual after picking fields.
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The header of a gateway answer, checked to be grpc-gateway's: every field a decimal string. */
function checkedHeader(body: Json | undefined): Json {
  const header = body?.header as Json | undefined;
  assert.ok(header, `no header in ${JSON.stringify(body)}`);
  for (const field of ['cluster_id', 'member_id', 'revision', 'raft_term']) {
    assert.match(String(header[field]), /^\d+$/, `header.${field} is a decimal string in ${JSON.stringify(header)}`);
    assert.equal(typeof header[field], 'string');
  }
  return header;
}

/** The body without its header, for exact comparisons of the rest. */
function withoutHeader(body: Json | undefined): Json {
  const { header: _header, ...rest } = body ?? {};
  return rest;
}

describe(`the JSON gateway and HTTP endpoints of one ${target} member`, () => {
  let cluster: ClusterHandle;
  let baseUrl: string;
  const call = (path: string, body: unknown) => post(baseUrl, path, body);

  before(async () => {
    assert.equal(targetUnavailableReason(), undefined);
    cluster = await startTarget();
    baseUrl = cluster.clientUrls[0];
  });
  after(() => cluster?.stop());

  test('/v3/kv/put answers only a header of decimal strings; prev_kv returns the old pair', async () => {
    const first = await call('/v3/kv/put', { key: toBase64('gw/put'), value: toBase64('one') });
    assert.equal(first.status, 200, first.text);
    assert.match(first.contentType, /^application\/json/);
    const header = checkedHeader(first.body);
    assert.deepEqual(withoutHeader(first.body), {});
    const second = await call('/v3/kv/put', { key: toBase64('gw/put'), value: toBase64('two'), prev_kv: true });
    const revision = Number(header.revision);
    assert.equal(checkedHeader(second.body).revision, String(revision + 1));
    assert.deepEqual(withoutHeader(second.body), {
      prev_kv: { key: toBase64('gw/put'), create_revision: String(revision), mod_revision: String(revision), version: '1', value: toBase64('one') },
    });
    // lowerCamelCase field names are accepted too (grpc-gateway's jsonpb reads both).
    const camel = await call('/v3/kv/put', { key: toBase64('gw/put'), value: toBase64('three'), prevKv: true });
    assert.equal(fromBase64((camel.body?.prev_kv as Json | undefined)?.value), 'two');
  });

  test('/v3/kv/range returns base64 kvs with int64 strings and omits default fields', async () => {
    const put = await call('/v3/kv/put', { key: toBase64('gw/range/a'), value: toBase64('alpha') });
    await call('/v3/kv/put', { key: toBase64('gw/range/b'), value: toBase64('beta') });
    const revision = checkedHeader(put.body).revision as string;
    const one = await call('/v3/kv/range', { key: toBase64('gw/range/a') });
    assert.equal(one.status, 200);
    // No `lease` (0), no `more` (false): grpc-gateway leaves default values out.
    assert.deepEqual(withoutHeader(one.body), {
      kvs: [{ key: toBase64('gw/range/a'), create_revision: revision, mod_revision: revision, version: '1', value: toBase64('alpha') }],
      count: '1',
    });
    const missing = await call('/v3/kv/range', { key: toBase64('gw/range/none') });
    assert.deepEqual(withoutHeader(missing.body), {}, 'no kvs and no count for a missing key');
    const prefix = { key: toBase64('gw/range/'), range_end: toBase64('gw/range0') };
    const limited = await call('/v3/kv/range', { ...prefix, limit: '1' });
    assert.deepEqual([(limited.body?.kvs as Json[]).length, limited.body?.more, limited.body?.count], [1, true, '2']);
    const counted = await call('/v3/kv/range', { ...prefix, count_only: true });
    assert.deepEqual(withoutHeader(counted.body), { count: '2' });
    const keysOnly = await call('/v3/kv/range', { ...prefix, keys_only: true });
    assert.deepEqual((keysOnly.body?.kvs as Json[]).map((kv) => [fromBase64(kv.key), kv.value]), [['gw/range/a', undefined], ['gw/range/b', undefined]]);
    const unknownField = await call('/v3/kv/range', { key: toBase64('gw/range/a'), no_such_field: true });
    assert.equal(unknownField.status, 200, `etcd ignores unknown JSON fields: ${unknownField.text}`);
    assert.equal((unknownField.body?.kvs as Json[]).length, 1);
  });

  test('/v3/kv/deleterange reports deleted as a string and omits it when nothing was deleted', async () => {
    await call('/v3/kv/put', { key: toBase64('gw/del/a'), value: toBase64('1') });
    await call('/v3/kv/put', { key: toBase64('gw/del/b'), value: toBase64('2') });
    const deleted = await call('/v3/kv/deleterange', { key: toBase64('gw/del/'), range_end: toBase64('gw/del0'), prev_kv: true });
    assert.equal(deleted.status, 200);
    assert.equal(deleted.body?.deleted, '2');
    assert.deepEqual((deleted.body?.prev_kvs as Json[]).map((kv) => [fromBase64(kv.key), fromBase64(kv.value)]), [['gw/del/a', '1'], ['gw/del/b', '2']]);
    const none = await call('/v3/kv/deleterange', { key: toBase64('gw/del/a') });
    assert.deepEqual(withoutHeader(none.body), {});
  });

  test('/v3/kv/txn: nested responses carry only a revision header; a failed txn omits succeeded', async () => {
    const key = toBase64('gw/txn');
    const createIfAbsent = {
      compare: [{ key, target: 'CREATE', result: 'EQUAL', create_revision: '0' }],
      success: [{ request_put: { key, value: toBase64('created') } }],
      failure: [{ request_range: { key } }],
    };
    const first = await call('/v3/kv/txn', createIfAbsent);
    assert.equal(first.status, 200, first.text);
    const revision = checkedHeader(first.body).revision;
    assert.deepEqual(withoutHeader(first.body), { succeeded: true, responses: [{ response_put: { header: { revision } } }] });
    const second = await call('/v3/kv/txn', createIfAbsent);
    assert.deepEqual(withoutHeader(second.body), {
      responses: [{ response_range: { header: { revision }, kvs: [{ key, create_revision: revision, mod_revision: revision, version: '1', value: toBase64('created') }], count: '1' } }],
    });
    const byValue = await call('/v3/kv/txn', {
      compare: [{ key, target: 'VALUE', result: 'EQUAL', value: toBase64('created') }],
      success: [{ requestDeleteRange: { key } }],
    });
    const deleteRevision = String(Number(revision) + 1);
    assert.deepEqual(withoutHeader(byValue.body), { succeeded: true, responses: [{ response_delete_range: { header: { revision: deleteRevision }, deleted: '1' } }] });
  });

  test('/v3/lease/grant, timetolive and revoke; a revoked lease answers 404 with etcd\'s error body', async () => {
    const granted = await call('/v3/lease/grant', { TTL: '60', ID: '4242' });
    assert.equal(granted.status, 200, granted.text);
    checkedHeader(granted.body);
    assert.deepEqual(withoutHeader(granted.body), { ID: '4242', TTL: '60' }, 'the empty error string is omitted');
    await call('/v3/kv/put', { key: toBase64('gw/leased'), value: toBase64('v'), lease: '4242' });
    const ttl = await call('/v3/lease/timetolive', { ID: '4242', keys: true });
    assert.deepEqual(Object.keys(withoutHeader(ttl.body)).sort(), ['ID', 'TTL', 'grantedTTL', 'keys']);
    assert.deepEqual([ttl.body?.ID, ttl.body?.grantedTTL, ttl.body?.keys], ['4242', '60', [toBase64('gw/leased')]]);
    assert.ok(Number(ttl.body?.TTL) > 55 && Number(ttl.body?.TTL) <= 60, `TTL ${String(ttl.body?.TTL)}`);
    const revoked = await call('/v3/lease/revoke', { ID: '4242' });
    assert.equal(revoked.status, 200, revoked.text);
    assert.deepEqual(withoutHeader(revoked.body), {});
    assert.deepEqual(withoutHeader((await call('/v3/kv/range', { key: toBase64('gw/leased') })).body), {});
    const again = await call('/v3/lease/revoke', { ID: '4242' });
    assert.equal(again.status, 404);
    const message = 'etcdserver: requested lease not found';
    assert.deepEqual(again.body, { error: message, message, code: 5 });
    const short = await call('/v3/lease/grant', { TTL: 1 });
    assert.equal(short.body?.TTL, '2', 'a TTL below etcd\'s minimum (2 s with default timing) is raised to it');
  });

  test('/v3/maintenance/status reports the member as leader, every number as a string', async () => {
    const status = await call('/v3/maintenance/status', {});
    assert.equal(status.status, 200, status.text);
    const header = checkedHeader(status.body);
    const body = withoutHeader(status.body);
    // isLearner (false) and errors (empty) are omitted.
    assert.deepEqual(Object.keys(body).sort(), ['dbSize', 'dbSizeInUse', 'leader', 'raftAppliedIndex', 'raftIndex', 'raftTerm', 'version']);
    assert.equal(body.leader, header.member_id);
    assert.equal(body.raftTerm, header.raft_term);
    for (const field of ['dbSize', 'dbSizeInUse', 'raftIndex', 'raftAppliedIndex']) assert.match(body[field], /^[1-9]\d*$/, field);
    assert.match(body.version, /^\d+\.\d+\.\d+$/);
    const alarms = await call('/v3/maintenance/alarm', {});
    assert.deepEqual([alarms.status, alarms.body], [200, {}], 'etcd answers an alarm GET without a header when no alarm is raised');
  });

  test('errors are {"error","message","code"} with the HTTP status of the gRPC code', async () => {
    const emptyKey = await call('/v3/kv/put', { key: '', value: toBase64('v') });
    assert.equal(emptyKey.status, 400);
    assert.deepEqual(emptyKey.body, { error: 'etcdserver: key is not provided', message: 'etcdserver: key is not provided', code: 3 });
    const emptyBody = await call('/v3/kv/range', '');
    assert.deepEqual([emptyBody.status, emptyBody.body?.code, emptyBody.body?.message], [400, 3, 'etcdserver: key is not provided']);
    const future = await call('/v3/kv/range', { key: toBase64('x'), revision: '100000' });
    const futureMessage = 'etcdserver: mvcc: required revision is a future revision';
    assert.equal(future.status, 400, 'OutOfRange maps to 400');
    assert.deepEqual(future.body, { error: futureMessage, message: futureMessage, code: 11 });
    const malformed = await call('/v3/kv/put', '{bad json');
    assert.equal(malformed.status, 400);
    assert.deepEqual(Object.keys(malformed.body ?? {}).sort(), ['code', 'error', 'message']);
    assert.equal(malformed.body?.code, 3);
    assert.equal(malformed.body?.error, malformed.body?.message);
  });

  test('a gateway path answers GET with 405 and an unknown path with 404', async () => {
    const get = await request(`${baseUrl}/v3/kv/range`);
    assert.equal(get.status, 405);
    const unknown = await post(baseUrl, '/v3/kv/no-such-method', {});
    assert.equal(unknown.status, 404);
  });

  test('/health answers {"health":"true"} once the member has a leader', async () => {
    const health = await request(`${baseUrl}/health`);
    assert.equal(health.status, 200);
    assert.equal(health.body?.health, 'true');
    // etcd 3.4.23 answers exactly {"health":"true"}; etcd 3.5 adds "reason":"". Nothing else is allowed.
    assert.deepEqual(Object.keys(health.body ?? {}).filter((key) => key !== 'reason'), ['health']);
    if (health.body?.reason !== undefined) assert.equal(health.body.reason, '');
  });

  test('/version names the server and cluster versions', async () => {
    const version = await request(`${baseUrl}/version`);
    assert.equal(version.status, 200);
    assert.deepEqual(Object.keys(version.body ?? {}).sort(), ['etcdcluster', 'etcdserver']);
    assert.match(String(version.body?.etcdserver), /^\d+\.\d+\.\d+$/);
    assert.match(String(version.body?.etcdcluster), /^\d+\.\d+\.0$/, 'the cluster version is major.minor.0');
  });

  test('/metrics is Prometheus text with etcd\'s server, mvcc and disk metrics', async () => {
    const metricValue = (text: string, name: string): number => {
      const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
      assert.ok(line, `metric ${name} is missing`);
      return Number(line.slice(name.length + 1));
    };
    const before = await request(`${baseUrl}/metrics`);
    assert.equal(before.status, 200);
    assert.match(before.contentType, /^text\/plain; version=0\.0\.4/);
    for (const [name, type] of [
      ['etcd_server_has_leader', 'gauge'], ['etcd_mvcc_db_total_size_in_bytes', 'gauge'],
      ['etcd_disk_wal_fsync_duration_seconds', 'histogram'], ['etcd_server_proposals_committed_total', 'gauge'],
    ]) {
      assert.match(before.text, new RegExp(`^# TYPE ${name} ${type}$`, 'm'), `${name} is a ${type}`);
    }
    assert.equal(metricValue(before.text, 'etcd_server_has_leader'), 1);
    assert.ok(metricValue(before.text, 'etcd_mvcc_db_total_size_in_bytes') > 0);
    assert.match(before.text, /^etcd_disk_wal_fsync_duration_seconds_bucket\{le="\+Inf"\} \d+$/m);
    for (let index = 0; index < 5; index += 1) await call('/v3/kv/put', { key: toBase64(`gw/metrics/${index}`), value: toBase64('v') });
    const afterPuts = await request(`${baseUrl}/metrics`);
    const committed = (text: string) => metricValue(text, 'etcd_server_proposals_committed_total');
    assert.ok(committed(afterPuts.text) >= committed(before.text) + 5, 'every put is a committed proposal');
    const fsyncs = (text: string) => metricValue(text, 'etcd_disk_wal_fsync_duration_seconds_count');
    assert.ok(fsyncs(afterPuts.text) > fsyncs(before.text), 'writes are fsynced to the WAL');
    // gRPC message bytes, prefixes excluded: a put of a 10-byte key and a 1000-byte value is more than 1010 bytes.
    const client = connect(baseUrl.replace(/^http:\/\//, ''));
    try {
      await client.kv.put({ key: 'gw/metrics/grpc', value: 'v'.repeat(1000) });
    } finally {
      client.close();
    }
    const afterGrpc = await request(`${baseUrl}/metrics`);
    const received = (text: string) => metricValue(text, 'etcd_network_client_grpc_received_bytes_total');
    const sent = (text: string) => metricValue(text, 'etcd_network_client_grpc_sent_bytes_total');
    assert.ok(received(afterGrpc.text) - received(afterPuts.text) >= 1010, 'request bytes are counted');
    assert.ok(sent(afterGrpc.text) > sent(afterPuts.text), 'response bytes are counted');
  });
});

/** One request of the side-by-side script, and what to blank out before comparing its answer. */
interface ScriptStep {
  path: string;
  body: unknown;
}

/** Requests whose answers must be identical on the target and on etcd (both fresh, so revisions line up). */
function comparisonScript(): ScriptStep[] {
  const key = (text: string) => toBase64(`cmp/${text}`);
  return [
    { path: '/v3/kv/put', body: { key: key('a'), value: toBase64('1') } },
    { path: '/v3/kv/put', body: { key: key('a'), value: toBase64('2'), prev_kv: true } },
    { path: '/v3/kv/put', body: { key: key('b'), value: toBase64('3') } },
    { path: '/v3/kv/range', body: { key: key('a') } },
    { path: '/v3/kv/range', body: { key: key('none') } },
    { path: '/v3/kv/range', body: { key: key(''), range_end: toBase64('cmp0'), limit: 1 } },
    { path: '/v3/kv/range', body: { key: key(''), range_end: toBase64('cmp0'), count_only: true } },
    { path: '/v3/kv/range', body: { key: key(''), range_end: toBase64('cmp0'), sort_order: 'DESCEND', sort_target: 'MOD', keys_only: true } },
    { path: '/v3/kv/range', body: { key: key('a'), revision: 2 } },
    { path: '/v3/kv/deleterange', body: { key: key('none') } },
    { path: '/v3/kv/txn', body: { compare: [{ key: key('a'), target: 'VALUE', result: 'EQUAL', value: toBase64('2') }], success: [{ request_put: { key: key('a'), value: toBase64('4') } }, { request_range: { key: key('a') } }] } },
    { path: '/v3/kv/txn', body: { compare: [{ key: key('a'), target: 'VERSION', result: 'GREATER', version: 10 }], failure: [{ request_delete_range: { key: key('b'), prev_kv: true } }] } },
    { path: '/v3/lease/grant', body: { ID: 1000, TTL: 60 } },
    { path: '/v3/lease/grant', body: { ID: 1001, TTL: 1 } },
    { path: '/v3/lease/grant', body: { ID: 1000, TTL: 60 } },
    { path: '/v3/kv/put', body: { key: key('leased'), value: toBase64('v'), lease: 1000 } },
    { path: '/v3/kv/put', body: { key: key('leased'), value: toBase64('v'), lease: 999 } },
    { path: '/v3/lease/timetolive', body: { ID: 1000, keys: true } },
    { path: '/v3/lease/revoke', body: { ID: 1000 } },
    { path: '/v3/lease/revoke', body: { ID: 1000 } },
    { path: '/v3/kv/put', body: { key: '', value: toBase64('v') } },
    { path: '/v3/kv/range', body: { key: key('a'), revision: 1000 } },
    { path: '/v3/kv/compaction', body: { revision: 3 } },
    { path: '/v3/kv/range', body: { key: key('a'), revision: 2 } },
    { path: '/v3/kv/compaction', body: { revision: 3 } },
    { path: '/v3/kv/deleterange', body: { key: key(''), range_end: toBase64('cmp0'), prev_kv: true } },
    { path: '/v3/maintenance/alarm', body: {} },
    { path: '/v3/maintenance/status', body: {} },
  ];
}

/** Blanks what legitimately differs between two servers: ids, terms, sizes, raft indexes, versions, counting TTLs. */
function normalized(answer: HttpAnswer): unknown {
  const blank = (value: unknown) => (value === undefined ? undefined : '<any>');
  const walk = (value: unknown, parent: string): unknown => {
    if (Array.isArray(value)) return value.map((item) => walk(item, parent));
    if (value === null || typeof value !== 'object') return value;
    const result: Json = {};
    for (const [name, inner] of Object.entries(value as Json)) {
      const varies = (parent === 'header' && ['cluster_id', 'member_id', 'raft_term'].includes(name)) ||
        (parent === '' && ['dbSize', 'dbSizeInUse', 'leader', 'raftIndex', 'raftAppliedIndex', 'raftTerm', 'version'].includes(name)) ||
        (parent === '' && name === 'TTL' && 'grantedTTL' in (value as Json));
      result[name] = varies ? blank(inner) : walk(inner, name);
    }
    return result;
  };
  return { status: answer.status, body: answer.body === undefined ? answer.text : walk(answer.body, '') };
}

describe(`the ${target} gateway answers like a real etcd 3.4`, () => {
  test('the same script of requests gets the same statuses and JSON bodies', { timeout: 60_000 }, async () => {
    assert.equal(targetUnavailableReason(), undefined);
    const [subject, reference] = await Promise.all([startTarget(), startEtcd()]);
    try {
      for (const [index, step] of comparisonScript().entries()) {
        const [mine, theirs] = await Promise.all([post(subject.clientUrls[0], step.path, step.body), post(reference.clientUrls[0], step.path, step.body)]);
        assert.deepEqual(normalized(mine), normalized(theirs), `step ${index}: POST ${step.path} ${JSON.stringify(step.body)}\n` +
          `${target}: ${mine.status} ${mine.text}\netcd: ${theirs.status} ${theirs.text}`);
      }
    } finally {
      await Promise.all([subject.stop(), reference.stop()]);
    }
  });
});
