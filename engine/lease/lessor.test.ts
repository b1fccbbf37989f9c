import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AssertionError } from '../common/assert.ts';
import { Errors, isEtcdError } from '../common/errors.ts';
import type { BackendEntry, BucketName, WriteTx } from '../storage/backend/backend.ts';
import { Lessor, type LessorOptions } from './lessor.ts';
import { decodeLeaseRecord, leaseKey } from './lease-record.ts';

/** An in-memory 'lease' bucket with the backend's read/write surface. */
class MemoryTx implements WriteTx {
  readonly buckets = new Map<BucketName, Map<string, BackendEntry>>();

  get(bucket: BucketName, key: Uint8Array): Uint8Array | undefined {
    return this.bucket(bucket).get(hex(key))?.value;
  }

  *range(bucket: BucketName, start: Uint8Array, end?: Uint8Array): Iterable<BackendEntry> {
    const entries = [...this.bucket(bucket).entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    for (const [key, entry] of entries) {
      if (key >= hex(start) && (end === undefined || key < hex(end))) yield entry;
    }
  }

  put(bucket: BucketName, key: Uint8Array, value: Uint8Array): void {
    this.bucket(bucket).set(hex(key), { key: key.slice(), value: value.slice() });
  }

  delete(bucket: BucketName, key: Uint8Array): void {
    this.bucket(bucket).delete(hex(key));
  }

  private bucket(name: BucketName): Map<string, BackendEntry> {
    let bucket = this.buckets.get(name);
    if (!bucket) this.buckets.set(name, (bucket = new Map()));
    return bucket;
  }
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (key: Uint8Array) => new TextDecoder().decode(key);

function setup(options: Partial<LessorOptions> = {}) {
  const time = { nowMs: 1_000_000 };
  const tx = new MemoryTx();
  const lessorOptions: LessorOptions = { clock: () => time.nowMs, ttlSecondsMin: 2, ...options };
  const lessor = new Lessor(lessorOptions);
  return { time, tx, lessor, lessorOptions };
}

function expectError(run: () => unknown, expected: (typeof Errors)[keyof typeof Errors]): void {
  assert.throws(run, (error: unknown) => isEtcdError(error, expected));
}

test('grant stores the lease record and rejects duplicates, ID 0 and too large TTLs', () => {
  const { tx, lessor } = setup();
  const lease = lessor.grant(tx, 5n, 60);
  assert.deepEqual([lease.id, lease.ttlSeconds], [5n, 60]);
  assert.deepEqual(decodeLeaseRecord(leaseKey(5n), tx.get('lease', leaseKey(5n))!), { id: 5n, ttlSeconds: 60, remainingTtlSeconds: 0 });
  expectError(() => lessor.grant(tx, 5n, 60), Errors.LeaseExist);
  expectError(() => lessor.grant(tx, 0n, 60), Errors.LeaseNotFound);
  expectError(() => lessor.grant(tx, 6n, 9_000_000_001), Errors.LeaseTTLTooLarge);
  assert.equal(lessor.grant(tx, 7n, 9_000_000_000).ttlSeconds, 9_000_000_000);
  assert.equal(lessor.exists(6n), false);
});

test('grant raises a TTL below the minimum to the minimum', () => {
  const { tx, lessor } = setup({ ttlSecondsMin: 4 });
  assert.equal(lessor.grant(tx, 1n, 1).ttlSeconds, 4);
  assert.equal(lessor.grant(tx, 2n, -10).ttlSeconds, 4);
  assert.equal(lessor.grant(tx, 3n, 5).ttlSeconds, 5);
});

test('revoke returns the attached keys in byte order and removes the lease and its record', () => {
  const { tx, lessor } = setup();
  lessor.grant(tx, 1n, 60);
  for (const key of ['b', 'a', 'c']) lessor.attach(1n, bytes(key));
  const keys = lessor.revoke(tx, 1n);
  assert.deepEqual(keys.map(text), ['a', 'b', 'c']);
  assert.equal(tx.get('lease', leaseKey(1n)), undefined);
  assert.equal(lessor.lookup(1n), undefined);
  assert.equal(lessor.leaseOf(bytes('a')), 0n);
  expectError(() => lessor.revoke(tx, 1n), Errors.LeaseNotFound);
});

test('renew works only on the primary, extends to the full TTL and returns it', () => {
  const { time, tx, lessor } = setup();
  lessor.grant(tx, 1n, 10);
  expectError(() => lessor.renew(1n), Errors.NotLeader);
  lessor.promote(0);
  expectError(() => lessor.renew(2n), Errors.LeaseNotFound);
  time.nowMs += 8_000;
  assert.equal(lessor.timeToLive(1n).remainingTtl, 2);
  assert.equal(lessor.renew(1n), 10);
  assert.equal(lessor.timeToLive(1n).remainingTtl, 10);
  assert.deepEqual(lessor.expiredLeases(time.nowMs + 9_999), []);
  assert.deepEqual(lessor.expiredLeases(time.nowMs + 10_000), [1n]);
});

test('renewing an expired lease that awaits revocation answers not found', () => {
  const { time, tx, lessor } = setup();
  lessor.grant(tx, 1n, 10);
  lessor.promote(0);
  time.nowMs += 10_000;
  expectError(() => lessor.renew(1n), Errors.LeaseNotFound);
});

test('timeToLive reports granted and whole remaining seconds, keys on request, never negative', () => {
  const { time, tx, lessor } = setup();
  lessor.promote(0);
  lessor.grant(tx, 1n, 60);
  lessor.attach(1n, bytes('k'));
  time.nowMs += 1;
  assert.deepEqual(lessor.timeToLive(1n), { grantedTtl: 60, remainingTtl: 59, keys: [] });
  assert.deepEqual(lessor.timeToLive(1n, { keys: true }).keys.map(text), ['k']);
  time.nowMs += 120_000;
  assert.equal(lessor.timeToLive(1n).remainingTtl, 0);
  expectError(() => lessor.timeToLive(9n), Errors.LeaseNotFound);
});

test('off the leader, timeToLive reports the checkpointed remaining TTL, else the full TTL', () => {
  const { time, tx, lessor } = setup();
  lessor.grant(tx, 1n, 60);
  lessor.grant(tx, 2n, 60);
  lessor.checkpoint(tx, [{ id: 2n, remainingTtl: 25 }]);
  time.nowMs += 30_000;
  assert.equal(lessor.timeToLive(1n).remainingTtl, 60);
  assert.equal(lessor.timeToLive(2n).remainingTtl, 25);
});

test('nothing expires off the leader; on it, expired leases are reported soonest first', () => {
  const { time, tx, lessor } = setup();
  lessor.grant(tx, 1n, 30);
  lessor.grant(tx, 2n, 10);
  lessor.grant(tx, 3n, 20);
  time.nowMs += 60_000;
  assert.deepEqual(lessor.expiredLeases(), []);
  lessor.promote(0);
  assert.deepEqual(lessor.leases().map((lease) => lease.id), [2n, 3n, 1n]);
  assert.deepEqual(lessor.expiredLeases(time.nowMs + 9_999), []);
  assert.deepEqual(lessor.expiredLeases(time.nowMs + 20_000), [2n, 3n]);
  assert.deepEqual(lessor.expiredLeases(time.nowMs + 22_000), []);
  lessor.revoke(tx, 2n);
  lessor.revoke(tx, 3n);
  assert.deepEqual(lessor.expiredLeases(time.nowMs + 30_000), [1n]);
});

test('an expired lease that was not revoked is reported again after the retry interval', () => {
  const { time, tx, lessor } = setup({ expiredRetryIntervalMs: 3_000 });
  lessor.grant(tx, 1n, 10);
  lessor.promote(0);
  time.nowMs += 10_000;
  assert.deepEqual(lessor.expiredLeases(), [1n]);
  time.nowMs += 2_999;
  assert.deepEqual(lessor.expiredLeases(), []);
  time.nowMs += 1;
  assert.deepEqual(lessor.expiredLeases(), [1n]);
  lessor.revoke(tx, 1n);
  time.nowMs += 10_000;
  assert.deepEqual(lessor.expiredLeases(), []);
});

test('expiry reports are rate-limited to the revocation rate', () => {
  const { time, tx, lessor } = setup({ revokesPerSecondMax: 100 });
  for (let id = 1n; id <= 300n; id++) lessor.grant(tx, id, 10);
  lessor.promote(0);
  time.nowMs += 60_000;
  const first = lessor.expiredLeases();
  assert.equal(first.length, 50, 'one check may use half a second of budget');
  assert.equal(lessor.expiredLeases().length, 0);
  time.nowMs += 250;
  assert.equal(lessor.expiredLeases().length, 25);
  time.nowMs += 10_000;
  assert.equal(lessor.expiredLeases().length, 50);
  assert.equal(new Set([...first]).size, 50);
});

test('promote extends every lease by extendMs plus its checkpointed remaining TTL (or full TTL)', () => {
  const { time, tx, lessor } = setup();
  lessor.grant(tx, 1n, 60);
  lessor.grant(tx, 2n, 60);
  lessor.checkpoint(tx, [{ id: 2n, remainingTtl: 20 }]);
  lessor.promote(1_000);
  assert.equal(lessor.lookup(1n)!.expiryMs, time.nowMs + 61_000);
  assert.equal(lessor.lookup(2n)!.expiryMs, time.nowMs + 21_000);
  assert.deepEqual(lessor.expiredLeases(time.nowMs + 21_000), [2n]);
});

test('demote stops expiry and renewals', () => {
  const { time, tx, lessor } = setup();
  lessor.grant(tx, 1n, 10);
  lessor.promote(0);
  lessor.demote();
  assert.equal(lessor.isPrimary, false);
  assert.equal(lessor.lookup(1n)!.expiryMs, Number.POSITIVE_INFINITY);
  time.nowMs += 60_000;
  assert.deepEqual(lessor.expiredLeases(), []);
  assert.deepEqual(lessor.checkpoints(), []);
  expectError(() => lessor.renew(1n), Errors.NotLeader);
});

test('promoting many leases that expire together spreads their expiries over time', () => {
  const { time, tx, lessor } = setup({ revokesPerSecondMax: 100 });
  for (let id = 1n; id <= 300n; id++) lessor.grant(tx, id, 10);
  lessor.promote(0);
  const perSecond = new Map<number, number>();
  for (const lease of lessor.leases()) {
    const second = Math.floor((lease.expiryMs - time.nowMs) / 1000);
    perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
  }
  assert.ok(Math.max(...perSecond.values()) <= 75, `at most 3/4 of the rate per second, got ${[...perSecond.entries()]}`);
  assert.equal(Math.min(...lessor.leases().map((lease) => lease.expiryMs)), time.nowMs + 10_000);
});

test('checkpoints report elapsed remaining TTLs once per interval, only for long leases', () => {
  const { time, tx, lessor } = setup({ checkpointIntervalMs: 5_000 });
  lessor.grant(tx, 1n, 60);
  lessor.grant(tx, 2n, 3); // shorter than the interval: never checkpointed
  assert.deepEqual(lessor.checkpoints(), [], 'only the primary checkpoints');
  lessor.promote(0);
  time.nowMs += 4_999;
  assert.deepEqual(lessor.checkpoints(), []);
  time.nowMs += 1;
  assert.deepEqual(lessor.checkpoints(), [{ id: 1n, remainingTtl: 55 }]);
  assert.deepEqual(lessor.checkpoints(), []);
  time.nowMs += 5_000;
  assert.deepEqual(lessor.checkpoints(), [{ id: 1n, remainingTtl: 50 }]);
});

test('checkpoints are batched', () => {
  const { time, tx, lessor } = setup({ checkpointIntervalMs: 5_000, checkpointBatchMax: 2 });
  for (let id = 1n; id <= 3n; id++) lessor.grant(tx, id, 60);
  lessor.promote(0);
  time.nowMs += 5_000;
  assert.equal(lessor.checkpoints().length, 2);
  assert.equal(lessor.checkpoints().length, 1);
});

test('renewing a checkpointed lease queues a checkpoint that clears it', () => {
  const { time, tx, lessor } = setup({ checkpointIntervalMs: 5_000 });
  lessor.grant(tx, 1n, 60);
  lessor.promote(0);
  time.nowMs += 5_000;
  lessor.checkpoint(tx, lessor.checkpoints());
  assert.equal(lessor.lookup(1n)!.remainingTtlSeconds, 55);
  lessor.renew(1n);
  assert.deepEqual(lessor.checkpoints(), [{ id: 1n, remainingTtl: 0 }]);
  lessor.checkpoint(tx, [{ id: 1n, remainingTtl: 0 }]);
  assert.equal(decodeLeaseRecord(leaseKey(1n), tx.get('lease', leaseKey(1n))!).remainingTtlSeconds, 0);
});

test('applying checkpoints persists them, skips revoked leases and normalises odd values', () => {
  const { tx, lessor } = setup();
  lessor.grant(tx, 1n, 60);
  lessor.checkpoint(tx, [
    { id: 1n, remainingTtl: 42 },
    { id: 9n, remainingTtl: 5 },
  ]);
  assert.equal(decodeLeaseRecord(leaseKey(1n), tx.get('lease', leaseKey(1n))!).remainingTtlSeconds, 42);
  assert.equal(tx.get('lease', leaseKey(9n)), undefined);
  lessor.checkpoint(tx, [{ id: 1n, remainingTtl: -3 }]);
  assert.equal(lessor.lookup(1n)!.remainingTtlSeconds, 0);
});

test('restore brings leases back with their checkpointed remaining TTL, else the full TTL', () => {
  const { time, tx, lessor, lessorOptions } = setup({ checkpointIntervalMs: 5_000 });
  lessor.grant(tx, 1n, 60);
  lessor.grant(tx, 2n, 60);
  lessor.grant(tx, -3n, 1);
  lessor.promote(0);
  time.nowMs += 20_000;
  lessor.checkpoint(tx, lessor.checkpoints().filter((checkpoint) => checkpoint.id === 1n));

  const restarted = Lessor.restore(tx, { ...lessorOptions, ttlSecondsMin: 3 });
  assert.deepEqual(restarted.leases().map((lease) => lease.id), [-3n, 1n, 2n]);
  assert.equal(restarted.isPrimary, false);
  assert.equal(restarted.lookup(-3n)!.ttlSeconds, 3, 'stored TTLs are raised to the current minimum');
  time.nowMs += 500_000; // downtime does not count: leases only run on a primary
  restarted.promote(1_000);
  assert.equal(restarted.timeToLive(1n).remainingTtl, 41);
  assert.equal(restarted.timeToLive(2n).remainingTtl, 61);
});

test('restore stops on a corrupt record', () => {
  const { tx, lessorOptions } = setup();
  tx.put('lease', leaseKey(1n), Uint8Array.from([0x08, 0x02, 0x10, 0x05]));
  assert.throws(() => Lessor.restore(tx, lessorOptions), AssertionError);
});

test('reload replaces the leases and keeps expiring them when primary', () => {
  const { time, tx, lessor, lessorOptions } = setup();
  lessor.grant(tx, 1n, 60);
  const other = new MemoryTx();
  new Lessor(lessorOptions).grant(other, 2n, 10);
  lessor.promote(0);
  lessor.attach(1n, bytes('k'));
  lessor.reload(other);
  assert.deepEqual(lessor.leases().map((lease) => lease.id), [2n]);
  assert.equal(lessor.leaseOf(bytes('k')), 0n);
  assert.deepEqual(lessor.expiredLeases(time.nowMs + 10_000), [2n]);
});

test('attach and detach track keys; a key moves between leases; a revoked lease ignores detach', () => {
  const { tx, lessor } = setup();
  lessor.grant(tx, 1n, 60);
  lessor.grant(tx, 2n, 60);
  lessor.attach(1n, bytes('a'));
  lessor.attach(1n, bytes('b'));
  assert.equal(lessor.leaseOf(bytes('a')), 1n);
  lessor.attach(2n, bytes('a'));
  assert.deepEqual(lessor.lookup(1n)!.keys().map(text), ['b']);
  assert.deepEqual(lessor.lookup(2n)!.keys().map(text), ['a']);
  lessor.detach(1n, bytes('b'));
  assert.equal(lessor.lookup(1n)!.keyCount, 0);
  assert.equal(lessor.leaseOf(bytes('b')), 0n);
  expectError(() => lessor.attach(7n, bytes('x')), Errors.LeaseNotFound);
  const keys = lessor.revoke(tx, 2n);
  for (const key of keys) lessor.detach(2n, key);
  assert.equal(lessor.leaseOf(bytes('a')), 0n);
});

test('keys are compared as bytes, including non-UTF-8 bytes', () => {
  const { tx, lessor } = setup();
  lessor.grant(tx, 1n, 60);
  const keys = [Uint8Array.from([0xff]), Uint8Array.from([0x00, 0x01]), Uint8Array.from([0x80]), Uint8Array.from([0x00])];
  for (const key of keys) lessor.attach(1n, key);
  assert.deepEqual(lessor.revoke(tx, 1n).map(hex), ['00', '0001', '80', 'ff']);
});
