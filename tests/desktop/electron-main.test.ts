// The Electron main process without Electron: runElectronApp is driven with a fake `electron` module that
// records what the app asks of it. Proves the window's security settings, the IPC registration and sender
// check, navigation and new-window refusal, denied permissions, the app:// page with its CSP, a local cluster
// reachable through IPC, and a quit that stops every member before exiting.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { methodChannels, type LocalClusterState, type Result } from '../../electron/common/contract.ts';
import { runElectronApp } from '../../electron/main/electron-main.ts';
import type { BrowserWindowOptions, IpcInvokeEventLike } from '../../electron/main/ipc/electron-api.ts';
import { removeTempDir, trackTempDir } from '../support/child-cleanup.ts';
import { processAlive, waitFor } from './support/process-alive.ts';

type Listener = (...args: unknown[]) => unknown;
type Handler = (event: IpcInvokeEventLike, args?: unknown) => Promise<Result<unknown>>;

/** A recording stand-in for the parts of Electron the app uses. */
function fakeElectron(userData: string) {
  const appListeners = new Map<string, Listener>();
  const contentsListeners = new Map<string, Listener>();
  const handlers = new Map<string, Handler>();
  const record = {
    sandboxEnabled: false,
    schemes: [] as Array<{ scheme: string; privileges: Record<string, boolean> }>,
    windows: [] as BrowserWindowOptions[],
    loaded: [] as string[],
    externals: [] as string[],
    exitCode: undefined as number | undefined,
    permissionHandler: undefined as Listener | undefined,
    headersHandler: undefined as Listener | undefined,
    protocolHandler: undefined as ((request: { url: string }) => Promise<Response>) | undefined,
    windowOpenHandler: undefined as ((details: { url: string }) => { action: string }) | undefined,
  };
  let exited!: () => void;
  const exitedPromise = new Promise<void>((resolve) => (exited = resolve));
  const webContents = {
    id: 41,
    isDestroyed: () => false,
    send: () => undefined,
    once: () => undefined,
    on: (event: string, listener: Listener) => contentsListeners.set(event, listener),
    setWindowOpenHandler: (handler: typeof record.windowOpenHandler) => (record.windowOpenHandler = handler),
  };
  const session = {
    setPermissionRequestHandler: (handler: Listener) => (record.permissionHandler = handler),
    setPermissionCheckHandler: () => undefined,
    webRequest: { onHeadersReceived: (handler: Listener) => (record.headersHandler = handler) },
    protocol: { handle: (_scheme: string, handler: typeof record.protocolHandler) => (record.protocolHandler = handler) },
  };
  class BrowserWindow {
    webContents = webContents;
    constructor(options: BrowserWindowOptions) {
      record.windows.push(options);
    }
    async loadURL(url: string) {
      record.loaded.push(url);
    }
    once() {}
    on() {}
    show() {}
    focus() {}
    isMinimized() {
      return false;
    }
    restore() {}
  }
  const electron = {
    app: {
      whenReady: async () => undefined,
      getPath: () => userData,
      setPath: (_name: string, value: string) => (userData = value),
      getVersion: () => '0.1.0',
      requestSingleInstanceLock: () => true,
      quit: () => undefined,
      exit: (code: number) => {
        record.exitCode = code;
        exited();
      },
      on: (event: string, listener: Listener) => appListeners.set(event, listener),
      enableSandbox: () => (record.sandboxEnabled = true),
    },
    BrowserWindow,
    ipcMain: { handle: (channel: string, handler: Handler) => handlers.set(channel, handler), removeHandler: (channel: string) => handlers.delete(channel) },
    safeStorage: { isEncryptionAvailable: () => false, encryptString: () => Buffer.alloc(0), decryptString: () => '' },
    dialog: { showSaveDialog: async () => ({ canceled: true }) },
    shell: { openExternal: async (url: string) => void record.externals.push(url) },
    protocol: { registerSchemesAsPrivileged: (schemes: typeof record.schemes) => record.schemes.push(...schemes) },
    session: { defaultSession: session },
    net: { fetch: async () => new Response('') },
  };
  return { electron, record, appListeners, contentsListeners, handlers, webContents, exitedPromise };
}

