// Scheduled snapshots through the services the GUI calls, on a real three-member local cluster, with a fake clock
// so a five-minute interval passes at once: main takes real snapshots into the library on schedule, deletes the
// oldest scheduled ones beyond `keep` (never one taken by hand), reports the next run and the last result, and
// stops when the schedule is deleted.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CairnApi, Result, SnapshotScheduleState } from '../../electron/common/contract.ts';
import { utf8 } from '../../electron/common/wire-codec.ts';
import { noCipher } from '../../electron/main/connections/secret-cipher.ts';
import { ServiceHost, type Session } from '../../electron/main/services/service-host.ts';
import { removeTempDir, trackTempDir } from '../support/child-cleanup.ts';
import { FakeClock } from './support/fake-clock.ts';
import { waitFor } from './support/process-alive.ts';
import { testClusterSize, testTimings } from './support/test-cluster.ts';

const local = { connectionId: 'local' };

function value<T>(result: Result<T>): T {
  if (!result.ok) assert.fail(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

describe(`scheduled snapshots of the local cluster (${testClusterSize} members, fake clock)`, () => {
  let root = '';
  let host: ServiceHost;
  let session: Session;
  let api: CairnApi;
  const clock = new FakeClock();

  before(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'cairn-schedule-'));
    trackTempDir(root);
    host = new ServiceHost({
      userDataDir: root, mode: 'browser', appVersion: '0.0.0-test', cipher: noCipher('no keychain in tests'),
      localCluster: { size: testClusterSize, timings: testTimings }, scheduleClock: clock,
    });
    await host.localCluster.start();
    session = host.openSession();
    api = session.api;
  });

  after(async () => {
    session?.dispose();
    await host?.dispose();
    removeTempDir(root);
  });

  test('every interval a real snapshot is saved; the oldest scheduled ones beyond keep are deleted', async () => {
    const byHand = value(await api.maintenance.saveSnapshot({ ...local, operationId: 'by-hand', destination: 'library' }));
    const changes: SnapshotScheduleState[] = [];
    const subscription = api.maintenance.onDidChangeSchedule((state) => changes.push(state));
    const set = value(await api.maintenance.setSchedule({ connectionId: 'local', schedule: { enabled: true, intervalMinutes: 5, keep: 2 } }))!;
    assert.equal(set.nextRunAt, new Date(clock.now() + 5 * 60_000).toISOString());
    const revisions: number[] = [];
    for (let run = 1; run <= 3; run += 1) {
      value(await api.keys.put({ ...local, key: utf8(`schedule/run-${run}`), value: utf8('x') }));
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
    const [state] = value(await api.maintenance.schedules());
    assert.equal(state!.snapshotIds.length, 2);
    assert.match(state!.lastRun!.message, /deleted 1 older scheduled snapshot \(keeping 2\)/);
    const library = value(await api.maintenance.listSnapshots());
    assert.deepEqual(library.map((info) => info.id).sort(), [byHand.id, ...state!.snapshotIds].sort(), 'two scheduled snapshots and the one taken by hand');
    assert.ok(library.every((info) => existsSync(info.path)));
    assert.equal(value(await api.maintenance.setSchedule({ connectionId: 'local', schedule: null })), null);
    await clock.advance(60 * 60_000);
    assert.equal(value(await api.maintenance.listSnapshots()).length, 3, 'no run after the schedule was deleted');
    const refused = await api.maintenance.setSchedule({ connectionId: 'no-such-connection', schedule: { enabled: true, intervalMinutes: 5, keep: 2 } });
    assert.equal(!refused.ok && refused.error.code, 'not-found');
  });
});
