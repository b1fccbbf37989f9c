// Electron IPC: one handler for every contract channel. Before dispatching, the sender must be one of our
// windows showing our own page (a navigated or injected frame is refused), and each window gets its own session
// (its watches), disposed when the window goes away. Events are pushed only to windows still alive.
import type { Disposable, Result } from '../../common/contract.ts';
import { eventChannel, methodChannels } from '../../common/contract.ts';
import { fail } from '../../common/result.ts';
import type { Session, SessionSource } from '../services/service-host.ts';
import { dispatch, forwardEvents } from './dispatch.ts';
import type { IpcInvokeEventLike, IpcMainLike, WebContentsLike } from './electron-api.ts';

/** Decides whether an IPC message comes from a trusted window and page. */
export interface SenderPolicy {
  /** The web contents of a window we created, by id, or undefined for any other sender. */
  windowContents(id: number): WebContentsLike | undefined;
  /** True when a frame URL is our app's page (e.g. `app://cairn/...`). */
  isAppUrl(url: string): boolean;
}

/** The handler of one invoke, for registration and for tests with fake events. */
export type InvokeHandler = (event: IpcInvokeEventLike, channel: string, args: unknown) => Promise<Result<unknown>>;

/** Builds the invoke handler over the host. */
export function createInvokeHandler(host: SessionSource, policy: SenderPolicy): { handle: InvokeHandler; dispose(): void } {
  const sessions = new Map<number, { session: Session; events: Disposable }>();
  const sessionFor = (contents: WebContentsLike): Session => {
    const existing = sessions.get(contents.id);
    if (existing) return existing.session;
    const session = host.openSession();
    const events = forwardEvents(session.api, (message) => {
      if (!contents.isDestroyed()) contents.send(eventChannel, message);
    });
    sessions.set(contents.id, { session, events });
    contents.once('destroyed', () => {
      events.dispose();
      session.dispose();
      sessions.delete(contents.id);
    });
    return session;
  };
  const handle: InvokeHandler = async (event, channel, args) => {
    const contents = policy.windowContents(event.sender.id);
    const url = event.senderFrame?.url ?? '';
    if (!contents || !policy.isAppUrl(url)) {
      return fail('forbidden', `Refused a call from an untrusted sender (${url.slice(0, 200) || 'no frame'}).`);
    }
    return dispatch(sessionFor(contents).api, channel, args);
  };
  return {
    handle,
    dispose: () => {
      for (const { session, events } of sessions.values()) {
        events.dispose();
        session.dispose();
      }
      sessions.clear();
    },
  };
}

/** Registers the handler on every contract channel; unknown channels have no handler, so Electron refuses them. */
export function registerIpc(ipcMain: IpcMainLike, handle: InvokeHandler): Disposable {
  for (const channel of methodChannels) ipcMain.handle(channel, (event, args) => handle(event, channel, args));
  return { dispose: () => methodChannels.forEach((channel) => ipcMain.removeHandler(channel)) };
}
