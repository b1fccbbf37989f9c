// The sequential specification of one etcd key as clients see it, for the linearizability search.
//
// How far revisions are modelled, and why: the global revision couples every key, and a model that carries it
// cannot be split per key (P-compositionality), which is what keeps the search fast. So the per-key state carries
// the key's value, its mod revision and `floor`, a lower bound of the global revision at this point of the
// linearization (the highest revision any operation on this key linearized so far has observed or produced).
// That checks, within a key, everything a header revision can contradict: a write's revision is above every
// revision observed before it, a read's header revision never goes below one observed before it, and a read
// returns exactly the mod revision of the write it sees. The cross-key part of the global counter (write
// revisions unique, revisions never going back in real time across keys) is checked in linear time by
// `revision-order.ts` instead of inside the search. Version and create revision are not modelled.
//
// Calls with an unknown outcome (output undefined) may take effect at any point after their call, or never: the
// search gives them a return time of infinity, so "never" is "linearized after everything else". A write whose
// revision is unknown leaves the mod revision unknown but bounded from below; the first read that sees its value
// pins it. A CAS compared against such an unknown mod revision may have succeeded or not, so it branches.
import type { Model } from './model.ts';
import { describeOperation, type KvOperation } from './history.ts';

/** What one key holds at one point of a linearization. */
export interface KeyState {
  /** The value, or undefined while the key is absent. */
  readonly value: string | undefined;
  /** The mod revision when `modRevisionKnown`, else a lower bound of it; 0 while the key is absent. */
  readonly modRevision: number;
  /** False after a write whose revision we never learned (an unknown-outcome put or CAS). */
  readonly modRevisionKnown: boolean;
  /** A lower bound of the global revision at this point: the next write's revision must be above it. */
  readonly floor: number;
}

/** What a key held before the history started. */
export interface InitialKey {
  value: string | undefined;
  modRevision: number;
  /** The global revision when the history started (defaults to `modRevision`). */
  revision?: number;
}

/** The state of an absent key at a given floor. */
function absent(floor: number): KeyState {
  return { value: undefined, modRevision: 0, modRevisionKnown: true, floor };
}

/** The result of one step: the possible next states, or why there are none. */
type Transition = { states: KeyState[] } | { reason: string };

function put(state: KeyState, value: string, revision: number | undefined): Transition {
  if (revision === undefined) {
    // Unknown outcome: it happened at some revision above the floor; which one, a later read may tell.
    return { states: [{ value, modRevision: state.floor + 1, modRevisionKnown: false, floor: state.floor + 1 }] };
  }
  if (revision <= state.floor) return { reason: `write revision ${revision} is not above ${state.floor}, a revision already observed` };
  return { states: [{ value, modRevision: revision, modRevisionKnown: true, floor: revision }] };
}

function get(state: KeyState, output: { value: string | undefined; modRevision: number; revision: number }): Transition {
  if (output.revision < state.floor) return { reason: `header revision ${output.revision} is below ${state.floor}, already observed` };
  if (state.value === undefined) {
    return output.value === undefined ? { states: [{ ...state, floor: output.revision }] }
      : { reason: `read "${output.value}" but the key is absent` };
  }
  if (output.value !== state.value) {
    return { reason: output.value === undefined ? `read absent but the key holds "${state.value}"` : `read "${output.value}" but the key holds "${state.value}"` };
  }
  if (state.modRevisionKnown) {
    return output.modRevision === state.modRevision ? { states: [{ ...state, floor: output.revision }] }
      : { reason: `read mod revision ${output.modRevision} but "${state.value}" was written at ${state.modRevision}` };
  }
  if (output.modRevision < state.modRevision || output.modRevision > output.revision) {
    return { reason: `read mod revision ${output.modRevision}, outside [${state.modRevision}, ${output.revision}]` };
  }
  return { states: [{ value: state.value, modRevision: output.modRevision, modRevisionKnown: true, floor: output.revision }] };
}

