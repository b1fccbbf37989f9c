// The recorder: invocation before return on one monotonic clock, outcomes from errors, pending calls as unknown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { HistoryRecorder } from './history-recorder.ts';

test('calls are recorded with their times, outputs and classified errors; pending ones count as unknown', async () => {
  const recorder = new HistoryRecorder();
  const put = recorder.begin(1, { kind: 'put', key: 'k', value: 'a' }, '127.0.0.1:1');
  const get = recorder.begin(2, { kind: 'get', key: 'k' });
  const lost = recorder.begin(3, { kind: 'delete', key: 'k' });
  await new Promise((resolve) => setTimeout(resolve, 5));
  recorder.succeeded(put, { kind: 'put', revision: 2 });
  const timedOut = Object.assign(new Error('timed out'), { code: grpc.status.UNAVAILABLE, details: 'etcdserver: request timed out', metadata: new grpc.Metadata() });
  recorder.failed(get, timedOut);
  const operations = recorder.operations();
  assert.equal(operations.length, 3);
  const [first, second, third] = operations;
  assert.deepEqual({ ...first, callMs: 0, returnMs: 0 }, {
    id: 0, client: 1, input: { kind: 'put', key: 'k', value: 'a' }, output: { kind: 'put', revision: 2 }, outcome: 'ok', callMs: 0, returnMs: 0, endpoint: '127.0.0.1:1',
  });
  assert.ok(first.returnMs - first.callMs >= 4, 'the return time is taken when the answer arrives');
  assert.equal(second.outcome, 'unknown');
  assert.equal(second.error, 'UNAVAILABLE: etcdserver: request timed out');
  assert.equal(third.id, lost.id);
  assert.equal(third.outcome, 'unknown', 'a call still pending may have happened');
  assert.deepEqual(recorder.counts(), { ok: 1, fail: 0, unknown: 1 });
  assert.throws(() => recorder.succeeded(put, { kind: 'put', revision: 3 }), /already recorded/);
});
