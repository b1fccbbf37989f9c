// Hand-written histories for the checker's unit tests: one short call per operation, with the call and return
// times given as a pair and 'unknown' for a call whose outcome was lost.
import type { KvOperation } from './history.ts';

/** Call and return times of one operation, in milliseconds. */
export type Span = readonly [number, number];

/** Collects operations with increasing ids. */
export class HistoryBuilder {
  /** The operations added so far. */
  readonly operations: KvOperation[] = [];

  private add(operation: Omit<KvOperation, 'id'>): this {
    this.operations.push({ id: this.operations.length, ...operation });
    return this;
  }

  /** A put that returned `revision`, or whose outcome is unknown. */
  put(key: string, value: string, span: Span, revision: number | 'unknown', client = 0): this {
    if (revision === 'unknown') return this.add({ client, input: { kind: 'put', key, value }, outcome: 'unknown', callMs: span[0], returnMs: span[1], error: 'timed out' });
    return this.add({ client, input: { kind: 'put', key, value }, output: { kind: 'put', revision }, outcome: 'ok', callMs: span[0], returnMs: span[1] });
  }

  /** A get that returned `value` (undefined: absent) at mod revision `modRevision` and header revision `revision`. */
  get(key: string, span: Span, value: string | undefined, modRevision: number, revision: number, client = 0): this {
    return this.add({ client, input: { kind: 'get', key }, output: { kind: 'get', value, modRevision, revision }, outcome: 'ok', callMs: span[0], returnMs: span[1] });
  }

  /** A delete that deleted `deleted` keys at header revision `revision`, or whose outcome is unknown. */
  delete(key: string, span: Span, result: { deleted: number; revision: number } | 'unknown', client = 0): this {
    if (result === 'unknown') return this.add({ client, input: { kind: 'delete', key }, outcome: 'unknown', callMs: span[0], returnMs: span[1] });
    return this.add({ client, input: { kind: 'delete', key }, output: { kind: 'delete', ...result }, outcome: 'ok', callMs: span[0], returnMs: span[1] });
  }

  /** A CAS (`if mod == expected then put value`) with its result, or whose outcome is unknown. */
  cas(key: string, expected: number, value: string, span: Span, result: { succeeded: boolean; revision: number } | 'unknown', client = 0): this {
    const input = { kind: 'cas' as const, key, expectedModRevision: expected, value };
    if (result === 'unknown') return this.add({ client, input, outcome: 'unknown', callMs: span[0], returnMs: span[1] });
    return this.add({ client, input, output: { kind: 'cas', ...result }, outcome: 'ok', callMs: span[0], returnMs: span[1] });
  }

  /** A call that failed without taking effect (it must not influence the verdict). */
  failedPut(key: string, value: string, span: Span, client = 0): this {
    return this.add({ client, input: { kind: 'put', key, value }, outcome: 'fail', callMs: span[0], returnMs: span[1], error: 'refused' });
  }
}
