// Browser mode end to end: the server from startWebServer over a real ServiceHost whose local cluster runs a
// real engine member. Without the token every request, page or socket upgrade, is refused with 401; a foreign
// Host or Origin (DNS rebinding, cross-site pages) with 403; with the token the API works through the same
// browser-mode client the renderer uses.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { createWebClient, type WebClient, type WebSocketFactory } from '../../electron/common/web-client.ts';
import { fromUtf8, utf8 } from '../../electron/common/wire-codec.ts';
import type { WatchBatch } from '../../electron/common/contract.ts';
import { noCipher } from '../../electron/main/connections/secret-cipher.ts';
import { ServiceHost } from '../../electron/main/services/service-host.ts';
import { startWebServer, type WebServer } from '../../electron/web/web-server.ts';
import { removeTempDir, trackTempDir } from '../support/child-cleanup.ts';
import { waitFor } from './support/process-alive.ts';
import { upgradeStatus } from './support/websocket-upgrade.ts';
import { testClusterSize, testTimings } from './support/test-cluster.ts';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function get(port: number, requestPath: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path: requestPath, method, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe(`browser mode (local cluster of ${testClusterSize} members)`, () => {
  let root = '';
  let host: ServiceHost;
  let server: WebServer;
  let client: WebClient | undefined;

  before(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'cairn-web-'));
    trackTempDir(root);
    const rendererDir = path.join(root, 'renderer-dist');
    mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Cairn test page</title><script type="module" src="/assets/app.js"></script>');
    writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'export const app = 1;\n');
    host = new ServiceHost({
      userDataDir: path.join(root, 'user-data'), mode: 'browser', appVersion: '0.0.0-test', cipher: noCipher('no keychain in tests'),
      localCluster: { size: testClusterSize, timings: testTimings },
    });
    await host.localCluster.start();
    server = await startWebServer({ host, port: 0, rendererDir });
  });

  after(async () => {
    client?.close();
    await server?.close();
    await host?.dispose();
    removeTempDir(root);
  });

  test('listens on 127.0.0.1 only and prints a URL with the token', async () => {
    assert.match(server.url, new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[A-Za-z0-9_-]{43}$`));
    // The same port on this machine's other addresses has nothing listening.
    const others = Object.values(os.networkInterfaces()).flat().filter((each) => each && !each.internal && each.family === 'IPv4').map((each) => each!.address);
    for (const address of [...others, '127.0.0.2']) {
      const outcome = await new Promise<string>((resolve) => {
        const socket = net.connect({ host: address, port: server.port }, () => {
          socket.destroy();
          resolve('connected');
        });
        socket.setTimeout(1_000, () => socket.destroy(new Error('timeout')));
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      });
      assert.notEqual(outcome, 'connected', `browser mode answered on ${address}`);
    }
  });

  test('without the token every HTTP request is refused with 401', async () => {
    const port = server.port;
    const attempts: Array<[string, Record<string, string>, string?]> = [
      ['/', {}], ['/index.html', {}], ['/assets/app.js', {}], ['/api/socket', {}], ['/does-not-exist', {}],
      ['/?token=wrong', {}], ['/', { Cookie: `cairn_token_${port}=wrong` }], ['/', { Cookie: `cairn_token_1=${server.token}` }],
      ['/', { Authorization: 'Bearer wrong' }], ['/', {}, 'POST'],
    ];
    for (const [requestPath, headers, method] of attempts) {
      const answer = await get(port, requestPath, headers, method);
      assert.equal(answer.status, 401, `${method ?? 'GET'} ${requestPath} ${JSON.stringify(headers)}`);
      assert.doesNotMatch(answer.body, /Cairn test page/);
    }
  });

  test('without the token the WebSocket upgrade is refused with 401', async () => {
    const base = `ws://127.0.0.1:${server.port}/api/socket`;
    assert.equal(await upgradeStatus(base), 401);
    assert.equal(await upgradeStatus(`${base}?token=wrong`), 401);
    assert.equal(await upgradeStatus(base, { Cookie: `cairn_token_${server.port}=wrong` }), 401);
    assert.equal(await upgradeStatus(`${base}?token=${server.token}`), 101);
  });

  test('a foreign Host (DNS rebinding) or Origin is refused with 403 even with the token', async () => {
    const port = server.port;
    const cookie = { Cookie: `cairn_token_${port}=${server.token}` };
    assert.equal((await get(port, '/', { ...cookie, Host: `attacker.example:${port}` })).status, 403);
    assert.equal((await get(port, '/', { ...cookie, Host: '127.0.0.1:1' })).status, 403);
    assert.equal((await get(port, '/', { ...cookie, Origin: 'http://attacker.example' })).status, 403);
    const socket = `ws://127.0.0.1:${port}/api/socket?token=${server.token}`;
    assert.equal(await upgradeStatus(socket, { Origin: 'http://attacker.example' }), 403);
    assert.equal(await upgradeStatus(socket, { Origin: `http://localhost:${port}` }), 101);
  });

  test('the token in the URL becomes an HttpOnly cookie, and the page is served with a strict CSP', async () => {
    const port = server.port;
    const first = await get(port, `/?token=${server.token}`);
    assert.equal(first.status, 303);
    assert.equal(first.headers.location, '/');
    const cookie = first.headers['set-cookie']?.[0] ?? '';
    assert.match(cookie, new RegExp(`^cairn_token_${port}=${server.token}; HttpOnly; SameSite=Strict; Path=/$`));
    const page = await get(port, '/', { Cookie: cookie.split(';')[0]! });
    assert.equal(page.status, 200);
    assert.match(page.body, /Cairn test page/);
    const policy = String(page.headers['content-security-policy']);
    assert.match(policy, /script-src 'self'(;|$)/);
    assert.match(policy, /frame-ancestors 'none'/);
    assert.doesNotMatch(policy, /unsafe-eval/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    const asset = await get(port, '/assets/app.js', { Cookie: cookie.split(';')[0]! });
    assert.equal(asset.status, 200);
    assert.match(String(asset.headers['content-type']), /^text\/javascript/);
    assert.equal((await get(port, '/../../../etc/passwd', { Cookie: cookie.split(';')[0]! })).status, 200, 'a traversal falls back to the page, never to a file outside');
    assert.doesNotMatch((await get(port, '/%2e%2e/%2e%2e/etc/passwd', { Cookie: cookie.split(';')[0]! })).body, /root:/);
  });

  test('with the token the API works end to end against a real local member', async () => {
    client = createWebClient({ origin: `http://127.0.0.1:${server.port}`, token: server.token, webSocket: WebSocket as unknown as WebSocketFactory });
    const api = client.api;
    const info = await api.app.info();
    assert.equal(info.ok && info.value.mode, 'browser');
    assert.equal(info.ok && info.value.secretStorage.encrypted, false);

    const batches: WatchBatch[] = [];
    api.watch.onDidReceive((batch) => batches.push(batch));
    const watch = await api.watch.start({ connectionId: 'local', key: utf8('web/'), prefix: true, prevKv: true });
    assert.ok(watch.ok, JSON.stringify(watch));
    await waitFor('the watch to be live', async () => (await api.keys.count({ connectionId: 'local', prefix: utf8('web/') })).ok, 5_000);

    const put = await api.keys.put({ connectionId: 'local', key: utf8('web/greeting'), value: utf8('hello'), expectedModRevision: 0 });
    assert.ok(put.ok && put.value.outcome === 'done', JSON.stringify(put));
    const conflict = await api.keys.put({ connectionId: 'local', key: utf8('web/greeting'), value: utf8('again'), expectedModRevision: 0 });
    assert.ok(conflict.ok && conflict.value.outcome === 'conflict' && conflict.value.current !== null);
    assert.equal(conflict.ok && conflict.value.outcome === 'conflict' ? fromUtf8(conflict.value.current!.value) : '', 'hello');

    const got = await api.keys.get({ connectionId: 'local', key: utf8('web/greeting') });
    assert.ok(got.ok && got.value.kv);
    assert.equal(fromUtf8(got.value.kv.value), 'hello');
    assert.ok(got.value.kv.value instanceof Uint8Array, 'bytes arrive as Uint8Array through the socket');

    await waitFor('the watch event', () => batches.some((batch) => batch.events.some((each) => fromUtf8(each.kv.key) === 'web/greeting')), 5_000);
    const list = await api.keys.list({ connectionId: 'local', prefix: utf8('web/') });
    assert.deepEqual(list.ok && list.value.kvs.map((kv) => fromUtf8(kv.key)), ['web/greeting']);

    const overview = await api.cluster.overview({ connectionId: 'local' });
    assert.ok(overview.ok, JSON.stringify(overview));
    assert.equal(overview.value.members.length, testClusterSize);
    assert.ok(overview.value.leaderId !== null && overview.value.members.some((member) => member.id === overview.value.leaderId));

    const state = await api.localCluster.state();
    assert.equal(state.ok && state.value.phase, 'running');

    const refused = await client.bridge.invoke('cairn:keys.get', { connectionId: 'local', key: 'not bytes' });
    assert.equal(!refused.ok && refused.error.code, 'invalid-argument');
    const unknown = await client.bridge.invoke('cairn:shell.exec', {});
    assert.equal(!unknown.ok && unknown.error.code, 'unknown-channel');
  });

  test('a missing renderer build is answered with a page that says the GUI is not built', async () => {
    const bare = await startWebServer({ host, port: 0, rendererDir: path.join(root, 'no-such-build'), rendererProblem: 'renderer/vite.config.ts does not exist' });
    try {
      const page = await get(bare.port, '/', { Cookie: `cairn_token_${bare.port}=${bare.token}` });
      assert.equal(page.status, 503);
      assert.match(page.body, /the GUI is not built/);
      assert.match(page.body, /vite\.config\.ts does not exist/);
    } finally {
      await bare.close();
    }
  });
});
