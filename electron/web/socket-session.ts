// One browser tab's WebSocket: call frames are dispatched exactly like Electron IPC invokes, results and events
// go back as frames. A tab may have a bounded number of calls in flight, and a socket that stops answering pings
// is closed, which ends its session (and its watches).
import type { WebSocket } from 'ws';
import type { EventMessage, Result } from '../common/contract.ts';
import { fail } from '../common/result.ts';
import { decodeWire, encodeWire } from '../common/wire-codec.ts';
import type { CallFrame, EventFrame, ResultFrame } from '../common/web-protocol.ts';
import { dispatch, forwardEvents } from '../main/ipc/dispatch.ts';
import type { SessionSource } from '../main/services/service-host.ts';

/** Calls one socket may have in flight; more are refused with 'busy' (a runaway page cannot queue without end). */
export const callsInFlightMax = 256;

/** Time between pings, in milliseconds; a socket that missed one pong is closed. */
export const pingIntervalMs = 30_000;

/** Bytes queued on a socket before events are dropped for it (a tab that stopped reading). */
const socketBufferBytesMax = 64 * 1024 * 1024;

function isCallFrame(value: unknown): value is CallFrame {
  if (typeof value !== 'object' || value === null) return false;
  const frame = value as Partial<CallFrame>;
  return frame.kind === 'call' && typeof frame.id === 'number' && Number.isSafeInteger(frame.id) && typeof frame.channel === 'string';
}

/** Serves one socket until it closes. */
export function serveSocket(socket: WebSocket, host: SessionSource): void {
  const session = host.openSession();
  let inFlight = 0;
  let alive = true;
  const send = (frame: ResultFrame | EventFrame): void => {
    if (socket.readyState !== socket.OPEN) return;
    if (frame.kind === 'event' && socket.bufferedAmount > socketBufferBytesMax) return;
    socket.send(encodeWire(frame));
  };
  const events = forwardEvents(session.api, (message: EventMessage) => send({ kind: 'event', ...message }));
  const ping = setInterval(() => {
    if (!alive) return socket.terminate();
    alive = false;
    socket.ping();
  }, pingIntervalMs);
  socket.on('pong', () => (alive = true));
  socket.on('message', (data, isBinary) => {
    if (isBinary) return socket.close(1003, 'text frames only');
    let frame: unknown;
    try {
      frame = decodeWire(data.toString());
    } catch {
      return socket.close(1007, 'frames must be JSON');
    }
    if (!isCallFrame(frame)) return socket.close(1008, 'unknown frame');
    const id = frame.id;
    if (inFlight >= callsInFlightMax) {
      return send({ kind: 'result', id, result: fail('busy', `Too many calls at once (more than ${callsInFlightMax}); wait for some to finish.`) });
    }
    inFlight += 1;
    dispatch(session.api, frame.channel, frame.args).then(
      (result: Result<unknown>) => send({ kind: 'result', id, result }),
      (error: Error) => send({ kind: 'result', id, result: fail('internal', error.message) }),
    ).finally(() => (inFlight -= 1));
  });
  socket.on('close', () => {
    clearInterval(ping);
    events.dispose();
    session.dispose();
  });
  socket.on('error', () => socket.terminate());
}
