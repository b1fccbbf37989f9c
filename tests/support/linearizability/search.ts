// The linearizability search of Wing & Gong as improved by Lowe ("Testing for linearizability", 2017) and used
// by Porcupine: walk the history's call and return entries in time order; at a call, try to linearize that
// operation now (apply it to the model and lift its call and return out of the list); at a return whose call is
// still in the list, the operation can no longer be linearized later, so backtrack. Every (linearized set,
// model states) pair already explored is memoized, which is what makes the search practical. Model states are
// carried as a set (the powerset construction), so operations whose effect is uncertain can branch.
//
// Operations with an unknown outcome return at infinity: they stay pending to the end and are linearized
// wherever it helps, or last, which is the same as never happening.
import { Bitset } from './bitset.ts';
import type { Model } from './model.ts';

/** One operation as the search sees it: the model's operation plus its call and return times. */
export interface TimedOperation<Operation> {
  operation: Operation;
  callMs: number;
  /** Infinity for an operation whose outcome is unknown. */
  returnMs: number;
}

/** Limits of one search. */
export interface SearchLimits {
  /** Give up (result 'unknown') after this many milliseconds. */
  timeoutMs: number;
  /** Give up (result 'unknown') once this many (set, states) pairs are memoized; default: about 200 MB worth. */
  memoEntriesMax?: number;
}

/** What one search found. */
export interface SearchResult<State, Operation> {
  /** 'ok': linearizable; 'illegal': no linearization exists; 'unknown': the search hit a limit. */
  outcome: 'ok' | 'illegal' | 'unknown';
  /** Why the search gave up, for 'unknown'. */
  limitReason?: string;
  /** The longest prefix of a linearization found (all operations for 'ok'), in linearization order. */
  longest: Operation[];
  /** The possible model states after `longest`. */
  statesAfterLongest: State[];
  /** Operations that could come next after `longest` (called before the first pending return); for reports. */
  candidatesAfterLongest: Operation[];
  /** Search steps taken (one per entry visited). */
  steps: number;
}

/** The characters of memo keys kept by default (two bytes each): about 200 MB, affordable on a CI box. */
export const memoCharactersMaxDefault = 100_000_000;

interface Entry {
  /** Index of the operation in the input. */
  index: number;
  isCall: boolean;
  time: number;
  /** The call's return entry (for a call) or the return's call (for a return). */
  match: Entry | undefined;
  previous: Entry | undefined;
  next: Entry | undefined;
}

/** Builds the doubly linked list of call and return entries in time order; returns its head sentinel. */
function buildEntries<Operation>(operations: readonly TimedOperation<Operation>[]): Entry {
  const entries: Entry[] = [];
  operations.forEach((timed, index) => {
    if (!(timed.returnMs >= timed.callMs)) throw new Error(`operation ${index} returns (${timed.returnMs}) before its call (${timed.callMs})`);
    const call: Entry = { index, isCall: true, time: timed.callMs, match: undefined, previous: undefined, next: undefined };
    const answer: Entry = { index, isCall: false, time: timed.returnMs, match: call, previous: undefined, next: undefined };
    call.match = answer;
    entries.push(call, answer);
  });
  // At equal times calls go first: operations whose times touch count as concurrent, the lenient reading of a
  // clock that cannot order them.
  entries.sort((a, b) => a.time - b.time || (a.isCall === b.isCall ? a.index - b.index : a.isCall ? -1 : 1));
  const head: Entry = { index: -1, isCall: false, time: -Infinity, match: undefined, previous: undefined, next: undefined };
  let last = head;
  for (const entry of entries) {
    last.next = entry;
    entry.previous = last;
    last = entry;
  }
  return head;
}

/** Takes a call and its return out of the list. */
function lift(call: Entry): void {
  const answer = call.match!;
  call.previous!.next = call.next;
  if (call.next) call.next.previous = call.previous;
  answer.previous!.next = answer.next;
  if (answer.next) answer.next.previous = answer.previous;
}

/** Puts a lifted call and its return back, in the reverse order of `lift`. */
function unlift(call: Entry): void {
  const answer = call.match!;
  answer.previous!.next = answer;
  if (answer.next) answer.next.previous = answer;
  call.previous!.next = call;
  if (call.next) call.next.previous = call;
}

