// Cairn side by side with a real etcd 3.4: fixed cases, then random operation sequences from seeds. Every
// answer, error and watch event must be identical apart from cluster/member ids and raft terms.
//   COMPAT_TARGET=cairn|etcd  the server compared with etcd (default cairn; etcd checks the harness itself)
//   COMPAT_SEEDS=N            run seeds 1..N (default 5); or a list "3,17,42"; or a range "100-120"
//   COMPAT_SEED=N             run only seed N, without the fixed cases (to replay a failure)
//   COMPAT_OPS=N              operations per seed (default 150)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compatTargetFromEnv, startPair, subjectUnavailableReason } from './targets.ts';
import { runLockstep } from './lockstep.ts';
import { fixedCases, fixedSource } from './fixed-cases.ts';
import { RandomOperations } from './random-ops.ts';
import { mismatchReport, type RunLabel } from './report.ts';
import type { OperationSource } from './run-state.ts';

const target = compatTargetFromEnv();
const unavailable = subjectUnavailableReason(target);
const operationsPerSeed = Number(process.env.COMPAT_OPS ?? 150);
const singleSeed = process.env.COMPAT_SEED === undefined ? undefined : Number(process.env.COMPAT_SEED);

function seedsFromEnv(): number[] {
  if (singleSeed !== undefined) return [singleSeed];
  const text = (process.env.COMPAT_SEEDS ?? '5').trim();
  const interval = /^(\d+)-(\d+)$/.exec(text);
  if (interval) return Array.from({ length: Number(interval[2]) - Number(interval[1]) + 1 }, (_, index) => Number(interval[1]) + index);
  if (text.includes(',')) return text.split(',').filter(Boolean).map(Number);
  return Array.from({ length: Number(text) }, (_, index) => index + 1);
}

/** Runs one source on a fresh pair of servers and fails with a full report on the first difference. */
async function compare(label: RunLabel, source: OperationSource): Promise<void> {
  const pair = await startPair(target);
  try {
    const result = await runLockstep(pair.reference, pair.subject, source);
    if (result.mismatch) assert.fail(mismatchReport(label, result.mismatch, pair.logTail(30)));
    assert.ok(result.operations > 0, 'the run sent no operations');
  } finally {
    await pair.stop();
  }
}

test(`the server under test (${target}) is available`, () => {
  assert.equal(unavailable, undefined, unavailable);
});

const testOptions = { skip: unavailable !== undefined && 'server under test missing', timeout: 120_000 };

if (singleSeed === undefined) {
  for (const fixed of fixedCases) {
    test(`fixed case: ${fixed.name}`, testOptions, () =>
      compare({ target, name: `fixed case "${fixed.name}"` }, fixedSource(fixed)));
  }
}

for (const seed of seedsFromEnv()) {
  test(`random seed ${seed} (${operationsPerSeed} operations)`, testOptions, () =>
    compare({ target, name: `random seed ${seed}`, seed, operationsPerSeed }, new RandomOperations(seed, operationsPerSeed)));
}
