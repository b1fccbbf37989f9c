// Checks the compat harness itself, independent of Cairn: its pure parts, and that it really catches a server
// that answers differently (a harness that cannot fail proves nothing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prefixEnd } from './key-space.ts';
import { Rng } from './rng.ts';
import { firstDifference, normalize } from './normalize.ts';
import { RandomOperations } from './random-ops.ts';
import { startPair } from './targets.ts';
import { runLockstep } from './lockstep.ts';
import { fixedCases, fixedSource } from './fixed-cases.ts';
import { describe } from './normalize.ts';
import { etcdBinaryPath } from '../support/processes.ts';
import { skipUnlessInstalled } from '../support/tools.ts';

test('prefixEnd follows etcd: increment the last byte below 0xff, all-0xff means no end', () => {
  assert.deepEqual(prefixEnd(Buffer.from('a/')), Buffer.from('a0'));
  assert.deepEqual(prefixEnd(Buffer.from([0x61, 0xff])), Buffer.from([0x62]));
  assert.deepEqual(prefixEnd(Buffer.from([0xff, 0xff])), Buffer.from([0]));
});

test('the same seed gives the same operations, another seed different ones', () => {
  const first = (seed: number): string => {
    const source = new RandomOperations(seed, 50);
    return Array.from({ length: 50 }, () => describe(source.next())).join('\n');
  };
  assert.equal(first(7), first(7));
  assert.notEqual(first(7), first(8));
  assert.equal(new Rng(1).next(), new Rng(1).next());
});

test('normalize drops identity header fields at every depth and keeps revisions', () => {
  const header = { cluster_id: '1', member_id: '2', revision: '5', raft_term: '3' };
  const normalized = normalize({ header, responses: [{ response_range: { header, kvs: [{ key: Buffer.from('k') }] } }] });
  assert.deepEqual(normalized, { header: { revision: '5' }, responses: [{ response_range: { header: { revision: '5' }, kvs: [{ key: 'k' }] } }] });
  assert.equal(firstDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] }), '$.a[1].b');
  assert.equal(firstDifference({ a: 1 }, { a: 1 }), undefined);
});

test('a subject that answers differently is reported at the first differing operation',
  { timeout: 60_000, skip: skipUnlessInstalled(etcdBinaryPath) }, async () => {
  const pair = await startPair('etcd');
  try {
    // One extra write shifts every later revision on the subject.
    await pair.subject.client.kv.put({ key: 'extra', value: '1' });
    const result = await runLockstep(pair.reference, pair.subject, fixedSource(fixedCases[0]));
    assert.equal(result.mismatch?.index, 0);
    assert.equal(result.mismatch?.path, '$.response.header.revision');
  } finally {
    await pair.stop();
  }
});
