// `npm start` as users run it: the launcher chooses browser mode when there is no display, no Electron binary, or
// --web; it prints the URL; without the token every request is refused and with it the API works; a SIGKILLed
// launcher takes every engine member with it (checked by pid); the next start finds the same members and keys
// (taking over the dead process's lock); and SIGTERM stops everything gracefully.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import http from 'node:http';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { createWebClient, type WebSocketFactory } from '../../electron/common/web-client.ts';
import { fromUtf8, utf8 } from '../../electron/common/wire-codec.ts';
import type { LocalClusterState } from '../../electron/common/contract.ts';
import { browserModeUrlPrefix, chooseLaunchMode, parseLaunchArgs } from '../../electron/web/launch-options.ts';
import { removeTempDir, trackChild, trackTempDir } from '../support/child-cleanup.ts';
import { processAlive, waitFor, waitForExit } from './support/process-alive.ts';
import { upgradeStatus } from './support/websocket-upgrade.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** How long the members may outlive a SIGKILLed launcher, in milliseconds. */
const orphanGraceMs = 5_000;

interface Launched {
  child: ChildProcessWithoutNullStreams;
  url: URL;
  output: () => string;
}

/** Runs `npm start`'s script the way npm does, without a display, and waits for the URL line. */
async function launch(args: string[]): Promise<Launched> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !['DISPLAY', 'WAYLAND_DISPLAY'].includes(name) && !name.startsWith('ETCD_')));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'electron', 'web', 'launch.ts'), ...args], { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
  trackChild(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const line = (): string | undefined => output.split('\n').find((each) => each.startsWith(browserModeUrlPrefix));
  await waitFor('the URL line', () => line() !== undefined || child.exitCode !== null, 60_000).catch((error: Error) => {
    throw new Error(`${error.message}\n${output}`);
  });
  assert.ok(line(), `the launcher exited (${child.exitCode}) without a URL:\n${output}`);
  return { child, url: new URL(line()!.slice(browserModeUrlPrefix.length).trim()), output: () => output };
}

function status(url: URL, requestPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: url.hostname, port: url.port, path: requestPath }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    }).on('error', reject);
  });
}

/** The local cluster's state, read through the API with the launcher's token. */
async function clusterOf(url: URL, work?: (api: ReturnType<typeof createWebClient>['api']) => Promise<void>): Promise<LocalClusterState> {
  const client = createWebClient({ origin: url.origin, token: url.searchParams.get('token')!, webSocket: WebSocket as unknown as WebSocketFactory });
  try {
    const state = await client.api.localCluster.state();
    assert.ok(state.ok, JSON.stringify(state));
    await work?.(client.api);
    return state.value;
  } finally {
    client.close();
  }
}

describe('the launcher\'s choice and flags', () => {
  test('--web forces browser mode; no display or no Electron binary falls back to it; otherwise the window opens', () => {
    const display = { DISPLAY: ':0' };
    assert.deepEqual(chooseLaunchMode({ web: true }, { platform: 'linux', env: display, binary: '/opt/electron' }), { mode: 'browser', reason: undefined });
    assert.match(String((chooseLaunchMode({ web: false }, { platform: 'linux', env: {}, binary: '/opt/electron' }) as { reason: string }).reason), /no display/);
    assert.match(String((chooseLaunchMode({ web: false }, { platform: 'linux', env: display, binary: undefined }) as { reason: string }).reason), /Electron binary is not installed/);
    assert.deepEqual(chooseLaunchMode({ web: false }, { platform: 'linux', env: { WAYLAND_DISPLAY: 'wayland-0' }, binary: '/opt/electron' }), { mode: 'electron', binary: '/opt/electron' });
    assert.deepEqual(chooseLaunchMode({ web: false }, { platform: 'darwin', env: {}, binary: '/Applications/Electron' }), { mode: 'electron', binary: '/Applications/Electron' });
  });

  test('flags are parsed and bad ones refused with a message', () => {
    const options = parseLaunchArgs(['--web', '--port', '4711', '--cluster-size', '5', '--user-data-dir', 'data', '--renderer-dir', '/r'], '/default');
    assert.deepEqual(options, { web: true, port: 4711, clusterSize: 5, userDataDir: path.resolve('data'), userDataDirGiven: true, rendererDir: '/r' });
    assert.deepEqual(parseLaunchArgs([], '/default'), { web: false, port: 0, clusterSize: undefined, userDataDir: '/default', userDataDirGiven: false, rendererDir: undefined });
    assert.match(String(parseLaunchArgs(['--cluster-size', '2'], '/d')), /must be one of 1, 3, 5/);
    assert.match(String(parseLaunchArgs(['--port', '-1'], '/d')), /--port needs a port number/);
    assert.match(String(parseLaunchArgs(['--port'], '/d')), /--port needs a port number/);
    assert.match(String(parseLaunchArgs(['--open'], '/d')), /unknown flag --open/);
  });
});

