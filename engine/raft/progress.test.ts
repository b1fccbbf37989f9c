// Flow control: the inflights window and the probe/replicate/snapshot states of Progress.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Inflights } from './inflights.ts';
import { Progress, ProgressState } from './progress.ts';

test('inflights fill up by count and by bytes, and free acknowledged messages in order', () => {
  const window = new Inflights(3, 0);
  window.add(5, 10);
  window.add(7, 10);
  window.add(9, 10);
  assert.equal(window.full(), true);
  assert.throws(() => window.add(11, 10));
  window.freeLE(7);
  assert.equal(window.count(), 1);
  assert.equal(window.bytes(), 10);
  // The ring wraps around.
  window.add(11, 10);
  window.add(13, 10);
  assert.equal(window.full(), true);
  window.freeLE(6); // stale: nothing at or below 6 remains
  assert.equal(window.count(), 3);
  window.freeFirstOne();
  assert.equal(window.count(), 2);
  window.freeLE(100);
  assert.equal(window.count(), 0);
  const byBytes = new Inflights(100, 25);
  byBytes.add(1, 10);
  byBytes.add(2, 10);
  assert.equal(byBytes.full(), false);
  byBytes.add(3, 10);
  assert.equal(byBytes.full(), true, '30 bytes >= 25');
  byBytes.freeLE(1);
  assert.equal(byBytes.full(), false);
});

function progress(match: number, next: number): Progress {
  return new Progress(match, next, new Inflights(2, 0), false, true);
}

test('probing: one message at a time; a matching acknowledgement starts replication', () => {
  const pr = progress(0, 5);
  assert.equal(pr.isPaused(), false);
  pr.sentEntries(7, 30);
  assert.equal(pr.isPaused(), true, 'a probe is outstanding');
  assert.equal(pr.next, 5, 'probing does not advance next optimistically');
  assert.equal(pr.maybeUpdate(4), true);
  assert.equal(pr.isPaused(), false);
  pr.becomeReplicate();
  assert.equal(pr.next, 5);
  pr.sentEntries(6, 10);
  pr.sentEntries(8, 10);
  assert.equal(pr.next, 9, 'replication advances next optimistically');
  assert.equal(pr.isPaused(), true, 'window of two is full');
});

test('a rejection moves next back: to match + 1 when replicating, to the hint when probing', () => {
  const replicating = progress(5, 10);
  replicating.becomeReplicate();
  replicating.next = 10;
  assert.equal(replicating.maybeDecreaseTo(4, 3), false, 'stale: below match');
  assert.equal(replicating.maybeDecreaseTo(9, 3), true);
  assert.equal(replicating.next, 6);
  const probing = progress(2, 10);
  assert.equal(probing.maybeDecreaseTo(7, 3), false, 'only the latest probe (next - 1) counts');
  assert.equal(probing.maybeDecreaseTo(9, 3), true);
  assert.equal(probing.next, 4);
  assert.equal(probing.maybeDecreaseTo(3, 0), true);
  assert.equal(probing.next, 3, 'never at or below match');
});

test('after a snapshot, probing resumes after the snapshot index (or after a failed one, from match)', () => {
  const pr = progress(2, 3);
  pr.becomeSnapshot(20);
  assert.equal(pr.state, ProgressState.Snapshot);
  assert.equal(pr.isPaused(), true);
  pr.becomeProbe();
  assert.equal(pr.next, 21);
  const failed = progress(2, 3);
  failed.becomeSnapshot(20);
  failed.pendingSnapshot = 0;
  failed.becomeProbe();
  assert.equal(failed.next, 3);
});
