// Writes to a connection tagged production need the user's confirmation, checked here in main rather than only in
// the GUI: every call that changes a cluster (contract-writes.ts) must carry the connection's name in
// `productionConfirmation`, the name the user typed in the confirmation dialog. A renderer bug, a forgotten
// dialog or a script on the browser-mode socket therefore cannot write to production unconfirmed.
import type { CairnApi, EnvironmentTag, OnConnection, Result, ServiceName } from '../../common/contract.ts';
import { changesCluster, writeMethods } from '../../common/contract-writes.ts';
import { fail } from '../../common/result.ts';

/** What the guard needs to know about a connection: its name and environment tag (undefined: unknown id). */
export type ConnectionTag = (connectionId: string) => { name: string; environment: EnvironmentTag } | undefined;

type Method = (args: OnConnection) => Promise<Result<unknown>>;

/** The refusal of an unconfirmed write, or undefined when the call may go ahead. */
export function productionRefusal(service: string, method: string, args: OnConnection, tagOf: ConnectionTag): Result<never> | undefined {
  if (!changesCluster(service, method, args)) return undefined;
  const tag = tagOf(args.connectionId);
  // An unknown id is left to the service, which answers 'not-found' in its own words.
  if (tag?.environment !== 'production' || args.productionConfirmation === tag.name) return undefined;
  return fail('confirmation-required', `"${tag.name}" is tagged production: confirm this change by typing the connection's name. Nothing was changed.`);
}

/** Returns `api` with every write method wrapped by the production check. */
export function guardProductionWrites<T extends Omit<CairnApi, 'watch'>>(api: T, tagOf: ConnectionTag): T {
  const guarded = { ...api } as unknown as Record<string, Record<string, unknown>>;
  for (const service of Object.keys(writeMethods) as Array<keyof typeof writeMethods & ServiceName>) {
    const members = { ...(api[service] as unknown as Record<string, unknown>) };
    for (const method of writeMethods[service] as readonly string[]) {
      const original = members[method] as Method;
      members[method] = (args: OnConnection): Promise<Result<unknown>> => {
        const refusal = productionRefusal(service, method, args, tagOf);
        return refusal ? Promise.resolve(refusal) : original(args);
      };
    }
    guarded[service] = members;
  }
  return guarded as unknown as T;
}
