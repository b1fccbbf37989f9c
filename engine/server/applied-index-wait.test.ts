import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppliedIndexWait } from './applied-index-wait.ts';

test('waitWithin resolves true once the index is applied, and false at its deadline without keeping the waiter', async () => {
  const applied = new AppliedIndexWait(5);
  assert.equal(await applied.waitWithin(5, 10), true);
  const reached = applied.waitWithin(7, 5_000);
  applied.advance(7);
  assert.equal(await reached, true);
  const started = Date.now();
  assert.equal(await applied.waitWithin(1_000_000, 30), false);
  assert.ok(Date.now() - started >= 25);
  // The expired waiter is gone: advancing past it releases nothing and a later wait still works.
  applied.advance(1_000_000);
  assert.equal(await applied.waitWithin(1_000_000, 10), true);
  assert.equal((applied as unknown as { waiters: unknown[] }).waiters.length, 0);
});
