// Which failed calls may have taken effect: only errors that prove the request never reached Raft are 'fail'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { outcomeOfError } from './operation-outcome.ts';

function statusError(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(`${code} ${grpc.status[code]}: ${details}`), { code, details, metadata: new grpc.Metadata() });
}

test('timeouts, lost leaders and lost connections are unknown outcomes', () => {
  for (const error of [
    statusError(grpc.status.UNAVAILABLE, 'etcdserver: request timed out'),
    statusError(grpc.status.UNAVAILABLE, 'etcdserver: no leader'),
    statusError(grpc.status.UNAVAILABLE, 'etcdserver: leader changed'),
    statusError(grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded after 2.001s,remote_addr=127.0.0.1:2379'),
    statusError(grpc.status.UNAVAILABLE, 'read ECONNRESET'),
    statusError(grpc.status.CANCELLED, 'Cancelled on client'),
    statusError(grpc.status.RESOURCE_EXHAUSTED, 'etcdserver: mvcc: database space exceeded'),
    statusError(grpc.status.INTERNAL, 'Received RST_STREAM with code 2'),
    new Error('not a gRPC error'),
  ]) {
    assert.equal(outcomeOfError(error).outcome, 'unknown', String(error));
  }
});

test('calls refused before they were sent or proposed failed definitely', () => {
  for (const error of [
    statusError(grpc.status.UNAVAILABLE, 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:2379'),
    statusError(grpc.status.INVALID_ARGUMENT, 'etcdserver: key is not provided'),
    statusError(grpc.status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision has been compacted'),
    statusError(grpc.status.PERMISSION_DENIED, 'etcdserver: permission denied'),
  ]) {
    assert.equal(outcomeOfError(error).outcome, 'fail', String(error));
  }
});

test('the reason names the status and the details', () => {
  assert.equal(outcomeOfError(statusError(grpc.status.UNAVAILABLE, 'etcdserver: request timed out')).reason, 'UNAVAILABLE: etcdserver: request timed out');
});
