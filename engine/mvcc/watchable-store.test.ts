// Watch behaviour, after etcd's watchable_store_test.go and watcher_test.go: synced delivery, historical
// replay in bounded batches, filters, prevKv, compaction, progress, slow watchers, whole revisions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WatchableStore, type WatchableStoreOptions } from './watchable-store.ts';
import { WatchErrors } from './watcher.ts';
import { bytes, openTestStore, put, RecordingSink, remove, type TestStore, seededRandom } from './testing/helpers.ts';

const all = new Uint8Array([0]);

function setup(options: WatchableStoreOptions = {}, storeOptions = {}): TestStore & { watchable: WatchableStore } {
  const opened = openTestStore(storeOptions);
  const watchable = new WatchableStore(opened.store, { scheduler: opened.scheduler, ...options });
  return { ...opened, watchable };
}

test('a synced watcher gets each write right after it commits, with the write\'s revision', () => {
  const { store, watchable } = setup();
  const sink = new RecordingSink();
  const stream = watchable.newWatchStream(sink);
  const watcher = stream.watch(bytes('foo'), undefined, 0);
  assert.equal(watcher.id, 0);
  put(store, 'foo', 'bar');
  put(store, 'other', 'x');
  remove(store, 'foo');
  assert.deepEqual(sink.records, [
    { watchId: 0, events: ['PUT foo=bar@2'], revision: 2 },
    { watchId: 0, events: ['DELETE foo@4'], revision: 4 },
  ]);
  assert.deepEqual(watchable.watcherCounts(), { synced: 1, unsynced: 0, victims: 0 });
});

test('range and from-key watchers see the keys in their range only', () => {
  const { store, watchable } = setup();
  const sink = new RecordingSink();
  const stream = watchable.newWatchStream(sink);
  const range = stream.watch(bytes('a'), bytes('c'), 0);
  const fromKey = stream.watch(bytes('b'), all, 0);
  const everything = stream.watch(all, all, 0);
  for (const key of ['a', 'b', 'bz', 'c', 'z']) put(store, key, '1');
  assert.deepEqual(sink.eventsOf(range.id), ['PUT a=1@2', 'PUT b=1@3', 'PUT bz=1@4']);
  assert.deepEqual(sink.eventsOf(fromKey.id), ['PUT b=1@3', 'PUT bz=1@4', 'PUT c=1@5', 'PUT z=1@6']);
  assert.equal(sink.eventsOf(everything.id).length, 5);
});

test('watch IDs are assigned from 0, custom IDs are kept, duplicates and empty ranges are refused (TestWatcherWatchID)', () => {
  const { watchable } = setup();
  const stream = watchable.newWatchStream(new RecordingSink());
  assert.equal(stream.watch(bytes('a'), undefined, 0).id, 0);
  assert.equal(stream.watch(bytes('a'), undefined, 0, { id: 5 }).id, 5);
  assert.equal(stream.watch(bytes('a'), undefined, 0).id, 1);
  assert.throws(() => stream.watch(bytes('a'), undefined, 0, { id: 5 }), { message: WatchErrors.DuplicateId });
  assert.throws(() => stream.watch(bytes('b'), bytes('a'), 0), { message: WatchErrors.EmptyRange });
  assert.throws(() => stream.watch(bytes('b'), bytes('b'), 0), { message: WatchErrors.EmptyRange });
  assert.equal(stream.cancel(5), true);
  assert.equal(stream.cancel(5), false);
  assert.equal(stream.watch(bytes('a'), undefined, 0, { id: 5 }).id, 5, 'a cancelled ID can be reused');
});

test('a watcher from a past revision replays history from the backend on the background loop, then stays synced', () => {
  const { store, watchable, scheduler } = setup();
  put(store, 'foo', '1'); // 2
  put(store, 'bar', '1'); // 3
  remove(store, 'foo'); // 4
  put(store, 'foo', '2'); // 5
  const sink = new RecordingSink();
  const watcher = watchable.newWatchStream(sink).watch(bytes('foo'), undefined, 3);
  assert.deepEqual(sink.records, [], 'history is replayed by the loop, not inline');
  assert.deepEqual(watchable.watcherCounts(), { synced: 0, unsynced: 1, victims: 0 });
  scheduler.runUntilIdle();
  assert.deepEqual(sink.records, [{ watchId: watcher.id, events: ['DELETE foo@4', 'PUT foo=2@5'], revision: 5 }]);
  put(store, 'foo', '3');
  assert.deepEqual(sink.eventsOf(watcher.id), ['DELETE foo@4', 'PUT foo=2@5', 'PUT foo=3@6']);
  assert.deepEqual(watchable.watcherCounts(), { synced: 1, unsynced: 0, victims: 0 });
});

