// Checks a recorded KV history for linearizability: the history is split per key (P-compositionality: a history
// of independent objects is linearizable exactly when each object's sub-history is), each key is searched with
// the Wing-Gong/Lowe search under the KV model, and the cross-key revision order is checked on the side. Calls
// that failed definitely are left out (they did not happen); reads with an unknown outcome are left out too
// (they changed nothing and returned nothing); writes with an unknown outcome stay pending until infinity.
// The search is bounded in time: a history it cannot decide in time is 'unknown', which callers must report as
// a failure, never as a pass.
import { describeOperation, type KvOperation } from './history.ts';
import { kvModel, type InitialKey, type KeyState } from './kv-model.ts';
import { checkRevisionOrder } from './revision-order.ts';
import { searchLinearization, type SearchResult } from './search.ts';

/** Options of checkLinearizability. */
export interface LinearizabilityOptions {
  /** The time budget of the whole check, in milliseconds (default 20 s). */
  timeoutMs?: number;
  /** What keys held before the history started; keys not listed start absent. */
  initial?: ReadonlyMap<string, InitialKey>;
  /** Bound on memoized search states per key (see SearchLimits). */
  memoEntriesMax?: number;
}

/** The verdict for one key. */
export interface KeyReport {
  key: string;
  outcome: 'ok' | 'illegal' | 'unknown';
  /** Operations searched (after leaving out failed calls and unknown reads). */
  operationCount: number;
  /** Of which with an unknown outcome. */
  unknownCount: number;
  steps: number;
  durationMs: number;
  /** An explanation for 'illegal' and 'unknown'. */
  detail?: string;
}

/** The verdict for a whole history. */
export interface LinearizabilityReport {
  /** 'illegal' if any key or the revision order is violated, else 'unknown' if any key was undecided, else 'ok'. */
  outcome: 'ok' | 'illegal' | 'unknown';
  keys: KeyReport[];
  revisionViolations: string[];
  /** Everything wrong, readable; empty for 'ok'. */
  summary: string;
}

/** Default time budget of a whole check. */
export const checkTimeoutMsDefault = 20_000;
/** Every key gets at least this much time, so one slow key cannot hide a violation in the next. */
const keyTimeoutMsMin = 1_000;
/** Operations of the longest linearizable prefix shown in a report. */
const prefixShown = 8;
/** Candidate operations shown in a report. */
const candidatesShown = 10;

/** The operations the search needs for each key, in input order. */
function searchableByKey(operations: readonly KvOperation[]): Map<string, KvOperation[]> {
  const byKey = new Map<string, KvOperation[]>();
  for (const operation of operations) {
    if (operation.outcome === 'fail') continue;
    if (operation.input.kind === 'get' && operation.outcome !== 'ok') continue;
    if (operation.outcome === 'ok' && operation.output === undefined) throw new Error(`#${operation.id} succeeded without an output`);
    const list = byKey.get(operation.input.key) ?? [];
    list.push(operation);
    byKey.set(operation.input.key, list);
  }
  return byKey;
}

/** Checks `operations` for linearizability under etcd's KV semantics. */
export function checkLinearizability(operations: readonly KvOperation[], options: LinearizabilityOptions = {}): LinearizabilityReport {
  const deadline = performance.now() + (options.timeoutMs ?? checkTimeoutMsDefault);
  const keys: KeyReport[] = [];
  const byKey = [...searchableByKey(operations)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [key, keyOperations] of byKey) {
    const started = performance.now();
    const model = kvModel(options.initial?.get(key));
    const timed = keyOperations.map((operation) => ({
      operation, callMs: operation.callMs, returnMs: operation.outcome === 'unknown' ? Infinity : operation.returnMs,
    }));
    const timeoutMs = Math.max(Math.min(keyTimeoutMsMin, options.timeoutMs ?? keyTimeoutMsMin), deadline - started);
    const result = searchLinearization(model, timed, { timeoutMs, memoEntriesMax: options.memoEntriesMax });
    keys.push({
      key, outcome: result.outcome, operationCount: keyOperations.length,
      unknownCount: keyOperations.filter((operation) => operation.outcome === 'unknown').length,
      steps: result.steps, durationMs: performance.now() - started,
      detail: result.outcome === 'ok' ? undefined : explain(key, model, result),
    });
  }
  const revisionViolations = checkRevisionOrder(operations);
  const outcome = revisionViolations.length > 0 || keys.some((key) => key.outcome === 'illegal') ? 'illegal'
    : keys.some((key) => key.outcome === 'unknown') ? 'unknown' : 'ok';
  return { outcome, keys, revisionViolations, summary: summarize(outcome, keys, revisionViolations) };
}

function explain(key: string, model: ReturnType<typeof kvModel>, result: SearchResult<KeyState, KvOperation>): string {
  const lines: string[] = [];
  if (result.outcome === 'unknown') {
    lines.push(`key ${key}: undecided (${result.limitReason}); the longest linearizable prefix found has ${result.longest.length} operations`);
  } else {
    lines.push(`key ${key}: not linearizable; the longest linearizable prefix has ${result.longest.length} operations, ending with:`);
  }
  for (const operation of result.longest.slice(-prefixShown)) lines.push(`    ${describeOperation(operation)}`);
  const states = result.statesAfterLongest;
  lines.push(`  after it the key is: ${states.map((state) => model.describeState(state)).join(' or ')}`);
  // Known outcomes first: they are the ones that pin the order down.
  const candidates = [...result.candidatesAfterLongest].sort((a, b) => Number(a.outcome === 'unknown') - Number(b.outcome === 'unknown'));
  lines.push(`  and no operation that could come next leads to a linearization (${candidates.length} candidates):`);
  for (const operation of candidates.slice(0, candidatesShown)) {
    const why = states.map((state) => model.explain(state, operation)).join(' / ');
    lines.push(`    ${describeOperation(operation)}: ${why}`);
  }
  return lines.join('\n');
}

function summarize(outcome: LinearizabilityReport['outcome'], keys: readonly KeyReport[], revisionViolations: readonly string[]): string {
  if (outcome === 'ok') return '';
  const lines = [outcome === 'illegal' ? 'the history is NOT linearizable' : 'the linearizability check could not decide the history in time'];
  for (const key of keys) if (key.detail !== undefined) lines.push(key.detail);
  for (const violation of revisionViolations) lines.push(violation);
  return lines.join('\n');
}

/** Throws with the report's summary unless the history was proven linearizable ('unknown' fails too). */
export function assertLinearizable(report: LinearizabilityReport): void {
  if (report.outcome === 'ok') return;
  throw new Error(report.outcome === 'unknown'
    ? `linearizability: UNKNOWN, which fails the test (a bounded search must never pass silently)\n${report.summary}`
    : `linearizability: VIOLATED\n${report.summary}`);
}
