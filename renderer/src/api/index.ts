// The renderer's one way to reach main: the preload global in Electron, or the browser-mode socket when the
// page was opened from Cairn's local web server. Stores call `api()`; tests call `setApi()` with a fake.
import { createApiClient } from '../../../electron/common/api-client.ts';
import { preloadGlobalName, type CairnApi, type CairnBridge, type CairnError, type Disposable, type Result } from '../../../electron/common/contract.ts';
import { createWebClient, type WebConnectionState } from '../../../electron/common/web-client.ts';
import { tapAnswers, type Answer } from './answer-tap.ts';

let current: CairnApi | undefined;
const answerListeners = new Set<(answer: Answer) => void>();
let backendStateListener: ((state: WebConnectionState) => void) | undefined;
let backendState: WebConnectionState = 'open';

/** The API of the running app (created on first use). */
export function api(): CairnApi {
  current ??= tapped(connect());
  return current;
}

/** Replaces the API, for tests of stores and views. */
export function setApi(replacement: CairnApi): void {
  current = tapped(replacement);
}

/** Calls `listener` with every answer main gives to a call on a connection, whichever store made it. */
export function onDidAnswer(listener: (answer: Answer) => void): Disposable {
  answerListeners.add(listener);
  return { dispose: () => answerListeners.delete(listener) };
}

function tapped(client: CairnApi): CairnApi {
  return tapAnswers(client, (answer) => answerListeners.forEach((listener) => listener(answer)));
}

function connect(): CairnApi {
  const preload = (window as unknown as Record<string, CairnBridge | undefined>)[preloadGlobalName];
  if (preload) return createApiClient(preload);
  // Browser mode: main served this page and set the token cookie; the token in the address is passed too so a
  // page whose cookie was blocked still connects.
  const token = new URLSearchParams(window.location.search).get('token') ?? undefined;
  const client = createWebClient(token ? { token } : {});
  backendState = client.state;
  client.onDidChangeState((state) => {
    backendState = state;
    backendStateListener?.(state);
  });
  return client.api;
}

/** Whether the page can reach main: always 'open' in Electron; the socket's state in browser mode. */
export function watchBackendState(listener: (state: WebConnectionState) => void): WebConnectionState {
  api();
  backendStateListener = listener;
  return backendState;
}

/** Whether the page runs in Electron (true) or in browser mode. */
export function isElectron(): boolean {
  return preloadGlobalName in window;
}

/** A failed call as a thrown value, so store code can use try/catch around a sequence of calls. */
export class ApiError extends Error {
  readonly code: CairnError['code'];
  readonly detail: string | undefined;

  constructor(error: CairnError) {
    super(error.message);
    this.code = error.code;
    this.detail = error.detail;
  }
}

/** The value of a Result, or an ApiError carrying its plain-words message. */
export async function unwrap<T>(pending: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await pending;
  } catch (error) {
    // A bridge that rejects (preload missing, socket torn down) still becomes a plain-words error.
    throw new ApiError({ code: 'unavailable', message: `Cairn's background service did not answer: ${describeError(error)}` });
  }
  if (!result.ok) throw new ApiError(result.error);
  return result.value;
}

/** The message of anything thrown, for people. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
