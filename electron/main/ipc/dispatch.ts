// The one entry point of every call from a renderer, in Electron and in browser mode alike: the channel must be
// one of the contract's, and its argument must pass the contract's validator, before any service code runs.
// Anything else is refused with a Result error; nothing a renderer sends can throw in main.
import type { CairnApi, Disposable, EventMessage, Result, ServiceName } from '../../common/contract.ts';
import { channelPrefix, eventTable } from '../../common/contract.ts';
import { validatorOf } from '../../common/contract-validators.ts';
import { fail } from '../../common/result.ts';

/** Longest channel name accepted before looking it up (so a huge string is not parsed). */
const channelCharsMax = 128;

/** Runs one call of `channel` with `args` against `api`. */
export async function dispatch(api: CairnApi, channel: unknown, args: unknown): Promise<Result<unknown>> {
  if (typeof channel !== 'string' || channel.length > channelCharsMax || !channel.startsWith(channelPrefix)) {
    return fail('unknown-channel', `Unknown channel ${JSON.stringify(String(channel).slice(0, channelCharsMax))}.`);
  }
  const [service, method, ...rest] = channel.slice(channelPrefix.length).split('.');
  const validator = rest.length === 0 && service && method ? validatorOf(service, method) : undefined;
  if (!validator) return fail('unknown-channel', `Unknown channel ${JSON.stringify(channel)}.`);
  const checked = validator(args, 'args');
  if (!checked.ok) return fail('invalid-argument', `Invalid argument for ${service}.${method}: ${checked.error}.`);
  const target = (api[service as ServiceName] as unknown as Record<string, (args?: unknown) => Promise<Result<unknown>>>)[method!]!;
  try {
    return await target(checked.value);
  } catch (error) {
    // Services return Results; a throw here is a bug, reported as such rather than lost.
    console.error(`${channel} threw`, error);
    return fail('internal', `Cairn hit an internal error in ${service}.${method}: ${(error as Error)?.message ?? String(error)}`);
  }
}

/** Subscribes to every event of `api` and hands each to `send` as an EventMessage. */
export function forwardEvents(api: CairnApi, send: (message: EventMessage) => void): Disposable {
  const subscriptions: Disposable[] = [];
  for (const service of Object.keys(eventTable) as ServiceName[]) {
    for (const event of eventTable[service] as readonly string[]) {
      const subscribe = (api[service] as unknown as Record<string, (listener: (payload: unknown) => void) => Disposable>)[event]!;
      subscriptions.push(subscribe((payload) => send({ name: `${service}.${event}`, payload })));
    }
  }
  return { dispose: () => subscriptions.splice(0).forEach((subscription) => subscription.dispose()) };
}
