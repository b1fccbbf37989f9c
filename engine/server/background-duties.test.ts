import { test } from 'node:test';
import assert from 'node:assert/strict';
import { discardLogger } from '../common/logger.ts';
import { AppliedIndexWait } from './applied-index-wait.ts';
import { BackgroundDuties, type BackgroundDutiesParts } from './background-duties.ts';

/** Duties over fakes that record backend syncs and the indexes the storage is told are durable. */
function dutiesWithFakes(snapshotCount: number) {
  const applied = new AppliedIndexWait(0);
  const events: string[] = [];
  let snapshotIndex = 0;
  let releaseSync: (() => void) | undefined;
  const storage = {
    snapshotDueIndex: () => snapshotIndex + snapshotCount,
    onBackendSynced: async (index: number) => {
      events.push(`synced ${index}`);
      if (index - snapshotIndex >= snapshotCount) snapshotIndex = index;
    },
  };
  const backend = {
    // A sync the test releases by hand, to show that a second trigger joins the one in progress.
    sync: () => {
      events.push('sync');
      return new Promise<void>((resolve) => (releaseSync = resolve));
    },
  };
  const parts = {
    config: { autoCompactionMode: 'periodic', autoCompactionRetention: 0 },
    logger: discardLogger(),
    metrics: { onCollect: () => undefined, backendCommitSeconds: { observe: () => undefined } },
    state: { stopping: false, leaderId: 0n, memberId: 1n },
    applied,
    storage,
    backend,
    clock: () => Date.now(),
  } as unknown as BackgroundDutiesParts;
  const settle = async () => {
    for (let round = 0; round < 10; round++) await new Promise((resolve) => setImmediate(resolve));
  };
  return { duties: new BackgroundDuties(parts), applied, events, settle, finishSync: () => releaseSync?.() };
}

test('the backend is synced as soon as a snapshot falls due, not at the next one-second tick', async () => {
  const { duties, applied, events, settle, finishSync } = dutiesWithFakes(100);
  duties.start();
  try {
    applied.advance(99);
    await settle();
    assert.deepEqual(events, [], 'nothing is due before snapshotCount entries');
    applied.advance(100);
    await settle();
    assert.deepEqual(events, ['sync']);
    // More entries while that sync runs start no second one.
    applied.advance(150);
    await settle();
    finishSync();
    await settle();
    assert.deepEqual(events, ['sync', 'synced 100']);
    // The next snapshot is due 100 entries after the one just taken.
    applied.advance(199);
    await settle();
    assert.deepEqual(events, ['sync', 'synced 100']);
    applied.advance(230);
    await settle();
    finishSync();
    await settle();
    assert.deepEqual(events, ['sync', 'synced 100', 'sync', 'synced 230']);
  } finally {
    duties.stop();
  }
});
