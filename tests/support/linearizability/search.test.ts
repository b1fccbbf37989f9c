// The generic search on a toy register (write v / read v): pending-until-infinity operations, branching models
// and the report of where a history stops being linearizable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bitset } from './bitset.ts';
import type { Model } from './model.ts';
import { searchLinearization, type TimedOperation } from './search.ts';

type RegisterOperation = { name: string; kind: 'write' | 'read'; value: number } | { name: string; kind: 'flip' };

/** A register holding a number; `flip` may or may not negate it (a nondeterministic step). */
const register: Model<number, RegisterOperation> = {
  initial: [0],
  step: (state, operation) => {
    if (operation.kind === 'write') return [operation.value];
    if (operation.kind === 'flip') return [state, -state];
    return operation.value === state ? [state] : [];
  },
  key: (state) => String(state),
  explain: (state, operation) => `register holds ${state}, not ${'value' in operation ? operation.value : '?'}`,
  describeState: (state) => String(state),
  describeOperation: (operation) => operation.name,
};

function timed(operation: RegisterOperation, callMs: number, returnMs: number): TimedOperation<RegisterOperation> {
  return { operation, callMs, returnMs };
}

test('an operation pending until infinity may take effect anywhere after its call, or never', () => {
  const write = timed({ name: 'w1', kind: 'write', value: 1 }, 0, Infinity);
  const seen = [write, timed({ name: 'r0', kind: 'read', value: 0 }, 1, 2), timed({ name: 'r1', kind: 'read', value: 1 }, 3, 4)];
  assert.equal(searchLinearization(register, seen, { timeoutMs: 1_000 }).outcome, 'ok');
  const never = [write, timed({ name: 'r0', kind: 'read', value: 0 }, 5, 6)];
  assert.equal(searchLinearization(register, never, { timeoutMs: 1_000 }).outcome, 'ok');
  const undone = [write, timed({ name: 'r1', kind: 'read', value: 1 }, 1, 2), timed({ name: 'r0', kind: 'read', value: 0 }, 3, 4)];
  assert.equal(searchLinearization(register, undone, { timeoutMs: 1_000 }).outcome, 'illegal');
});

test('a branching step keeps every possible state', () => {
  const history = [
    timed({ name: 'w5', kind: 'write', value: 5 }, 0, 1),
    timed({ name: 'flip', kind: 'flip' }, 2, 3),
    timed({ name: 'r-5', kind: 'read', value: -5 }, 4, 5),
  ];
  assert.equal(searchLinearization(register, history, { timeoutMs: 1_000 }).outcome, 'ok');
});

test('an illegal history reports its longest linearizable prefix and the operations that could come next', () => {
  const history = [
    timed({ name: 'w1', kind: 'write', value: 1 }, 0, 1),
    timed({ name: 'w2', kind: 'write', value: 2 }, 2, 3),
    timed({ name: 'r1', kind: 'read', value: 1 }, 4, 5),
  ];
  const result = searchLinearization(register, history, { timeoutMs: 1_000 });
  assert.equal(result.outcome, 'illegal');
  assert.deepEqual(result.longest.map((operation) => operation.name), ['w1', 'w2']);
  assert.deepEqual(result.statesAfterLongest, [2]);
  assert.deepEqual(result.candidatesAfterLongest.map((operation) => operation.name), ['r1']);
});

test('a return before its call is refused', () => {
  assert.throws(() => searchLinearization(register, [timed({ name: 'bad', kind: 'write', value: 1 }, 5, 4)], { timeoutMs: 1_000 }), /returns/);
});

test('the bitset keys equal sets equally', () => {
  const a = new Bitset(70);
  const b = new Bitset(70);
  for (const index of [0, 31, 32, 69]) a.set(index);
  for (const index of [69, 32, 31, 0, 5]) b.set(index);
  b.clear(5);
  assert.equal(a.key(), b.key());
  assert.ok(a.has(69) && !a.has(5));
  b.clear(69);
  assert.notEqual(a.key(), b.key());
});
