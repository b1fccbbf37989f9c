// The delay before the next attempt to reach a peer: exponential in the number of failures so a dead peer costs
// little, capped so a restarted peer is found again quickly, and jittered so that members that lost a peer at
// the same moment do not all dial it in lockstep.
import { assert, AssertionError } from '../common/assert.ts';

/** How reconnect delays grow. */
export interface BackoffPolicy {
  /** The delay after the first failure, in milliseconds. */
  baseMs: number;
  /** The largest delay, in milliseconds. */
  maxMs: number;
}

/**
 * The delay after `failures` consecutive failures (1 for the first): base * 2^(failures-1), capped at max, then
 * scaled into [half, all] of that by `random()` in [0, 1) ("equal jitter": never much shorter than intended).
 */
export function backoffDelayMs(policy: BackoffPolicy, failures: number, random: () => number): number {
  if (!(failures >= 1)) throw new AssertionError(`backoff after ${failures} failures`);
  assert(policy.baseMs > 0 && policy.maxMs >= policy.baseMs, 'backoff base must be positive and at most max');
  // Cap the exponent first: 2^failures overflows to Infinity after ~1000 failures.
  const exponent = Math.min(failures - 1, 30);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  const jitter = Math.min(Math.max(random(), 0), 1);
  return Math.round(ceiling / 2 + (ceiling / 2) * jitter);
}
