// The preload exactly as the window loads it (the CommonJS bundle preload-build.ts makes), run in a bare vm context
// with a fake `require('electron')`: it exposes one global, `cairn`, with only `invoke` and `subscribe`; it needs
// nothing but `electron` (a sandboxed preload has no other require); unknown channels are refused before IPC;
// contract channels and the one event channel pass through.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { eventChannel, methodChannels, preloadGlobalName, type CairnBridge, type EventMessage, type Result } from '../../electron/common/contract.ts';
import { ensurePreloadBuilt } from '../../electron/main/preload-build.ts';

interface Loaded {
  exposed: Map<string, unknown>;
  required: string[];
  invoked: Array<[string, unknown]>;
  listeners: Map<string, (event: unknown, message: EventMessage) => void>;
}

function loadPreload(source: string): Loaded {
  const loaded: Loaded = { exposed: new Map(), required: [], invoked: [], listeners: new Map() };
  const electron = {
    contextBridge: { exposeInMainWorld: (name: string, api: unknown) => loaded.exposed.set(name, api) },
    ipcRenderer: {
      invoke: async (channel: string, args: unknown) => {
        loaded.invoked.push([channel, args]);
        return { ok: true, value: 'from main' };
      },
      on: (channel: string, listener: (event: unknown, message: EventMessage) => void) => loaded.listeners.set(channel, listener),
      removeListener: (channel: string) => loaded.listeners.delete(channel),
    },
  };
  const require = (id: string): unknown => {
    loaded.required.push(id);
    if (id !== 'electron') throw new Error(`a sandboxed preload cannot require ${id}`);
    return electron;
  };
  // No process, no Buffer, no module system: what a sandboxed preload's own globals lack is missing here too.
  vm.runInNewContext(source, { require, module: { exports: {} }, exports: {}, Promise });
  return loaded;
}

describe('the preload bundle', () => {
  let loaded: Loaded;
  let bridge: CairnBridge;

  before(async () => {
    loaded = loadPreload(readFileSync(await ensurePreloadBuilt(), 'utf8'));
    bridge = loaded.exposed.get(preloadGlobalName) as CairnBridge;
  });

  test('exposes only window.cairn with invoke and subscribe, and requires only electron', () => {
    assert.deepEqual([...loaded.exposed.keys()], [preloadGlobalName]);
    assert.deepEqual(Object.keys(bridge).sort(), ['invoke', 'subscribe']);
    assert.deepEqual([...new Set(loaded.required)], ['electron']);
  });

  test('unknown channels are refused in the page, before any IPC', async () => {
    for (const channel of ['cairn:shell.exec', 'cairn:event', 'ELECTRON_BROWSER_REQUIRE', 'cairn:keys.put.extra', '', 42]) {
      const result = (await bridge.invoke(channel as string, {})) as Result<unknown>;
      assert.equal(!result.ok && result.error.code, 'unknown-channel', String(channel));
    }
    assert.deepEqual(loaded.invoked, []);
  });

  test('every contract channel reaches main, and events arrive on the one event channel', async () => {
    for (const channel of methodChannels) assert.deepEqual(await bridge.invoke(channel, { a: 1 }), { ok: true, value: 'from main' });
    assert.deepEqual(loaded.invoked.map(([channel]) => channel), [...methodChannels]);
    const received: EventMessage[] = [];
    const unsubscribe = bridge.subscribe((message) => received.push(message));
    assert.deepEqual([...loaded.listeners.keys()], [eventChannel]);
    loaded.listeners.get(eventChannel)!({ sender: 'main' }, { name: 'localCluster.onDidChangeState', payload: 1 });
    assert.deepEqual(received, [{ name: 'localCluster.onDidChangeState', payload: 1 }]);
    unsubscribe();
    assert.equal(loaded.listeners.size, 0);
  });
});
