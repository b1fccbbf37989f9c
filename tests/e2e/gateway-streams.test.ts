// The gateway's streaming methods on one member of the target (E2E_TARGET=cairn|etcd): POST /v3/watch streams
// {"result": WatchResponse} lines until the client disconnects, /v3/lease/keepalive answers each request, and
// /v3/maintenance/snapshot streams the backend followed by its sha256.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { ClusterHandle } from '../support/processes.ts';
import { startTarget, target, targetUnavailableReason, toBase64, fromBase64 } from './target.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/** Reads newline-separated JSON objects from a streaming response until `enough` says stop. */
async function readResults(response: Response, enough: (results: Json[]) => boolean, timeoutMs = 10_000): Promise<Json[]> {
  const reader = response.body!.getReader();
  const results: Json[] = [];
  let buffered = '';
  const deadline = Date.now() + timeoutMs;
  while (!enough(results)) {
    assert.ok(Date.now() < deadline, `timed out with ${JSON.stringify(results)}`);
    const { value, done } = await reader.read();
    if (done) break;
    buffered += Buffer.from(value).toString('utf8');
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line !== '') results.push(JSON.parse(line) as Json);
    }
  }
  await reader.cancel().catch(() => undefined);
  return results;
}

function post(url: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });
}

describe(`the gateway's streaming methods on one ${target} member`, () => {
  let cluster: ClusterHandle | undefined;
  let baseUrl = '';
  before(async () => {
    assert.equal(targetUnavailableReason(), undefined);
    cluster = await startTarget();
    baseUrl = cluster.clientUrls[0]!;
  });
  after(() => cluster?.stop());

  test('/v3/watch confirms the watcher, then streams a put made by another client', async () => {
    const abort = new AbortController();
    const response = await post(`${baseUrl}/v3/watch`, { create_request: { key: toBase64('gws/key') } }, abort.signal);
    assert.equal(response.status, 200);
    const reading = readResults(response, (results) => results.some((result) => result.result?.events));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await post(`${baseUrl}/v3/kv/put`, { key: toBase64('gws/key'), value: toBase64('streamed') });
    const results = await reading;
    abort.abort();
    assert.equal(results[0]?.result?.created, true, 'the first line confirms the watcher');
    const events = results.find((result) => result.result?.events)!.result.events as Json[];
    assert.equal(events.length, 1);
    assert.equal(events[0]!.type, undefined, 'a PUT event omits its type (the enum default)');
    assert.equal(fromBase64(events[0]!.kv.value), 'streamed');
  });

  test('/v3/lease/keepalive renews a lease and answers with its TTL', async () => {
    await post(`${baseUrl}/v3/lease/grant`, { ID: '4242', TTL: '60' });
    const response = await post(`${baseUrl}/v3/lease/keepalive`, { ID: '4242' });
    const results = await readResults(response, (found) => found.length >= 1);
    assert.equal(results[0]?.result?.ID, '4242');
    assert.equal(results[0]?.result?.TTL, '60');
  });

  test('/v3/maintenance/snapshot streams the backend and ends with the sha256 of what came before', async () => {
    const response = await post(`${baseUrl}/v3/maintenance/snapshot`, {});
    const results = await readResults(response, () => false, 20_000);
    assert.ok(results.length >= 2, 'at least one data chunk and the checksum');
    const blobs = results.map((result) => Buffer.from((result.result.blob as string | undefined) ?? '', 'base64'));
    const data = Buffer.concat(blobs.slice(0, -1));
    assert.ok(data.length > 0);
    assert.deepEqual(blobs.at(-1), createHash('sha256').update(data).digest());
  });
});