test('catch-up reads a bounded number of revisions per pass and never splits a revision', () => {
  const { store, watchable, scheduler } = setup({ unsyncedBatchRevisionsMax: 2 });
  for (let round = 0; round < 5; round++) {
    store.write((txn) => {
      txn.put(bytes(`a${round}`), bytes('1'));
      txn.put(bytes(`b${round}`), bytes('1'));
    });
  }
  const sink = new RecordingSink();
  watchable.newWatchStream(sink).watch(all, all, 1);
  let passes = 0;
  while (scheduler.step()) passes++;
  assert.equal(passes, 3, 'revisions 1..6 in windows of 2');
  assert.deepEqual(
    sink.records.map((record) => record.events),
    [['PUT a0=1@2', 'PUT b0=1@2'], ['PUT a1=1@3', 'PUT b1=1@3', 'PUT a2=1@4', 'PUT b2=1@4'], ['PUT a3=1@5', 'PUT b3=1@5', 'PUT a4=1@6', 'PUT b4=1@6']],
  );
});

test('a watcher from the current revision gets that revision\'s events; from a future one, none before it (TestWatchFutureRev)', () => {
  const { store, watchable, scheduler } = setup();
  put(store, 'foo', '1');
  const sink = new RecordingSink();
  const stream = watchable.newWatchStream(sink);
  const current = stream.watch(bytes('foo'), undefined, 2);
  const future = stream.watch(bytes('foo'), undefined, 5);
  scheduler.runUntilIdle();
  for (let round = 2; round <= 5; round++) put(store, 'foo', `${round}`);
  assert.deepEqual(sink.eventsOf(current.id), ['PUT foo=1@2', 'PUT foo=2@3', 'PUT foo=3@4', 'PUT foo=4@5', 'PUT foo=5@6']);
  assert.deepEqual(sink.eventsOf(future.id), ['PUT foo=4@5', 'PUT foo=5@6']);
});

test('filters drop puts or deletes; a revision with nothing left is not delivered (TestWatcherWatchWithFilter)', () => {
  const { store, watchable } = setup();
  const sink = new RecordingSink();
  const stream = watchable.newWatchStream(sink);
  const noPut = stream.watch(bytes('foo'), undefined, 0, { filters: ['noPut'] });
  const noDelete = stream.watch(bytes('foo'), undefined, 0, { filters: ['noDelete'] });
  put(store, 'foo', 'bar');
  remove(store, 'foo');
  assert.deepEqual(sink.records, [
    { watchId: noDelete.id, events: ['PUT foo=bar@2'], revision: 2 },
    { watchId: noPut.id, events: ['DELETE foo@3'], revision: 3 },
  ]);
});

test('prevKv attaches the previous version to updates and deletes, not to creations', () => {
  const { store, watchable, scheduler } = setup();
  const sink = new RecordingSink();
  const watcher = watchable.newWatchStream(sink).watch(bytes('foo'), undefined, 0, { prevKv: true });
  put(store, 'foo', 'one');
  put(store, 'foo', 'two');
  store.write((txn) => {
    txn.put(bytes('foo'), bytes('three'));
    txn.deleteRange(bytes('foo'), undefined);
  });
  assert.deepEqual(sink.eventsOf(watcher.id), ['PUT foo=one@2', 'PUT foo=two@3 prev=one@2', 'PUT foo=three@4 prev=two@3', 'DELETE foo@4 prev=two@3']);
  // Replayed history gets prevKv too, except where the previous version is compacted.
  void store.compact(3);
  scheduler.runUntilIdle();
  const replay = new RecordingSink();
  watchable.newWatchStream(replay).watch(bytes('foo'), undefined, 3, { prevKv: true });
  scheduler.runUntilIdle();
  assert.deepEqual(replay.eventsOf(0), ['PUT foo=two@3', 'PUT foo=three@4 prev=two@3', 'DELETE foo@4 prev=two@3']);
});

test('a watcher whose start revision is compacted gets one compaction notice and is cancelled (TestWatchCompacted)', () => {
  const { store, watchable, scheduler } = setup();
  for (let round = 0; round < 10; round++) put(store, 'foo', `${round}`);
  void store.compact(5);
  scheduler.runUntilIdle();
  const sink = new RecordingSink();
  const stream = watchable.newWatchStream(sink);
  const watcher = stream.watch(bytes('foo'), undefined, 1);
  const atCompaction = stream.watch(bytes('foo'), undefined, 5);
  scheduler.runUntilIdle();
  assert.deepEqual(sink.records.filter((record) => record.watchId === watcher.id), [{ watchId: watcher.id, compactRevision: 5 }]);
  assert.equal(watcher.state, 'compacted');
  assert.equal(stream.cancel(watcher.id), false, 'already gone');
  assert.equal(sink.eventsOf(atCompaction.id)[0], 'PUT foo=3@5', 'the compacted revision itself is still watchable');
  put(store, 'foo', 'more');
  assert.equal(sink.records.filter((record) => record.watchId === watcher.id).length, 1);
});

