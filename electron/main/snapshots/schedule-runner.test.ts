import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SnapshotInfo, SnapshotScheduleState } from '../../common/contract.ts';
import { FakeClock } from '../../../tests/desktop/support/fake-clock.ts';
import { ScheduleRunner, missedRunDelayMs } from './schedule-runner.ts';
import { ScheduleStore } from './schedule-store.ts';

function setUp(directory: string, clock: FakeClock, failWith?: () => string | undefined) {
  const library = new Set<string>();
  let taken = 0;
  const store = new ScheduleStore(path.join(directory, 'snapshot-schedules.json'));
  const runner = new ScheduleRunner({
    store,
    clock,
    take: async (connectionId) => {
      const failure = failWith?.();
      if (failure) throw new Error(failure);
      taken += 1;
      const id = `snap-${taken}`;
      library.add(id);
      return { id, fileName: `${id}.db`, revision: 10 + taken, connectionName: connectionId } as SnapshotInfo;
    },
    remove: (id) => library.delete(id),
    exists: (id) => library.has(id),
  });
  return { runner, library, store };
}

test('a schedule takes a snapshot every interval and keeps only the last K it took', async () => {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'cairn-schedule-'));
  try {
    const clock = new FakeClock();
    const { runner, library } = setUp(directory, clock);
    library.add('taken-by-hand');
    const changes: SnapshotScheduleState[] = [];
    runner.onDidChange((state) => changes.push(state));
    runner.start();
    const state = runner.set('prod', { enabled: true, intervalMinutes: 5, keep: 2 })!;
    assert.equal(state.nextRunAt, new Date(clock.now() + 5 * 60_000).toISOString());
    await clock.advance(5 * 60_000 - 1);
    assert.equal(library.size, 1, 'nothing before the interval');
    await clock.advance(1);
    assert.deepEqual([...library].sort(), ['snap-1', 'taken-by-hand']);
    await clock.advance(3 * 5 * 60_000);
    assert.deepEqual([...library].sort(), ['snap-3', 'snap-4', 'taken-by-hand'], 'the two newest scheduled snapshots and the one taken by hand');
    const last = runner.list()[0]!;
    assert.deepEqual(last.snapshotIds, ['snap-4', 'snap-3']);
    assert.equal(last.lastRun?.ok, true);
    assert.match(last.lastRun!.message, /Saved snap-4\.db at revision 14; deleted 1 older scheduled snapshot \(keeping 2\)/);
    assert.equal(last.nextRunAt, new Date(clock.now() + 5 * 60_000).toISOString());
    assert.ok(changes.some((change) => change.running), 'runs are announced while they happen');
    runner.set('prod', { enabled: false, intervalMinutes: 5, keep: 2 });
    assert.equal(clock.pending(), 0, 'a paused schedule has no timer');
    assert.equal(runner.list()[0]!.nextRunAt, null);
    runner.dispose();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('a failed run is reported in words and the schedule keeps going', async () => {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'cairn-schedule-'));
  try {
    const clock = new FakeClock();
    let failure: string | undefined = 'Nothing is listening on 127.0.0.1:2379 (connection refused).';
    const { runner, library } = setUp(directory, clock, () => failure);
    runner.start();
    runner.set('local', { enabled: true, intervalMinutes: 1, keep: 3 });
    await clock.advance(60_000);
    const failed = runner.list()[0]!;
    assert.deepEqual(failed.lastRun && { ok: failed.lastRun.ok, message: failed.lastRun.message, snapshotId: failed.lastRun.snapshotId },
      { ok: false, message: 'Nothing is listening on 127.0.0.1:2379 (connection refused).', snapshotId: null });
    assert.equal(library.size, 0);
    failure = undefined;
    await clock.advance(60_000);
    assert.equal(runner.list()[0]!.lastRun?.ok, true);
    assert.equal(library.size, 1);
    runner.dispose();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('schedules are persisted; one that fell due while the app was closed runs shortly after the next start', async () => {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'cairn-schedule-'));
  try {
    const clock = new FakeClock();
    const first = setUp(directory, clock);
    first.runner.set('prod', { enabled: true, intervalMinutes: 60, keep: 5 });
    first.runner.dispose();
    await clock.advance(3 * 60 * 60_000);
    const second = setUp(directory, clock);
    second.runner.start();
    assert.deepEqual(second.runner.list()[0]!.schedule, { enabled: true, intervalMinutes: 60, keep: 5 });
    assert.equal(second.runner.list()[0]!.nextRunAt, new Date(clock.now() + missedRunDelayMs).toISOString());
    await clock.advance(missedRunDelayMs);
    assert.equal(second.library.size, 1);
    second.runner.set('prod', null);
    assert.deepEqual(second.runner.list(), []);
    assert.deepEqual(setUp(directory, clock).runner.list(), [], 'the removal is persisted');
    second.runner.dispose();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('an interval longer than a Node timer can wait is waited in steps', async () => {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'cairn-schedule-'));
  try {
    const clock = new FakeClock();
    const { runner, library } = setUp(directory, clock);
    runner.set('prod', { enabled: true, intervalMinutes: 30 * 24 * 60, keep: 1 });
    await clock.advance(29 * 24 * 60 * 60_000);
    assert.equal(library.size, 0);
    await clock.advance(24 * 60 * 60_000);
    assert.equal(library.size, 1);
    runner.dispose();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
