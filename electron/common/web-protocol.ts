// The frames of the browser-mode socket (JSON through wire-codec.ts). A call carries the same channel name and
// argument as the Electron IPC invoke, so main runs one handler for both; results and events come back on the
// same socket.
import type { EventMessage, Result } from './contract.ts';

/** Path of the browser-mode WebSocket, relative to the page's origin. */
export const webSocketPath = '/api/socket';

/** Name of the cookie holding the access token after the first page load. */
export const tokenCookieName = 'cairn_token';

/** Name of the URL query parameter carrying the access token. */
export const tokenQueryName = 'token';

/** Largest frame either side accepts, in bytes: a 64 MiB value as base64 plus framing. */
export const webFrameBytesMax = 96 * 1024 * 1024;

/** A call from the page to main. */
export interface CallFrame {
  kind: 'call';
  /** Chosen by the page, unique per socket, echoed in the result. */
  id: number;
  channel: string;
  args: unknown;
}

/** The result of a call. */
export interface ResultFrame {
  kind: 'result';
  id: number;
  result: Result<unknown>;
}

/** An event pushed by main. */
export interface EventFrame extends EventMessage {
  kind: 'event';
}

/** Any frame main sends. */
export type ServerFrame = ResultFrame | EventFrame;
