// The operations a client history is made of, as the load generator records them and the checker reads them:
// what was asked (input), what came back (output, only for calls that succeeded), how the call ended, and when it
// was invoked and answered on one monotonic clock. A call whose outcome is unknown (timeout, connection lost)
// may or may not have taken effect, so it has no output and the checker treats it as pending until infinity.

/** What a client asked one key for. */
export type KvInput =
  | { kind: 'put'; key: string; value: string }
  | { kind: 'get'; key: string }
  | { kind: 'delete'; key: string }
  /** A txn `if mod_revision(key) == expectedModRevision then put(key, value)` (0 means "the key is absent"). */
  | { kind: 'cas'; key: string; expectedModRevision: number; value: string };

/** What a successful call returned; `revision` is always the response header's revision. */
export type KvOutput =
  | { kind: 'put'; revision: number }
  /** `value` is undefined and `modRevision` 0 when the key was absent. */
  | { kind: 'get'; value: string | undefined; modRevision: number; revision: number }
  | { kind: 'delete'; deleted: number; revision: number }
  | { kind: 'cas'; succeeded: boolean; revision: number };

/** How a call ended: succeeded, failed without taking effect, or unknown (may or may not have taken effect). */
export type Outcome = 'ok' | 'fail' | 'unknown';

/** One recorded client call. */
export interface KvOperation {
  /** Unique within one history. */
  id: number;
  /** The client (worker) that issued it; informational, since the checker only needs the times. */
  client: number;
  input: KvInput;
  /** Present exactly when `outcome` is 'ok'. */
  output?: KvOutput;
  outcome: Outcome;
  /** When the call was invoked, in milliseconds on a monotonic clock. */
  callMs: number;
  /** When the answer (or the error) arrived; for 'unknown' the effect may still happen later. */
  returnMs: number;
  /** The error text of a call that did not succeed. */
  error?: string;
  /** The member endpoint the call went to. */
  endpoint?: string;
}

/** True for calls that change state when they take effect (put, delete, cas). */
export function isWrite(input: KvInput): boolean {
  return input.kind !== 'get';
}

/** A short human-readable description of an operation, for failure reports. */
export function describeOperation(operation: KvOperation): string {
  const { input } = operation;
  const call = input.kind === 'put' ? `put(${input.key}, ${input.value})`
    : input.kind === 'get' ? `get(${input.key})`
      : input.kind === 'delete' ? `delete(${input.key})`
        : `cas(${input.key}, mod==${input.expectedModRevision} -> ${input.value})`;
  const time = `[${operation.callMs.toFixed(1)}, ${operation.outcome === 'unknown' ? '∞' : operation.returnMs.toFixed(1)}]`;
  return `#${operation.id} c${operation.client} ${call} ${time} -> ${describeResult(operation)}`;
}

function describeResult(operation: KvOperation): string {
  if (operation.outcome !== 'ok') return `${operation.outcome}${operation.error ? ` (${operation.error})` : ''}`;
  const output = operation.output!;
  switch (output.kind) {
    case 'put': return `ok rev ${output.revision}`;
    case 'get': return `${output.value === undefined ? 'absent' : `"${output.value}" mod ${output.modRevision}`} rev ${output.revision}`;
    case 'delete': return `deleted ${output.deleted} rev ${output.revision}`;
    case 'cas': return `${output.succeeded ? 'succeeded' : 'failed'} rev ${output.revision}`;
  }
}
