// The load generator against a real single-member etcd: a seeded mix of every kind of call, each recorded, and
// a history the checker accepts (one healthy member is linearizable).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HistoryRecorder } from './history-recorder.ts';
import { runKvLoad } from './kv-load.ts';
import { checkLinearizability } from './linearizability/check-history.ts';
import { etcdBinaryPath, startEtcd } from './processes.ts';
import { skipUnlessInstalled } from './tools.ts';

test('a short load on a healthy member records every kind of call and checks as linearizable', { skip: skipUnlessInstalled(etcdBinaryPath) }, async () => {
  const cluster = await startEtcd();
  try {
    const recorder = new HistoryRecorder();
    await runKvLoad({ endpoints: cluster.endpoints, keys: ['a', 'b'], seed: 11, durationMs: 1_500, recorder, workersPerEndpoint: 4 });
    const operations = recorder.operations();
    assert.ok(operations.length > 50, `only ${operations.length} calls in 1.5 s`);
    assert.ok(operations.every((operation) => operation.outcome === 'ok'), 'a healthy member answers every call');
    assert.ok(operations.every((operation) => operation.callMs <= operation.returnMs));
    const kinds = new Set(operations.map((operation) => operation.input.kind));
    assert.deepEqual([...kinds].sort(), ['cas', 'delete', 'get', 'put']);
    const casResults = new Set(operations.flatMap((operation) => (operation.output?.kind === 'cas' ? [operation.output.succeeded] : [])));
    assert.deepEqual([...casResults].sort(), [false, true], 'compare-and-swaps both succeed and fail');
    const values = operations.flatMap((operation) => ('value' in operation.input ? [operation.input.value] : []));
    assert.equal(new Set(values).size, values.length, 'written values are unique');
    const report = checkLinearizability(operations);
    assert.equal(report.outcome, 'ok', report.summary);
  } finally {
    await cluster.stop();
  }
});
