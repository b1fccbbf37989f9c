// A token bucket over an injected clock. The lessor spends one token per expired lease it reports, so a burst of
// expiries (say, after a leader change) turns into a steady trickle of revocations instead of flooding the log.
import { assert, AssertionError } from '../common/assert.ts';

/** Allows `perSecond` events per second on average, and at most `burst` at once. */
export class RateBudget {
  private tokens: number;
  private lastMs: number | undefined;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {
    assert(perSecond > 0 && burst >= 1, 'a rate budget needs a positive rate and a burst of at least one');
    this.tokens = burst;
  }

  /** Whole events allowed at `nowMs`. */
  available(nowMs: number): number {
    this.refill(nowMs);
    return Math.floor(this.tokens);
  }

  /** Uses up `count` events (at most what `available` returned). */
  spend(count: number): void {
    if (!(count >= 0 && count <= Math.floor(this.tokens))) throw new AssertionError(`cannot spend ${count} of ${this.tokens} tokens`);
    this.tokens -= count;
  }

  private refill(nowMs: number): void {
    // A clock that steps backwards earns nothing; the next forward step counts from here.
    if (this.lastMs !== undefined && nowMs > this.lastMs) {
      this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.lastMs) * this.perSecond) / 1000);
    }
    this.lastMs = nowMs;
  }
}
