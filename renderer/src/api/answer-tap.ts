// Every answer main gives to a call made on a connection, seen once in one place, so the status bar can follow
// the store revision from the responses the screens already receive instead of polling for it. The tap only
// observes: arguments and results pass through unchanged, and a failing listener never breaks a call.
import { eventTable, methodTable, type CairnApi, type Result, type ServiceName } from '../../../electron/common/contract.ts';

/** One answer to a call made on a connection. */
export interface Answer {
  service: ServiceName;
  method: string;
  connectionId: string;
  args: Record<string, unknown>;
  result: Result<unknown>;
  /** The tap's clock when the call was made (see `answerClock`). */
  issued: number;
}

let clock = 0;

/**
 * A counter that moves on with every call made through a tapped API. Something seen at `answerClock()` after an
 * answer's `issued` was seen after that call was made, so an answer cannot be older than it.
 */
export function answerClock(): number {
  return clock;
}

/** The API with `listener` told about every answer to a call that names a connection. */
export function tapAnswers(api: CairnApi, listener: (answer: Answer) => void): CairnApi {
  const tapped: Record<string, Record<string, unknown>> = {};
  for (const service of Object.keys(methodTable) as ServiceName[]) {
    // Members are looked up when used, not copied: a test's API may be a Proxy that answers any name.
    const original = api[service] as unknown as Record<string, (argument?: unknown) => unknown>;
    const members: Record<string, unknown> = {};
    for (const event of eventTable[service] as readonly string[]) {
      members[event] = (eventListener: unknown) => original[event]!.call(original, eventListener);
    }
    for (const method of methodTable[service] as readonly string[]) {
      members[method] = async (args?: unknown): Promise<Result<unknown>> => {
        const issued = ++clock;
        const result = await (original[method]!.call(original, args) as Promise<Result<unknown>>);
        if (isRecord(args) && typeof args.connectionId === 'string') {
          try {
            listener({ service, method, connectionId: args.connectionId, args, result, issued });
          } catch (error) {
            // The caller's answer matters more than a status display: report the fault where developers look.
            console.error(`answer listener of ${service}.${method} failed`, error);
          }
        }
        return result;
      };
    }
    tapped[service] = members;
  }
  return tapped as unknown as CairnApi;
}

/**
 * The store revision an answer reports, or null: the revision of the response header of key reads and writes
 * and of the cluster overview. Reads pinned to an earlier revision report that revision, not the store's, so
 * they are left out.
 */
export function answerRevision(answer: Answer): number | null {
  if (!answer.result.ok || answer.args.revision !== undefined) return null;
  const reportsRevision = answer.service === 'keys' ? answer.method !== 'history' : answer.service === 'cluster' && answer.method === 'overview';
  if (!reportsRevision) return null;
  const value = answer.result.value;
  const revision = isRecord(value) ? value.revision : undefined;
  return typeof revision === 'number' && Number.isSafeInteger(revision) && revision > 0 ? revision : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
