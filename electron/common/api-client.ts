// The typed CairnApi the renderer uses, built over a CairnBridge: the preload's `window.cairn` in Electron, or
// the browser-mode socket (web-client.ts). Methods map one to one to channels; events arrive on one
// subscription and are fanned out by name, so the renderer holds a single listener on the bridge however many
// components listen.
import { channelOf, eventTable, methodTable, type CairnApi, type CairnBridge, type Disposable, type EventMessage, type ServiceName } from './contract.ts';
import type { Result } from './result.ts';

type Listener = (payload: unknown) => void;

/** Builds the typed API over a bridge. */
export function createApiClient(bridge: CairnBridge): CairnApi {
  const listeners = new Map<string, Set<Listener>>();
  let unsubscribe: (() => void) | undefined;
  const dispatch = (message: EventMessage): void => {
    for (const listener of [...(listeners.get(message.name) ?? [])]) {
      try {
        listener(message.payload);
      } catch (error) {
        // One faulty listener must not starve the others; report it where developers look.
        console.error(`listener of ${message.name} failed`, error);
      }
    }
  };
  const on = (name: string, listener: Listener): Disposable => {
    let set = listeners.get(name);
    if (!set) listeners.set(name, (set = new Set()));
    set.add(listener);
    unsubscribe ??= bridge.subscribe(dispatch);
    return {
      dispose: () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(name);
        if (listeners.size === 0 && unsubscribe) {
          unsubscribe();
          unsubscribe = undefined;
        }
      },
    };
  };
  const api: Record<string, Record<string, unknown>> = {};
  for (const service of Object.keys(methodTable) as ServiceName[]) {
    const members: Record<string, unknown> = {};
    for (const method of methodTable[service]) {
      const channel = channelOf(service, method);
      members[method] = (args?: unknown): Promise<Result<unknown>> => bridge.invoke(channel, args);
    }
    for (const event of eventTable[service] as readonly string[]) {
      members[event] = (listener: Listener): Disposable => on(`${service}.${event}`, listener);
    }
    api[service] = members;
  }
  return api as unknown as CairnApi;
}
