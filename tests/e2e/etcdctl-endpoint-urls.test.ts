// etcdctl 3.4 with `--endpoints http://HOST:PORT` (E2E_TARGET=cairn|etcd, default cairn). For the per-endpoint
// commands (endpoint status, hashkv, health, defrag) etcd's Go client dials each endpoint with the endpoint string
// as the gRPC target, so grpc-go sends `:authority: http://HOST:PORT`. etcd accepts it; Node's nghttp2 used to reset
// those streams with PROTOCOL_ERROR, which the client port now repairs (engine/api/http2-request-filter.ts).
// `--cluster` does the same with the client URLs the members advertise.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { etcdctl, etcdctlBinaryPath, skipUnlessInstalled, type EtcdctlResult } from '../support/etcdctl.ts';
import type { ClusterHandle } from '../support/processes.ts';
import { parseJsonKeepingBigIntegers, startTarget, target, targetUnavailableReason } from './target.ts';

describe(`etcdctl 3.4 with URL endpoints against one ${target} member`, { skip: skipUnlessInstalled(etcdctlBinaryPath) }, () => {
  let cluster: ClusterHandle;
  /** The member's client URL with its scheme, e.g. http://127.0.0.1:PORT. */
  let url: string;

  before(async () => {
    assert.equal(targetUnavailableReason(), undefined);
    cluster = await startTarget();
    url = cluster.clientUrls[0];
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });
  after(async () => {
    await cluster?.stop();
  });

  /** Runs etcdctl against the URL endpoint, requires exit code 0 and returns what it printed. */
  async function ok(args: readonly string[], endpoints: string = url): Promise<EtcdctlResult> {
    const result = await etcdctl(args, { endpoints });
    assert.equal(result.code, 0, `etcdctl --endpoints ${endpoints} ${args.join(' ')} failed: ${result.stderr}`);
    return result;
  }

  test('endpoint status reports the member through an http:// endpoint', async () => {
    const { stdout } = await ok(['endpoint', 'status', '-w', 'json']);
    const [entry, ...others] = parseJsonKeepingBigIntegers<Array<{ Endpoint: string; Status: { leader: string; header: { member_id: string } } }>>(stdout);
    assert.equal(others.length, 0);
    assert.equal(entry.Endpoint, url);
    assert.equal(String(entry.Status.leader), String(entry.Status.header.member_id));
  });

  test('endpoint status --cluster dials the advertised client URL', async () => {
    const { stdout } = await ok(['endpoint', 'status', '--cluster', '-w', 'json']);
    const entries = parseJsonKeepingBigIntegers<Array<{ Endpoint: string }>>(stdout);
    assert.deepEqual(entries.map((entry) => entry.Endpoint), [url]);
  });

  test('endpoint hashkv answers through an http:// endpoint', async () => {
    const { stdout } = await ok(['endpoint', 'hashkv', '-w', 'json']);
    const [entry] = parseJsonKeepingBigIntegers<Array<{ Endpoint: string; HashKV: { hash: number } }>>(stdout);
    assert.equal(entry.Endpoint, url);
    assert.equal(typeof entry.HashKV.hash, 'number');
  });

  test('defrag succeeds through an http:// endpoint', async () => {
    assert.equal((await ok(['defrag'])).stdout, `Finished defragmenting etcd member[${url}]\n`);
  });

  test('endpoint health reports the member healthy through an http:// endpoint', async () => {
    const { stderr } = await ok(['endpoint', 'health']);
    assert.match(stderr, new RegExp(`^${url} is healthy: successfully committed proposal: took = \\S+\\n$`));
  });

  test('a URL endpoint with a trailing path still works for status and for key-value commands', async () => {
    const { stdout } = await ok(['endpoint', 'status', '-w', 'json'], `${url}/`);
    assert.equal(parseJsonKeepingBigIntegers<Array<{ Endpoint: string }>>(stdout)[0].Endpoint, `${url}/`);
    assert.equal((await ok(['put', 'urls/key', 'value'], `${url}/`)).stdout, 'OK\n');
    assert.equal((await ok(['get', 'urls/key', '--print-value-only'])).stdout, 'value\n');
  });

  test('endpoint status answers for each of two URL endpoints naming the same member', async () => {
    const { stdout } = await ok(['endpoint', 'status', '-w', 'json'], `${url},${url}`);
    assert.equal(parseJsonKeepingBigIntegers<unknown[]>(stdout).length, 2);
  });
});
