// Proves the proposal wait registry: trigger settles the right waiter once, timeouts reject and unregister,
// rejectAll empties it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WaitRegistry } from './wait.ts';

const timeoutError = new Error('timed out');

test('trigger resolves the waiter registered under the id, and only once', async () => {
  const registry = new WaitRegistry<string>();
  const first = registry.register(1n, 10_000, timeoutError);
  const second = registry.register(2n, 10_000, timeoutError);
  assert.equal(registry.size, 2);
  assert.equal(registry.isWaiting(2n), true);
  registry.trigger(2n, { ok: true, value: 'two' });
  assert.equal(await second, 'two');
  assert.equal(registry.isWaiting(2n), false);
  // A second trigger for the same id, or one for an unknown id (another member's proposal), is ignored.
  registry.trigger(2n, { ok: true, value: 'again' });
  registry.trigger(99n, { ok: true, value: 'other' });
  assert.equal(registry.size, 1);
  registry.trigger(1n, { ok: false, error: new Error('apply failed') });
  await assert.rejects(first, /apply failed/);
  assert.equal(registry.size, 0);
});

test('a waiter that is never triggered is rejected with the timeout error and removed', async () => {
  const registry = new WaitRegistry<string>();
  const waiting = registry.register(7n, 20, timeoutError);
  await assert.rejects(waiting, (error) => error === timeoutError);
  assert.equal(registry.isWaiting(7n), false);
  assert.equal(registry.size, 0);
  // A late trigger after the timeout does nothing.
  registry.trigger(7n, { ok: true, value: 'late' });
});

test('a triggered waiter does not later time out', async () => {
  const registry = new WaitRegistry<number>();
  const waiting = registry.register(3n, 30, timeoutError);
  registry.trigger(3n, { ok: true, value: 42 });
  assert.equal(await waiting, 42);
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.equal(registry.size, 0);
});

test('rejectAll rejects every waiter with the given error and empties the registry', async () => {
  const registry = new WaitRegistry<string>();
  const stopped = new Error('server stopped');
  const waits = [1n, 2n, 3n].map((id) => registry.register(id, 10_000, timeoutError));
  registry.rejectAll(stopped);
  assert.equal(registry.size, 0);
  for (const waiting of waits) await assert.rejects(waiting, (error) => error === stopped);
});

test('waiters with different timeouts each expire at their own deadline, under one timer', async () => {
  const registry = new WaitRegistry<string>();
  const started = performance.now();
  const late = registry.register(1n, 120, new Error('late'));
  const early = registry.register(2n, 30, new Error('early'));
  const kept = registry.register(3n, 60, new Error('kept'));
  const rejectedAt = async (waiting: Promise<string>): Promise<number> => {
    await waiting.catch(() => undefined);
    return performance.now() - started;
  };
  const earlyAt = rejectedAt(early);
  registry.trigger(3n, { ok: true, value: 'three' });
  assert.equal(await kept, 'three');
  await assert.rejects(early, /early/);
  assert.ok((await earlyAt) < 100, 'the earlier deadline does not wait for the later one');
  assert.equal(registry.size, 1);
  await assert.rejects(late, /late/);
  assert.ok(performance.now() - started >= 115, 'the later deadline is kept');
  assert.equal(registry.size, 0);
});
