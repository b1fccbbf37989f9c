// Scheduled snapshots through the services the GUI calls, on a real three-member local cluster, with a fake clock
// so a five-minute interval passes at once: main takes real snapshots into the library on schedule, deletes the
// oldest scheduled ones beyond `keep` (never one taken by hand), reports the next run and the last result, and
// stops when the schedule is deleted.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { SnapshotScheduleState } from '../../electron/common/contract.ts';
import { utf8 } from '../../electron/common/wire-codec.ts';
import { FakeClock } from './support/fake-clock.ts';
import { waitFor } from './support/process-alive.ts';
import { useLocalHost } from './support/local-host.ts';
import { value } from './support/result-value.ts';
import { testClusterSize } from './support/test-cluster.ts';

const local = { connectionId: 'local' };

describe(`scheduled snapshots of the local cluster (${testClusterSize} members, fake clock)`, () => {
  const clock = new FakeClock();
  const app = useLocalHost('cairn-schedule-', { scheduleClock: clock });

  test('every interval a real snapshot is saved; the oldest scheduled ones beyond keep are deleted', async () => {
    const byHand = value(await app.api.maintenance.saveSnapshot({ ...local, operationId: 'by-hand', destination: 'library' }));
    const changes: SnapshotScheduleState[] = [];
    const subscription = app.api.maintenance.onDidChangeSchedule((state) => changes.push(state));
    const set = value(await app.api.maintenance.setSchedule({ connectionId: 'local', schedule: { enabled: true, intervalMinutes: 5, keep: 2 } }))!;
    assert.equal(set.nextRunAt, new Date(clock.now() + 5 * 60_000).toISOString());
    const revisions: number[] = [];
    for (let run = 1; run <= 3; run += 1) {
      value(await app.api.keys.put({ ...local, key: utf8(`schedule/run-${run}`), value: utf8('x') }));
      const seen = changes.length;
      await clock.advance(5 * 60_000);
      // The snapshot streams from a real member; the fake clock only decided when it starts.
      const finished = (): SnapshotScheduleState | undefined => changes.slice(seen).find((change) => !change.running && change.lastRun !== null);
      await waitFor(`scheduled run ${run}`, () => finished() !== undefined, 30_000);
      assert.equal(finished()!.lastRun!.ok, true, finished()!.lastRun!.message);
      assert.equal(finished()!.snapshotIds.length, Math.min(run, 2));
      revisions.push(Number(/revision (\d+)/.exec(finished()!.lastRun!.message)![1]));
    }
    subscription.dispose();
    assert.ok(revisions[0]! < revisions[1]! && revisions[1]! < revisions[2]!, `each run saw the newer writes: ${revisions.join(', ')}`);
    const [state] = value(await app.api.maintenance.schedules());
    assert.equal(state!.snapshotIds.length, 2);
    assert.match(state!.lastRun!.message, /deleted 1 older scheduled snapshot \(keeping 2\)/);
    const library = value(await app.api.maintenance.listSnapshots());
    assert.deepEqual(library.map((info) => info.id).sort(), [byHand.id, ...state!.snapshotIds].sort(), 'two scheduled snapshots and the one taken by hand');
    assert.ok(library.every((info) => existsSync(info.path)));
    assert.equal(value(await app.api.maintenance.setSchedule({ connectionId: 'local', schedule: null })), null);
    await clock.advance(60 * 60_000);
    assert.equal(value(await app.api.maintenance.listSnapshots()).length, 3, 'no run after the schedule was deleted');
    const refused = await app.api.maintenance.setSchedule({ connectionId: 'no-such-connection', schedule: { enabled: true, intervalMinutes: 5, keep: 2 } });
    assert.equal(!refused.ok && refused.error.code, 'not-found');
  });
});
