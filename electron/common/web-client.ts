// The browser-mode client: a CairnBridge over one WebSocket to main, so `createApiClient` gives the renderer the
// same CairnApi as the preload global. The page is served by main with the access token in a cookie, so the
// socket needs no token of its own; other clients (tests) pass it explicitly. When the socket drops, pending
// calls resolve with 'unavailable', every watch this page started is reported ended (main drops a closed
// socket's watches), and the client reconnects with back-off.
import { createApiClient } from './api-client.ts';
import type { CairnApi, CairnBridge, Disposable, EventMessage, Result, WatchStateChange } from './contract.ts';
import { fail } from './result.ts';
import { decodeWire, encodeWire } from './wire-codec.ts';
import { tokenQueryName, webSocketPath, type CallFrame, type ServerFrame } from './web-protocol.ts';

/** The part of the WHATWG WebSocket the client uses (browsers' WebSocket, or the `ws` package in Node). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

/** A WebSocket constructor. */
export type WebSocketFactory = new (url: string) => WebSocketLike;

/** Where and how to connect. */
export interface WebClientOptions {
  /** Origin of main's browser-mode server, e.g. `http://127.0.0.1:4711` (default: the page's own origin). */
  origin?: string;
  /** The access token, when the page was not loaded from main (no cookie). */
  token?: string;
  /** The WebSocket constructor (default: globalThis.WebSocket). */
  webSocket?: WebSocketFactory;
  /** How long a call waits for the socket to open before it fails, in milliseconds. */
  openTimeoutMs?: number;
}

/** The state of the socket. */
export type WebConnectionState = 'connecting' | 'open' | 'closed';

/** A browser-mode client. */
export interface WebClient {
  api: CairnApi;
  bridge: CairnBridge;
  readonly state: WebConnectionState;
  onDidChangeState(listener: (state: WebConnectionState) => void): Disposable;
  /** Closes the socket for good. */
  close(): void;
}

const openState = 1;
const openTimeoutMsDefault = 10_000;
const reconnectDelaysMs = [250, 500, 1_000, 2_000, 5_000];

/** Connects to main's browser-mode server and returns the typed API over it. */
export function createWebClient(options: WebClientOptions = {}): WebClient {
  const found = options.webSocket ?? (globalThis as unknown as { WebSocket?: WebSocketFactory }).WebSocket;
  if (!found) throw new Error('no WebSocket implementation: pass options.webSocket');
  const Socket: WebSocketFactory = found;
  const origin = options.origin ?? (globalThis as unknown as { location?: { origin: string } }).location?.origin;
  if (!origin) throw new Error('no origin: pass options.origin outside a browser page');
  const url = new URL(webSocketPath, origin.replace(/^http/, 'ws'));
  if (options.token !== undefined) url.searchParams.set(tokenQueryName, options.token);
  const openTimeoutMs = options.openTimeoutMs ?? openTimeoutMsDefault;

  let socket: WebSocketLike | undefined;
  let state: WebConnectionState = 'connecting';
  let closedForGood = false;
  let attempt = 0;
  let nextId = 1;
  const pending = new Map<number, (result: Result<unknown>) => void>();
  const waitingForOpen = new Set<() => void>();
  const eventListeners = new Set<(message: EventMessage) => void>();
  const stateListeners = new Set<(state: WebConnectionState) => void>();
  const liveWatches = new Set<string>();

  const setState = (next: WebConnectionState): void => {
    if (next === state) return;
    state = next;
    for (const listener of [...stateListeners]) listener(next);
  };
  const emit = (message: EventMessage): void => {
    for (const listener of [...eventListeners]) listener(message);
  };
  const onFrame = (data: unknown): void => {
    if (typeof data !== 'string') return;
    let frame: ServerFrame;
    try {
      frame = decodeWire(data) as ServerFrame;
    } catch (error) {
      console.error('browser mode: unreadable frame from main', error);
      return;
    }
    if (frame.kind === 'result') {
      const settle = pending.get(frame.id);
      pending.delete(frame.id);
      settle?.(frame.result);
    } else if (frame.kind === 'event') {
      trackWatches(frame);
      emit(frame);
    }
  };
  const trackWatches = (message: EventMessage): void => {
    if (message.name !== 'watch.onDidChangeState') return;
    const change = message.payload as WatchStateChange;
    if (change.state === 'ended') liveWatches.delete(change.watchId);
  };
  const onClosed = (): void => {
    socket = undefined;
    for (const settle of pending.values()) settle(fail('unavailable', 'The connection to Cairn was lost before the answer came.'));
    pending.clear();
    for (const watchId of liveWatches) {
      const change: WatchStateChange = {
        watchId, state: 'ended', reason: 'connection-closed', compactRevision: null, resumeRevision: null,
        message: 'The connection to Cairn was lost; start the watch again.',
      };
      emit({ name: 'watch.onDidChangeState', payload: change });
    }
    liveWatches.clear();
    if (closedForGood) return setState('closed');
    setState('connecting');
    const delay = reconnectDelaysMs[Math.min(attempt, reconnectDelaysMs.length - 1)]!;
    attempt += 1;
    setTimeout(open, delay);
  };
  function open(): void {
    if (closedForGood) return;
    const current = new Socket(url.toString());
    socket = current;
    current.addEventListener('open', () => {
      attempt = 0;
      setState('open');
      for (const resume of [...waitingForOpen]) resume();
    });
    current.addEventListener('message', (event) => onFrame(event.data));
    current.addEventListener('close', () => {
      if (socket === current) onClosed();
    });
    current.addEventListener('error', () => undefined);
  }
  const whenOpen = (): Promise<boolean> => {
    if (socket?.readyState === openState) return Promise.resolve(true);
    if (closedForGood) return Promise.resolve(false);
    return new Promise((resolve) => {
      const resume = (): void => {
        clearTimeout(timer);
        waitingForOpen.delete(resume);
        resolve(socket?.readyState === openState);
      };
      const timer = setTimeout(resume, openTimeoutMs);
      waitingForOpen.add(resume);
    });
  };

  const bridge: CairnBridge = {
    invoke: async (channel, args) => {
      if (!(await whenOpen()) || !socket) return fail('unavailable', 'Cairn is not reachable: the browser-mode connection is closed.');
      const id = nextId;
      nextId += 1;
      const frame: CallFrame = { kind: 'call', id, channel, args };
      const result = await new Promise<Result<unknown>>((resolve) => {
        pending.set(id, resolve);
        socket!.send(encodeWire(frame));
      });
      if (channel.endsWith('watch.start') && result.ok) liveWatches.add((result.value as { watchId: string }).watchId);
      return result;
    },
    subscribe: (listener) => {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
  };
  open();
  return {
    api: createApiClient(bridge),
    bridge,
    get state() {
      return state;
    },
    onDidChangeState: (listener) => {
      stateListeners.add(listener);
      return { dispose: () => stateListeners.delete(listener) };
    },
    close: () => {
      closedForGood = true;
      socket?.close(1000, 'closed by the page');
      if (!socket) setState('closed');
    },
  };
}