test('progress is reported only for synced watchers with nothing pending (TestWatcherRequestProgress)', () => {
  const { store, watchable, scheduler } = setup();
  put(store, 'foo', '1');
  const sink = new RecordingSink();
  const stream = watchable.newWatchStream(sink);
  const behind = stream.watch(bytes('foo'), undefined, 1);
  const current = stream.watch(bytes('bar'), undefined, 0);
  assert.equal(stream.progress(behind.id), undefined);
  assert.equal(stream.progress(current.id), 2);
  scheduler.runUntilIdle();
  assert.equal(stream.progress(behind.id), 2);
  assert.equal(stream.progress(99), undefined);
});

test('cancelled watchers get nothing more, whether synced or unsynced (TestCancelUnsynced)', () => {
  const { store, watchable, scheduler } = setup();
  put(store, 'foo', '1');
  const sink = new RecordingSink();
  const stream = watchable.newWatchStream(sink);
  const synced = stream.watch(bytes('foo'), undefined, 0);
  const unsynced = stream.watch(bytes('foo'), undefined, 1);
  assert.equal(synced.cancel(), true);
  assert.equal(unsynced.cancel(), true);
  scheduler.runUntilIdle();
  put(store, 'foo', '2');
  assert.deepEqual(sink.records, []);
  assert.deepEqual(watchable.watcherCounts(), { synced: 0, unsynced: 0, victims: 0 });
  stream.watch(bytes('foo'), undefined, 0);
  stream.close();
  assert.deepEqual(watchable.watcherCounts(), { synced: 0, unsynced: 0, victims: 0 });
});

test('all events of a transaction reach a watcher in one delivery', () => {
  const { store, watchable } = setup();
  const sink = new RecordingSink();
  watchable.newWatchStream(sink).watch(bytes('k'), bytes('l'), 0);
  store.write((txn) => {
    txn.put(bytes('k1'), bytes('a'));
    txn.put(bytes('x'), bytes('outside'));
    txn.put(bytes('k2'), bytes('b'));
    txn.deleteRange(bytes('k1'), undefined);
  });
  assert.deepEqual(sink.records, [{ watchId: 0, events: ['PUT k1=a@2', 'PUT k2=b@2', 'DELETE k1@2'], revision: 2 }]);
});

test('writes inside the caller\'s backend transaction reach watchers only after afterCommit', () => {
  const { store, backend, watchable } = setup();
  const sink = new RecordingSink();
  watchable.newWatchStream(sink).watch(bytes('foo'), undefined, 0);
  backend.write((tx) => store.writeInTx(tx, (txn) => txn.put(bytes('foo'), bytes('1'))));
  assert.deepEqual(sink.records, []);
  store.afterCommit();
  assert.deepEqual(sink.eventsOf(0), ['PUT foo=1@2']);
});

test('a slow watcher buffers, then becomes a victim, without blocking writers or other watchers (TestWatchVictims)', () => {
  const { store, watchable, scheduler } = setup({ eventBufferMax: 5 });
  const slow = new RecordingSink();
  slow.acceptRemaining = 1; // takes one delivery, then reports it is full
  const fast = new RecordingSink();
  const slowStream = watchable.newWatchStream(slow);
  const slowWatcher = slowStream.watch(all, all, 0);
  watchable.newWatchStream(fast).watch(all, all, 0);
  for (let round = 0; round < 20; round++) put(store, `k${round % 3}`, `${round}`);
  assert.equal(fast.eventsOf(0).length, 20, 'the fast watcher got every event at once');
  assert.equal(slow.records.length, 1);
  assert.equal(slowWatcher.bufferedEvents, 5);
  assert.equal(slowWatcher.state, 'victim');
  assert.deepEqual(watchable.watcherCounts(), { synced: 1, unsynced: 0, victims: 1 });
  assert.equal(slowStream.progress(slowWatcher.id), undefined);

  slow.acceptRemaining = Infinity;
  slowStream.resume();
  assert.equal(slowWatcher.bufferedEvents, 0);
  assert.equal(slowWatcher.state, 'unsynced');
  scheduler.runUntilIdle();
  assert.equal(slowWatcher.state, 'synced');
  assert.deepEqual(slow.eventsOf(0), fast.eventsOf(0), 'nothing lost, nothing repeated, in order');
  put(store, 'k0', 'after');
  assert.deepEqual(slow.eventsOf(0), fast.eventsOf(0));
});

