// The report's arithmetic and layout: ratios are cairn/etcd, missing targets are shown, JSON keys are stable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { json, metricKey, ratio, table, type Section } from './report.ts';
import { LatencyRecorder } from './latency.ts';

const section: Section = {
  name: 'put',
  outcomes: { etcd: { 'req/s': 4000, 'p50 ms': 2 }, cairn: { 'req/s': 2000, 'p50 ms': 3 } },
};

test('ratio is cairn divided by etcd, per metric', () => {
  assert.equal(ratio(section, 'req/s'), 0.5);
  assert.equal(ratio(section, 'p50 ms'), 1.5);
  assert.equal(ratio({ name: 'x', outcomes: { etcd: { a: 1 }, cairn: { missing: 'not built' } } }, 'a'), undefined);
});

test('the table has a ratio column with both targets and names a missing target', () => {
  const text = table([section, { name: 'memory', outcomes: { etcd: { 'MiB': 10 }, cairn: { missing: 'not built' } } }], ['etcd', 'cairn']);
  assert.match(text, /cairn\/etcd/);
  assert.match(text, /req\/s\s+4000\s+2000\s+0\.50/);
  assert.match(text, /cairn missing: not built/);
});

test('JSON uses snake-case metric keys and carries the ratios', () => {
  const parsed = JSON.parse(json({}, [section])) as { sections: Array<{ outcomes: { etcd: Record<string, number> }; ratios: Record<string, number> }> };
  assert.equal(parsed.sections[0].outcomes.etcd.req_per_s, 4000);
  assert.equal(parsed.sections[0].ratios.p50_ms, 1.5);
  assert.equal(metricKey('loaded MiB (max member)'), 'loaded_mib_max_member');
});

test('percentiles are exact nearest-rank values', () => {
  const recorder = new LatencyRecorder();
  for (let value = 1; value <= 100; value += 1) recorder.record(101 - value);
  const summary = recorder.summary(1000);
  assert.deepEqual([summary.p50Ms, summary.p90Ms, summary.p99Ms, summary.maxMs, summary.perSecond], [50, 90, 99, 100, 100]);
});
