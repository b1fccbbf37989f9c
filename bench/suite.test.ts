// The suite's choice of workloads and of the run it reports for the single-client latency rounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { medianRun, suiteWorkloads } from './suite.ts';
import { parseOptions } from './options.ts';
import type { RunSummary } from './latency.ts';

function run(p50Ms: number): RunSummary {
  return { count: 1000, errors: 0, totalMs: 1000, perSecond: 1000, p50Ms, p90Ms: p50Ms * 2, p99Ms: p50Ms * 4, maxMs: p50Ms * 8 };
}

test('the reported latency run is the one with the median p50, not a mix of runs', () => {
  const runs = [run(1.5), run(1.2), run(1.3)];
  assert.equal(medianRun(runs), runs[2]);
  assert.equal(medianRun([run(2), run(1)]).p50Ms, 1);
  assert.equal(medianRun([runs[0]!]), runs[0]);
  assert.throws(() => medianRun([]), /no runs/);
});

test('only the single-client latency workload runs in several rounds', () => {
  const workloads = suiteWorkloads(parseOptions([]));
  assert.equal(workloads[0]!.spec.clients, 1);
  assert.ok(workloads[0]!.rounds > 1);
  assert.match(workloads[0]!.name, new RegExp(`median of ${workloads[0]!.rounds} rounds`));
  assert.ok(workloads[0]!.warmUpRounds >= 1, 'fresh servers warm up before the measured rounds');
  for (const workload of workloads.slice(1)) {
    assert.equal(workload.rounds, 1, workload.name);
    assert.equal(workload.warmUpRounds, 0, workload.name);
  }
});