test('a revision larger than the buffer is buffered whole or not at all', () => {
  const { store, watchable, scheduler } = setup({ eventBufferMax: 3 });
  const sink = new RecordingSink();
  sink.acceptRemaining = 1;
  const stream = watchable.newWatchStream(sink);
  const watcher = stream.watch(all, all, 0);
  put(store, 'a', '0'); // delivered; the sink is now paused
  store.write((txn) => ['b', 'c', 'd', 'e'].forEach((key) => txn.put(bytes(key), bytes('1'))));
  assert.equal(watcher.bufferedEvents, 4, 'an oversized revision is taken into an empty buffer whole');
  put(store, 'f', '1');
  assert.equal(watcher.state, 'victim');
  sink.acceptRemaining = Infinity;
  stream.resume();
  scheduler.runUntilIdle();
  assert.deepEqual(
    sink.records.map((record) => record.events),
    [['PUT a=0@2'], ['PUT b=1@3', 'PUT c=1@3', 'PUT d=1@3', 'PUT e=1@3'], ['PUT f=1@4']],
  );
});

test('random writes, pauses and resumes: every watcher gets exactly its events, whole revisions, in order', () => {
  const random = seededRandom(11);
  const { store, watchable, scheduler } = setup({ eventBufferMax: 6, unsyncedBatchRevisionsMax: 3 }, { compactionBatchKeys: 4 });
  const reference = new RecordingSink();
  watchable.newWatchStream(reference).watch(all, all, 0);
  const sinks = Array.from({ length: 4 }, () => new RecordingSink());
  const streams = sinks.map((sink) => watchable.newWatchStream(sink));
  const watchers: Array<{ sink: RecordingSink; id: number; key: string; end: string | undefined; startRev: number }> = [];
  let victimsSeen = 0;
  for (let step = 0; step < 600; step++) {
    victimsSeen = Math.max(victimsSeen, watchable.watcherCounts().victims);
    const choice = random();
    if (choice < 0.5) {
      store.write((txn) => {
        const changes = 1 + Math.floor(random() * 4);
        for (let change = 0; change < changes; change++) {
          const key = `k${Math.floor(random() * 8)}`;
          if (random() < 0.8) txn.put(bytes(key), bytes(`${step}.${change}`));
          else txn.deleteRange(bytes(key), undefined);
        }
      });
    } else if (choice < 0.6 && watchers.length < 12) {
      const which = Math.floor(random() * streams.length);
      const startRev = Math.max(2, store.currentRevision() - Math.floor(random() * 30));
      const key = `k${Math.floor(random() * 8)}`;
      const end = random() < 0.5 ? undefined : `k${Math.floor(random() * 8) + 1}`;
      if (end !== undefined && end <= key) continue;
      const watcher = streams[which]!.watch(bytes(key), end === undefined ? undefined : bytes(end), startRev);
      watchers.push({ sink: sinks[which]!, id: watcher.id, key, end, startRev });
    } else if (choice < 0.75) {
      const sink = sinks[Math.floor(random() * sinks.length)]!;
      sink.acceptRemaining = random() < 0.5 ? 1 + Math.floor(random() * 3) : Infinity;
    } else if (choice < 0.85) {
      streams[Math.floor(random() * streams.length)]!.resume();
    } else {
      scheduler.step();
    }
  }
  for (const [index, stream] of streams.entries()) {
    sinks[index]!.acceptRemaining = Infinity;
    stream.resume();
  }
  scheduler.runUntilIdle();
  const history = reference.records.flatMap((record) => record.events!);
  for (const watcher of watchers) {
    const inRange = (event: string): boolean => {
      const key = /^(?:PUT|DELETE) ([^=@]+)/.exec(event)![1]!;
      return watcher.end === undefined ? key === watcher.key : key >= watcher.key && key < watcher.end;
    };
    const revisionOf = (event: string): number => Number(/@(\d+)$/.exec(event)![1]);
    const expected = history.filter((event) => inRange(event) && revisionOf(event) >= watcher.startRev);
    const deliveries = watcher.sink.records.filter((record) => record.watchId === watcher.id).map((record) => record.events!);
    assert.deepEqual(deliveries.flat(), expected, `watcher ${watcher.id} on ${watcher.key}..${watcher.end} from ${watcher.startRev}`);
    // A revision never straddles two deliveries.
    for (let index = 1; index < deliveries.length; index++) {
      assert.ok(revisionOf(deliveries[index - 1]!.at(-1)!) < revisionOf(deliveries[index]![0]!), `revision split for watcher ${watcher.id}`);
    }
  }
  assert.ok(watchers.length >= 8, 'enough watchers were exercised');
  assert.ok(victimsSeen > 0, 'some watchers became victims');
});