/** The states reachable from any of `states` by `operation` (deduplicated), keyed for memoization. */
function stepAll<State, Operation>(model: Model<State, Operation>, states: readonly State[], operation: Operation): { states: State[]; key: string } {
  const byKey = new Map<string, State>();
  for (const state of states) for (const next of model.step(state, operation)) byKey.set(model.key(next), next);
  const keys = [...byKey.keys()].sort();
  return { states: keys.map((key) => byKey.get(key)!), key: keys.join('\u0001') };
}

/** Checks whether `operations` have a linearization under `model`, within `limits`. */
export function searchLinearization<State, Operation>(
  model: Model<State, Operation>, operations: readonly TimedOperation<Operation>[], limits: SearchLimits,
): SearchResult<State, Operation> {
  const head = buildEntries(operations);
  const deadline = performance.now() + limits.timeoutMs;
  // A memo key holds one character per 16 operations, so the entry bound scales down for long histories.
  const memoMax = limits.memoEntriesMax ?? Math.max(10_000, Math.floor(memoCharactersMaxDefault / (operations.length / 16 + 16)));
  const linearized = new Bitset(operations.length);
  const memo = new Set<string>();
  const stack: Array<{ entry: Entry; states: State[] }> = [];
  let states: State[] = [...model.initial];
  let longest: Entry[] = [];
  let statesAfterLongest = states;
  let entry = head.next;
  let steps = 0;
  // The longest prefix is copied only when the search is about to leave a new maximum (a backtrack or the end),
  // not at every push, which would cost quadratic time on a long history that linearizes straight through.
  const rememberIfLongest = (): void => {
    if (stack.length <= longest.length) return;
    longest = stack.map((frame) => frame.entry);
    statesAfterLongest = states;
  };
  const result = (outcome: SearchResult<State, Operation>['outcome'], limitReason?: string): SearchResult<State, Operation> => {
    rememberIfLongest();
    return {
      outcome, limitReason, steps, statesAfterLongest,
      longest: longest.map((call) => operations[call.index].operation),
      candidatesAfterLongest: outcome === 'ok' ? [] : candidates(operations, longest),
    };
  };
  while (head.next !== undefined) {
    steps += 1;
    if ((steps & 0x3ff) === 0 && performance.now() > deadline) return result('unknown', `no answer within ${limits.timeoutMs} ms`);
    if (entry === undefined) throw new Error('linearizability search walked off the end of the history');
    if (entry.isCall) {
      const next = stepAll(model, states, operations[entry.index].operation);
      let advanced = false;
      if (next.states.length > 0) {
        linearized.set(entry.index);
        const memoKey = `${linearized.key()}\u0002${next.key}`;
        if (!memo.has(memoKey)) {
          if (memo.size >= memoMax) return result('unknown', `more than ${memoMax} search states`);
          memo.add(memoKey);
          stack.push({ entry, states });
          states = next.states;
          lift(entry);
          advanced = true;
          entry = head.next;
        } else {
          linearized.clear(entry.index);
        }
      }
      if (!advanced) entry = entry.next;
    } else {
      // A return whose call is still pending: that operation had to be linearized before now. Backtrack.
      rememberIfLongest();
      const frame = stack.pop();
      if (frame === undefined) return result('illegal');
      linearized.clear(frame.entry.index);
      states = frame.states;
      unlift(frame.entry);
      entry = frame.entry.next;
    }
  }
  return result('ok');
}

/** The operations that could have been linearized right after `prefix`: called before the first pending return. */
function candidates<Operation>(operations: readonly TimedOperation<Operation>[], prefix: readonly Entry[]): Operation[] {
  const done = new Set(prefix.map((call) => call.index));
  const pending = operations.map((timed, index) => ({ timed, index })).filter(({ index }) => !done.has(index));
  let firstReturn = Infinity;
  for (const { timed } of pending) firstReturn = Math.min(firstReturn, timed.returnMs);
  return pending.filter(({ timed }) => timed.callMs <= firstReturn).sort((a, b) => a.timed.callMs - b.timed.callMs)
    .map(({ timed }) => timed.operation);
}
