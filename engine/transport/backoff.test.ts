import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelayMs } from './backoff.ts';

const policy = { baseMs: 50, maxMs: 2000 };

test('the delay doubles per failure and stops at the cap', () => {
  const top = () => 0.999999;
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 100, 5000].map((failures) => backoffDelayMs(policy, failures, top)),
    [50, 100, 200, 400, 800, 1600, 2000, 2000, 2000],
  );
});

test('jitter keeps the delay between half and all of the ceiling', () => {
  assert.equal(backoffDelayMs(policy, 3, () => 0), 100);
  assert.equal(backoffDelayMs(policy, 3, () => 0.5), 150);
  for (let sample = 0; sample < 1000; sample++) {
    const delay = backoffDelayMs(policy, 4, Math.random);
    assert.ok(delay >= 200 && delay <= 400, `delay ${delay}`);
  }
});
