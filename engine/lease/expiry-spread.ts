// When a member becomes leader, every lease gets a fresh expiry at once. If many of them would then expire
// within the same second, the revocation budget would be spent on that pile for a long time while newer
// expiries wait. etcd spreads such piles out on promotion; this is the same rule, in milliseconds: at most
// three quarters of the revocation rate may expire in any one-second window, and leases beyond that are pushed
// back in proportion to how far over the window they are.
import type { Lease } from './lease.ts';

/** Pushes back expiries of `leases` (already refreshed at `nowMs` with `extendMs`) that pile up in one window. */
export function spreadExpiries(leases: readonly Lease[], nowMs: number, extendMs: number, revokesPerSecond: number): Lease[] {
  const moved: Lease[] = [];
  const sorted = [...leases].sort((a, b) => a.expiryMs - b.expiryMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (sorted.length === 0) return moved;
  const targetPerSecond = Math.max(1, Math.floor((3 * revokesPerSecond) / 4));
  let baseWindowMs = sorted[0]!.remainingMs(nowMs);
  let nextWindowMs = baseWindowMs + 1000;
  let expires = 0;
  for (const lease of sorted) {
    const remainingMs = lease.remainingMs(nowMs);
    if (remainingMs > nextWindowMs) {
      baseWindowMs = remainingMs;
      nextWindowMs = baseWindowMs + 1000;
      expires = 1;
      continue;
    }
    expires++;
    if (expires <= targetPerSecond) continue;
    // A lease already n ms into the window needs n ms less delay to land behind the ones before it.
    const delayMs = Math.max(0, (1000 * expires) / targetPerSecond - (remainingMs - baseWindowMs));
    nextWindowMs = baseWindowMs + delayMs;
    lease.setExpiry(nowMs + delayMs + extendMs + lease.effectiveTtlSeconds * 1000);
    moved.push(lease);
  }
  return moved;
}