describe('npm start without a display: browser mode, tokens, and no orphan after kill -9', () => {
  let temp = '';
  let args: string[] = [];
  let first: Launched | undefined;
  let second: Launched | undefined;
  let firstState: LocalClusterState | undefined;

  before(() => {
    temp = mkdtempSync(path.join(os.tmpdir(), 'cairn-launch-'));
    trackTempDir(temp);
    const rendererDir = path.join(temp, 'renderer-dist');
    mkdirSync(rendererDir, { recursive: true });
    writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Cairn launched</title>');
    args = ['--port', '0', '--user-data-dir', path.join(temp, 'user-data'), '--renderer-dir', rendererDir];
  });

  after(() => {
    for (const launched of [first, second]) if (launched?.child.exitCode === null) launched.child.kill('SIGKILL');
    removeTempDir(temp);
  });

  test('falls back to browser mode, prints a 127.0.0.1 URL, and runs a 3-member local cluster', async (t) => {
    const started = Date.now();
    first = await launch(args);
    t.diagnostic(`URL printed ${Date.now() - started} ms after the launcher started`);
    assert.match(first.output(), /opening in browser mode because there is no display/);
    assert.equal(first.url.hostname, '127.0.0.1');
    assert.match(first.url.searchParams.get('token') ?? '', /^[A-Za-z0-9_-]{43}$/);
    firstState = await clusterOf(first.url, async (api) => {
      const put = await api.keys.put({ connectionId: 'local', key: utf8('launch/kept'), value: utf8('across restarts') });
      assert.ok(put.ok, JSON.stringify(put));
    });
    assert.equal(firstState.phase, 'running');
    assert.equal(firstState.members.length, 3);
    assert.ok(firstState.members.every((member) => member.pid !== null && processAlive(member.pid)));
  });

  test('without the token the page, the assets and the socket upgrade get 401; with it the page is served', async () => {
    const url = first!.url;
    for (const requestPath of ['/', '/index.html', '/assets/app.js', '/api/socket', '/?token=wrong']) assert.equal(await status(url, requestPath), 401, requestPath);
    assert.equal(await upgradeStatus(`ws://${url.host}/api/socket`), 401);
    assert.equal(await upgradeStatus(`ws://${url.host}/api/socket?token=wrong`), 401);
    assert.equal(await status(url, `/${url.search}`), 303, 'the token is traded for a cookie');
  });

  test('kill -9 of the launcher takes every engine member down within seconds', async (t) => {
    const pids = firstState!.members.map((member) => member.pid!);
    const killed = Date.now();
    first!.child.kill('SIGKILL');
    for (const pid of pids) assert.equal(await waitForExit(pid, orphanGraceMs), true, `engine member pid ${pid} outlived the SIGKILLed launcher`);
    t.diagnostic(`all ${pids.length} members gone ${Date.now() - killed} ms after the launcher was SIGKILLed`);
  });

  test('the next start finds the same members and keys, and SIGTERM stops everything gracefully', async () => {
    second = await launch(args);
    let kept = '';
    const state = await clusterOf(second.url, async (api) => {
      const got = await api.keys.get({ connectionId: 'local', key: utf8('launch/kept') });
      assert.ok(got.ok && got.value.kv, JSON.stringify(got));
      kept = fromUtf8(got.value.kv.value);
    });
    assert.equal(kept, 'across restarts');
    assert.deepEqual(state.members.map((member) => [member.name, member.memberId, member.clientUrl]), firstState!.members.map((member) => [member.name, member.memberId, member.clientUrl]));
    const pids = state.members.map((member) => member.pid!);
    const exited = new Promise<number | null>((resolve) => second!.child.once('exit', (code) => resolve(code)));
    second.child.kill('SIGTERM');
    assert.equal(await exited, 0, second.output());
    for (const pid of pids) assert.equal(processAlive(pid), false, `member ${pid} still runs after a graceful stop`);
    assert.match(second.output(), /stopping the local cluster/);
  });
});
