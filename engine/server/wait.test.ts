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