describe('the Electron main process, driven with a fake Electron', () => {
  let root = '';
  let fake: ReturnType<typeof fakeElectron>;
  const page: IpcInvokeEventLike = { sender: { id: 41 }, senderFrame: { url: 'app://cairn/index.html' } };

  before(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'cairn-electron-main-'));
    trackTempDir(root);
    const rendererDir = path.join(root, 'renderer-dist');
    mkdirSync(rendererDir, { recursive: true });
    writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Cairn window</title>');
    fake = fakeElectron(path.join(root, 'default-user-data'));
    await runElectronApp({
      loadElectron: async () => fake.electron,
      // No --cairn-cluster-size: the app's default, a three-member local cluster, as a user gets it.
      argv: ['electron', 'entry', `--cairn-user-data-dir=${path.join(root, 'user-data')}`],
      rendererDir,
    });
  });

  after(async () => {
    if (fake.record.exitCode === undefined) {
      fake.appListeners.get('before-quit')?.({ preventDefault: () => undefined });
      await fake.exitedPromise;
    }
    removeTempDir(root);
  });

  test('the window is isolated, sandboxed, without Node, with only the bundled preload', () => {
    assert.equal(fake.record.sandboxEnabled, true);
    assert.deepEqual(fake.record.schemes, [{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);
    const preferences = fake.record.windows[0]!.webPreferences;
    assert.equal(preferences.contextIsolation, true);
    assert.equal(preferences.sandbox, true);
    assert.equal(preferences.nodeIntegration, false);
    assert.equal(preferences.nodeIntegrationInSubFrames, false);
    assert.equal(preferences.webviewTag, false);
    assert.equal(preferences.webSecurity, true);
    assert.match(preferences.preload, /out[\\/]preload[\\/]preload\.cjs$/);
    assert.ok(existsSync(preferences.preload));
    assert.deepEqual(fake.record.loaded, ['app://cairn/index.html']);
  });

  test('every contract channel has a handler, and calls from other pages are refused', async () => {
    assert.deepEqual([...fake.handlers.keys()].sort(), [...methodChannels].sort());
    const info = await fake.handlers.get('cairn:app.info')!(page, undefined);
    assert.ok(info.ok && (info.value as { mode: string }).mode === 'electron');
    const foreign = await fake.handlers.get('cairn:app.info')!({ sender: { id: 41 }, senderFrame: { url: 'https://evil.example/' } }, undefined);
    assert.equal(!foreign.ok && foreign.error.code, 'forbidden');
    const otherWindow = await fake.handlers.get('cairn:app.info')!({ sender: { id: 99 }, senderFrame: page.senderFrame }, undefined);
    assert.equal(!otherWindow.ok && otherWindow.error.code, 'forbidden');
  });

  test('navigation away, new windows and permission requests are refused; https links open outside', () => {
    fake.appListeners.get('web-contents-created')!({}, fake.webContents);
    let prevented = false;
    fake.contentsListeners.get('will-navigate')!({ preventDefault: () => (prevented = true) }, 'https://evil.example/');
    assert.equal(prevented, true);
    prevented = false;
    fake.contentsListeners.get('will-navigate')!({ preventDefault: () => (prevented = true) }, 'app://cairn/keys');
    assert.equal(prevented, false);
    assert.deepEqual(fake.record.windowOpenHandler!({ url: 'https://etcd.io/docs' }), { action: 'deny' });
    assert.deepEqual(fake.record.windowOpenHandler!({ url: 'file:///etc/passwd' }), { action: 'deny' });
    assert.deepEqual(fake.record.externals, ['https://etcd.io/docs']);
    let granted: boolean | undefined;
    fake.record.permissionHandler!({}, 'media', (answer: boolean) => (granted = answer));
    assert.equal(granted, false);
  });

  test('the page is served from app:// with the CSP on every response', async () => {
    const response = await fake.record.protocolHandler!({ url: 'app://cairn/index.html' });
    assert.equal(response.status, 200);
    assert.match(await response.text(), /Cairn window/);
    assert.match(response.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.equal((await fake.record.protocolHandler!({ url: 'app://cairn/../../etc/passwd' })).status, 200, 'falls back to the page');
    let headers: Record<string, string[]> = {};
    fake.record.headersHandler!({ responseHeaders: {} }, (result: { responseHeaders: Record<string, string[]> }) => (headers = result.responseHeaders));
    assert.ok(headers['Content-Security-Policy']?.[0]?.includes("frame-ancestors 'none'"));
  });

  test('the local cluster starts, answers through IPC, and quitting stops every member before exit', async () => {
    let state: LocalClusterState | undefined;
    await waitFor('the local cluster to run', async () => {
      const result = await fake.handlers.get('cairn:localCluster.state')!(page, undefined);
      state = result.ok ? (result.value as LocalClusterState) : undefined;
      return state?.phase === 'running';
    }, 30_000);
    assert.equal(state!.size, 3);
    assert.equal(state!.members.length, 3);
    assert.ok(state!.dataDir.startsWith(path.join(root, 'user-data')));
    const pids = state!.members.map((member) => member.pid!);
    let prevented = false;
    fake.appListeners.get('before-quit')!({ preventDefault: () => (prevented = true) });
    assert.equal(prevented, true, 'quit waits for the cluster to stop');
    await fake.exitedPromise;
    assert.equal(fake.record.exitCode, 0);
    for (const pid of pids) assert.equal(processAlive(pid), false, `member ${pid} outlived the app`);
    const stopped = (await fake.handlers.get('cairn:localCluster.state')!(page, undefined)) as Result<LocalClusterState>;
    assert.ok(stopped.ok);
    for (const member of stopped.value.members) assert.deepEqual([member.lastExit?.code, member.lastExit?.signal], [0, null], `${member.name} stopped gracefully on quit`);
  });
});
