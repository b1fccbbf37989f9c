// The preload of Cairn's window: it exposes `window.cairn`, a CairnBridge, and nothing else. Calls go only to the
// contract's channels (anything else is refused here, before main even sees it); events come from the one event
// channel. Raw ipcRenderer never reaches the page. This file is bundled to CommonJS (preload-build.ts) because
// sandboxed preloads cannot load ES modules; `require('electron')` is the sandbox's own require.
import { channelPrefix, eventChannel, methodChannels, preloadGlobalName, type CairnBridge, type EventMessage, type Result } from '../common/contract.ts';
import { fail } from '../common/result.ts';

/** The part of Electron's preload API this file uses. */
interface PreloadElectron {
  contextBridge: { exposeInMainWorld(name: string, api: unknown): void };
  ipcRenderer: {
    invoke(channel: string, ...args: unknown[]): Promise<unknown>;
    on(channel: string, listener: (event: unknown, message: EventMessage) => void): void;
    removeListener(channel: string, listener: (event: unknown, message: EventMessage) => void): void;
  };
}

declare const require: (id: 'electron') => PreloadElectron;

const { contextBridge, ipcRenderer } = require('electron');
const allowed = new Set(methodChannels);

const bridge: CairnBridge = {
  invoke: (channel, args) => {
    if (typeof channel !== 'string' || !channel.startsWith(channelPrefix) || !allowed.has(channel)) {
      return Promise.resolve(fail('unknown-channel', `Unknown channel ${JSON.stringify(String(channel).slice(0, 128))}.`));
    }
    return ipcRenderer.invoke(channel, args) as Promise<Result<unknown>>;
  },
  subscribe: (listener) => {
    const handler = (_event: unknown, message: EventMessage): void => listener(message);
    ipcRenderer.on(eventChannel, handler);
    return () => ipcRenderer.removeListener(eventChannel, handler);
  },
};

contextBridge.exposeInMainWorld(preloadGlobalName, bridge);
