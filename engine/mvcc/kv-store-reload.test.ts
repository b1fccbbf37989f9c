// Installing a leader's snapshot replaces the backend's contents under a running store: reload() must rebuild
// exactly what opening the new contents would, and synced watchers must continue from where they were.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketNames } from '../storage/backend/backend.ts';
import { WatchableStore } from './watchable-store.ts';
import { bytes, openTestStore, put, RecordingSink, remove, type TestStore } from './testing/helpers.ts';

/** Overwrites every bucket of `target` with the contents of `source` (what replacing the backend file does). */
function replaceContents(target: TestStore, source: TestStore): void {
  target.backend.write((tx) => {
    for (const bucket of bucketNames) {
      for (const { key } of target.backend.entries(bucket)) tx.delete(bucket, key);
      for (const { key, value } of source.backend.entries(bucket)) tx.put(bucket, key, value);
    }
  });
}

test('reload rebuilds revisions, index, reads and lease attachments from replaced contents', () => {
  const follower = openTestStore();
  put(follower.store, 'old', 'gone');
  const leader = openTestStore();
  for (let index = 0; index < 20; index++) put(leader.store, `k${index % 7}`, `v${index}`, index % 3 === 0 ? 5n : 0n);
  remove(leader.store, 'k1');
  leader.store.compact(10);
  leader.scheduler.runUntilIdle();

  follower.store.prepareReload();
  replaceContents(follower, leader);
  follower.store.reload();

  assert.equal(follower.store.currentRevision(), leader.store.currentRevision());
  assert.equal(follower.store.compactedRevision(), leader.store.compactedRevision());
  assert.deepEqual(follower.store.hash(), leader.store.hash());
  assert.equal(follower.store.read().range(bytes('old'), undefined).kvs.length, 0);
  const all = (store: TestStore['store']) => store.read().range(bytes('k'), bytes('l')).kvs.map((kv) => `${Buffer.from(kv.key)}=${Buffer.from(kv.value)}@${kv.modRevision}`);
  assert.deepEqual(all(follower.store), all(leader.store));
  // Keys that carry a lease are attached to it again, exactly as in the leader's store.
  assert.deepEqual(follower.leases.keys, leader.leases.keys);
});

test('after a reload, synced watchers receive the new history after the revision they had reached, once', () => {
  const follower = openTestStore();
  const watchable = new WatchableStore(follower.store, { scheduler: follower.scheduler });
  const sink = new RecordingSink();
  watchable.newWatchStream(sink).watch(bytes('a'), bytes('z'), 0);
  put(follower.store, 'a1', 'seen');
  assert.deepEqual(sink.eventsOf(0), ['PUT a1=seen@2']);

  const leader = openTestStore();
  put(leader.store, 'a1', 'seen');
  put(leader.store, 'b1', 'missed while behind');
  put(leader.store, 'c1', 'also missed');
  const previousRevision = follower.store.currentRevision();
  follower.store.prepareReload();
  replaceContents(follower, leader);
  follower.store.reload();
  watchable.storeReplaced(previousRevision);
  follower.scheduler.runUntilIdle();
  put(follower.store, 'd1', 'live again');
  assert.deepEqual(sink.eventsOf(0), ['PUT a1=seen@2', 'PUT b1=missed while behind@3', 'PUT c1=also missed@4', 'PUT d1=live again@5']);
  assert.deepEqual(watchable.watcherCounts(), { synced: 1, unsynced: 0, victims: 0 });
});
