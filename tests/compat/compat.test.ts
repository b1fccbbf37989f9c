// Cairn side by side with a real etcd 3.4: fixed cases, then random operation sequences from seeds. Every
// answer, error and watch event must be identical apart from cluster/member ids and raft terms.
//   COMPAT_TARGET=cairn|etcd  the server compared with etcd (default cairn; etcd checks the harness itself)
//   COMPAT_SEEDS=N            run seeds 1..N (default 5); or a list "3,17,42"; or a range "100-120"
//   COMPAT_SEED=N             run only seed N, without the fixed cases (to replay a failure)
//   COMPAT_OPS=N              operations per seed (default 150)
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { compatTargetFromEnv, startPair, subjectUnavailableReason, type ServerPair } from './targets.ts';
import { runLockstep } from './lockstep.ts';
import { fixedCases, fixedSource } from './fixed-cases.ts';
import { RandomOperations } from './random-ops.ts';
import { mismatchReport, type RunLabel } from './report.ts';
import type { OperationSource } from './run-state.ts';
import { etcdBinaryPath } from '../support/processes.ts';
import { skipUnlessInstalled } from '../support/tools.ts';

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

/** Set when the servers could not start: one failure says it, the remaining cases are skipped. */
let startFailed = false;

/** Runs one source on a fresh pair of servers and fails with a full report on the first difference. */
async function compare(context: TestContext, label: RunLabel, source: OperationSource): Promise<void> {
  if (startFailed) {
    context.skip('the servers failed to start in an earlier case (see its failure)');
    return;
  }
  let pair: ServerPair;
  try {
    pair = await startPair(target);
  } catch (error) {
    startFailed = true;
    throw error;
  }
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

// Without etcd there is no reference: skip on a developer machine, fail on CI (see requireTool).
const etcdMissing = skipUnlessInstalled(etcdBinaryPath);
const testOptions = { skip: etcdMissing || (unavailable !== undefined && 'server under test missing'), timeout: 120_000 };

if (singleSeed === undefined) {
  for (const fixed of fixedCases) {
    test(`fixed case: ${fixed.name}`, testOptions, (context) =>
      compare(context, { target, name: `fixed case "${fixed.name}"` }, fixedSource(fixed)));
  }
}

for (const seed of seedsFromEnv()) {
  test(`random seed ${seed} (${operationsPerSeed} operations)`, testOptions, (context) =>
    compare(context, { target, name: `random seed ${seed}`, seed, operationsPerSeed }, new RandomOperations(seed, operationsPerSeed)));
}
