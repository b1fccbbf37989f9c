// Records client calls as a history for the linearizability checker: each call gets its invocation time before
// it is sent and its return time when the answer (or error) arrives, both from one monotonic clock
// (performance.now), and its outcome: ok with the output, or the error classified as fail / unknown.
import type { KvInput, KvOperation, KvOutput } from './linearizability/history.ts';
import { outcomeOfError } from './operation-outcome.ts';

/** A call that has been invoked and not yet answered. */
export interface PendingCall {
  readonly id: number;
  readonly client: number;
  readonly input: KvInput;
  readonly callMs: number;
  readonly endpoint?: string;
}

/** Counts of recorded calls by outcome. */
export interface OutcomeCounts {
  ok: number;
  fail: number;
  unknown: number;
}

/** An append-only history of client calls. */
export class HistoryRecorder {
  private readonly recorded: KvOperation[] = [];
  private readonly pending = new Map<number, PendingCall>();
  private nextId = 0;

  /** Marks the invocation of a call, right before it is sent. */
  begin(client: number, input: KvInput, endpoint?: string): PendingCall {
    const call: PendingCall = { id: this.nextId, client, input, callMs: performance.now(), endpoint };
    this.nextId += 1;
    this.pending.set(call.id, call);
    return call;
  }

  /** Records a call that succeeded with `output`. */
  succeeded(call: PendingCall, output: KvOutput): KvOperation {
    return this.finish(call, { outcome: 'ok', output });
  }

  /** Records a call that failed with `error`; the error decides between 'fail' and 'unknown'. */
  failed(call: PendingCall, error: unknown): KvOperation {
    const { outcome, reason } = outcomeOfError(error);
    return this.finish(call, { outcome, error: reason });
  }

  private finish(call: PendingCall, result: Pick<KvOperation, 'outcome' | 'output' | 'error'>): KvOperation {
    if (!this.pending.delete(call.id)) throw new Error(`call #${call.id} was already recorded`);
    const operation: KvOperation = {
      id: call.id, client: call.client, input: call.input, callMs: call.callMs, returnMs: performance.now(),
      endpoint: call.endpoint, ...result,
    };
    this.recorded.push(operation);
    return operation;
  }

  /**
   * Every call so far, in completion order. Calls still pending are included as 'unknown' (the client never heard
   * back, so they may have happened), which makes the history complete at any moment.
   */
  operations(): KvOperation[] {
    const now = performance.now();
    const pending = [...this.pending.values()].map((call): KvOperation => ({
      id: call.id, client: call.client, input: call.input, callMs: call.callMs, returnMs: now, endpoint: call.endpoint,
      outcome: 'unknown', error: 'still pending when the history was read',
    }));
    return [...this.recorded, ...pending];
  }

  /** How many calls ended how (pending ones not counted). */
  counts(): OutcomeCounts {
    const counts: OutcomeCounts = { ok: 0, fail: 0, unknown: 0 };
    for (const operation of this.recorded) counts[operation.outcome] += 1;
    return counts;
  }
}