function remove(state: KeyState, output: { deleted: number; revision: number } | undefined): Transition {
  if (output === undefined) return { states: [state.value === undefined ? state : absent(state.floor + 1)] };
  if (state.value === undefined) {
    if (output.deleted !== 0) return { reason: `deleted ${output.deleted} but the key is absent` };
    if (output.revision < state.floor) return { reason: `header revision ${output.revision} is below ${state.floor}, already observed` };
    return { states: [{ ...state, floor: output.revision }] };
  }
  if (output.deleted !== 1) return { reason: `deleted ${output.deleted} but the key holds "${state.value}"` };
  if (output.revision <= state.floor) return { reason: `delete revision ${output.revision} is not above ${state.floor}, already observed` };
  return { states: [absent(output.revision)] };
}

/** Whether `mod_revision == expected` holds: true, false, or undefined when the mod revision is unknown. */
function compare(state: KeyState, expected: number): boolean | undefined {
  if (state.modRevisionKnown) return state.modRevision === expected;
  // An unknown mod revision is at least its lower bound, so anything below cannot match.
  return expected < state.modRevision ? false : undefined;
}

function cas(state: KeyState, expected: number, value: string, output: { succeeded: boolean; revision: number } | undefined): Transition {
  const holds = compare(state, expected);
  if (output === undefined) {
    const written = put(state, value, undefined) as { states: KeyState[] };
    if (holds === true) return written;
    if (holds === false) return { states: [state] };
    return { states: [state, ...written.states] };
  }
  if (output.succeeded) {
    if (holds === false) return { reason: `succeeded but mod revision ${state.modRevision} != ${expected}` };
    if (output.revision <= Math.max(state.floor, expected)) {
      return { reason: `write revision ${output.revision} is not above ${Math.max(state.floor, expected)}, already observed` };
    }
    return { states: [{ value, modRevision: output.revision, modRevisionKnown: true, floor: output.revision }] };
  }
  if (holds === true) return { reason: `failed but mod revision is ${expected}` };
  if (output.revision < state.floor) return { reason: `header revision ${output.revision} is below ${state.floor}, already observed` };
  // A failed compare against an unknown mod revision only says it was not `expected`; the state cannot keep that.
  return { states: [{ ...state, floor: output.revision }] };
}

function transition(state: KeyState, operation: KvOperation): Transition {
  const { input, output } = operation;
  if (operation.outcome === 'fail') throw new Error(`failed operations must be left out of the search: #${operation.id}`);
  if (output !== undefined && output.kind !== input.kind) throw new Error(`#${operation.id}: ${output.kind} output for a ${input.kind}`);
  switch (input.kind) {
    case 'put': return put(state, input.value, output?.kind === 'put' ? output.revision : undefined);
    case 'get':
      if (output?.kind !== 'get') throw new Error(`a get without an output cannot be checked: #${operation.id}`);
      return get(state, output);
    case 'delete': return remove(state, output?.kind === 'delete' ? output : undefined);
    case 'cas': return cas(state, input.expectedModRevision, input.value, output?.kind === 'cas' ? output : undefined);
  }
}

/** The model of one key, starting absent (or from `initial`). */
export function kvModel(initial?: InitialKey): Model<KeyState, KvOperation> {
  const start: KeyState = initial === undefined || initial.value === undefined
    ? absent(initial?.revision ?? 0)
    : { value: initial.value, modRevision: initial.modRevision, modRevisionKnown: true, floor: initial.revision ?? initial.modRevision };
  return {
    initial: [start],
    step: (state, operation) => {
      const result = transition(state, operation);
      return 'states' in result ? result.states : [];
    },
    key: (state) => `${state.value === undefined ? '' : `=${state.value}`}|${state.modRevision}|${state.modRevisionKnown ? 1 : 0}|${state.floor}`,
    explain: (state, operation) => {
      const result = transition(state, operation);
      return 'reason' in result ? result.reason : 'possible here';
    },
    describeState: describeKeyState,
    describeOperation,
  };
}

/** A short description of a key state, for failure reports. */
export function describeKeyState(state: KeyState): string {
  const value = state.value === undefined ? 'absent' : `"${state.value}" mod ${state.modRevisionKnown ? '' : '>='}${state.modRevision}`;
  return `${value}, revision >= ${state.floor}`;
}
