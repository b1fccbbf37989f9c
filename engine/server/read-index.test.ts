// Proves the ReadIndex coordinator: concurrent reads share one round, are released only once the member has
// applied the confirmed index, time out when Raft never answers, and are all failed by rejectAll.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errors } from '../common/errors.ts';
import { RequestIdGenerator } from './ids.ts';
import { ReadIndexCoordinator, type ReadIndexHost } from './read-index.ts';

/** A host that records the contexts it was asked for and reports a settable applied index. */
class FakeHost implements ReadIndexHost {
  readonly contexts: Uint8Array[] = [];
  applied = 0;
  private requestIds = 0n;
  failWith: Error | undefined;
  requestReadIndex(context: Uint8Array): void {
    if (this.failWith) throw this.failWith;
    this.contexts.push(Uint8Array.from(context));
  }
  nextRequestId(): bigint {
    return (this.requestIds += 1n);
  }
  appliedIndex(): number {
    return this.applied;
  }
}

/** Tracks whether a promise has settled, without awaiting it. */
function track(promise: Promise<void>): { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } {
  const status: { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } = { state: 'pending' };
  promise.then(() => (status.state = 'resolved'), (error: unknown) => Object.assign(status, { state: 'rejected', error }));
  return status;
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

test('reads issued together share one ReadIndex round and wait for the confirmed index to be applied', async () => {
  const host = new FakeHost();
  host.applied = 5;
  const coordinator = new ReadIndexCoordinator(host, 10_000);
  const reads = [1, 2, 3].map(() => track(coordinator.waitForLinearizableRead()));
  await flush();
  assert.equal(host.contexts.length, 1, 'one round for three concurrent reads');
  coordinator.onReadState(host.contexts[0]!, 8);
  await flush();
  assert.deepEqual(reads.map((read) => read.state), ['pending', 'pending', 'pending'], 'index 8 is not applied yet');
  coordinator.onApplied(7);
  await flush();
  assert.equal(reads[0]!.state, 'pending');
  coordinator.onApplied(8);
  await flush();
  assert.deepEqual(reads.map((read) => read.state), ['resolved', 'resolved', 'resolved']);
});

test('a round confirmed at an index already applied releases its reads at once', async () => {
  const host = new FakeHost();
  host.applied = 10;
  const coordinator = new ReadIndexCoordinator(host, 10_000);
  const read = track(coordinator.waitForLinearizableRead());
  await flush();
  coordinator.onReadState(host.contexts[0]!, 9);
  await flush();
  assert.equal(read.state, 'resolved');
});

test('reads issued after a round started go into the next round with a different context', async () => {
  const host = new FakeHost();
  const coordinator = new ReadIndexCoordinator(host, 10_000);
  const early = track(coordinator.waitForLinearizableRead());
  await flush();
  const late = track(coordinator.waitForLinearizableRead());
  await flush();
  assert.equal(host.contexts.length, 2);
  assert.notDeepEqual(host.contexts[0], host.contexts[1]);
  // Confirming the second round releases only the second read.
  coordinator.onReadState(host.contexts[1]!, 0);
  await flush();
  assert.equal(late.state, 'resolved');
  assert.equal(early.state, 'pending');
  // An unknown or repeated context is ignored.
  coordinator.onReadState(host.contexts[1]!, 0);
  coordinator.onReadState(Buffer.from('unknown!'), 0);
  await flush();
  assert.equal(early.state, 'pending');
  coordinator.rejectAll(new Error('done'));
});

test('a round Raft never answers times out with etcd\'s request timeout error', async () => {
  const host = new FakeHost();
  const coordinator = new ReadIndexCoordinator(host, 20);
  const read = coordinator.waitForLinearizableRead();
  await assert.rejects(read, (error) => error === Errors.Timeout);
  // A late answer for the timed-out round does not resurrect it or throw.
  coordinator.onReadState(host.contexts[0]!, 0);
});

test('a failure to ask Raft rejects the round\'s reads with that error', async () => {
  const host = new FakeHost();
  host.failWith = new Error('not leader');
  const coordinator = new ReadIndexCoordinator(host, 10_000);
  await assert.rejects(coordinator.waitForLinearizableRead(), /not leader/);
});

test('rejectAll fails queued, in-flight and confirmed-but-unapplied reads', async () => {
  const host = new FakeHost();
  const coordinator = new ReadIndexCoordinator(host, 10_000);
  const confirmed = track(coordinator.waitForLinearizableRead());
  await flush();
  coordinator.onReadState(host.contexts[0]!, 50);
  const inFlight = track(coordinator.waitForLinearizableRead());
  await flush();
  const queued = track(coordinator.waitForLinearizableRead());
  const stopped = new Error('stopping');
  coordinator.rejectAll(stopped);
  await flush();
  for (const read of [confirmed, inFlight, queued]) {
    assert.equal(read.state, 'rejected');
    assert.equal(read.error, stopped);
  }
  // Nothing is left to release or time out.
  coordinator.onApplied(100);
});

test('rejectInFlight (a leader change) fails only reads whose read point is unanswered', async () => {
  const host = new FakeHost();
  const coordinator = new ReadIndexCoordinator(host, 10_000);
  const confirmed = track(coordinator.waitForLinearizableRead());
  await flush();
  coordinator.onReadState(host.contexts[0]!, 4);
  const unanswered = track(coordinator.waitForLinearizableRead());
  await flush();
  coordinator.rejectInFlight(Errors.LeaderChanged);
  const later = track(coordinator.waitForLinearizableRead());
  await flush();
  assert.equal(unanswered.state, 'rejected');
  assert.equal(unanswered.error, Errors.LeaderChanged);
  assert.equal(confirmed.state, 'pending', 'a confirmed read point stays valid');
  assert.equal(later.state, 'pending', 'reads after the change ask again');
  assert.equal(host.contexts.length, 3);
  coordinator.onApplied(4);
  await flush();
  assert.equal(confirmed.state, 'resolved');
});

test('a round whose request or answer was lost asks again with the same context until answered', async () => {
  const host = new FakeHost();
  const coordinator = new ReadIndexCoordinator(host, 10_000);
  const read = track(coordinator.waitForLinearizableRead());
  await flush();
  assert.equal(host.contexts.length, 1);
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  assert.ok(host.contexts.length >= 3, `asked ${host.contexts.length} times`);
  assert.ok(host.contexts.every((context) => Buffer.from(context).equals(Buffer.from(host.contexts[0]!))), 'the same round each time');
  coordinator.onReadState(host.contexts[0]!, 0);
  await flush();
  assert.equal(read.state, 'resolved');
  const asked = host.contexts.length;
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal(host.contexts.length, asked, 'an answered round stops asking');
});

test('rounds of different members never share a context (the leader ignores a context it has pending)', async () => {
  const startedMs = 1_700_000_000_000;
  const hosts = [0x8e9e05c52164694dn, 0x91bc3c398fb3c146n].map((memberId) => {
    const ids = new RequestIdGenerator(memberId, startedMs);
    const host = new FakeHost();
    host.nextRequestId = () => ids.next();
    return host;
  });
  for (const host of hosts) {
    const coordinator = new ReadIndexCoordinator(host, 10_000);
    for (let round = 0; round < 200; round++) {
      void coordinator.waitForLinearizableRead().catch(() => undefined);
      await flush();
      coordinator.onReadState(host.contexts[host.contexts.length - 1]!, 0);
    }
  }
  const keys = hosts.flatMap((host) => host.contexts.map((context) => Buffer.from(context).toString('hex')));
  assert.equal(keys.length, 400);
  assert.equal(new Set(keys).size, 400);
});
