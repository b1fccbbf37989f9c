// The watch recorder against a real etcd: it survives a kill -9 and restart of the member by resuming at its last
// event + 1, and what it recorded keeps the watch guarantees for the writes made around the crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from './grpc-client.ts';
import { etcdBinaryPath, startEtcd } from './processes.ts';
import { skipUnlessInstalled } from './tools.ts';
import { checkWatchGuarantees, type WatchedWrite } from './watch-guarantees.ts';
import { WatchRecorder } from './watch-recorder.ts';

test('a recorded watcher resumes after its member is killed and restarted, losing nothing', { skip: skipUnlessInstalled(etcdBinaryPath) }, async () => {
  const cluster = await startEtcd();
  const member = cluster.members[0];
  const writes: WatchedWrite[] = [];
  const putSome = async (from: number, count: number): Promise<void> => {
    const client = connect(member.clientUrl);
    try {
      for (let index = from; index < from + count; index += 1) {
        const response = await client.kv.put({ key: `w/${index % 3}`, value: `v${index}` });
        writes.push({ key: `w/${index % 3}`, kind: 'put', value: `v${index}`, revision: Number(response.header!.revision), acknowledged: true });
      }
    } finally {
      client.close();
    }
  };
  const watcher = new WatchRecorder({ name: 'w', endpoint: member.endpoint, key: 'w/', rangeEnd: 'w0', startRevision: 2, reconnectDelayMs: 50 });
  try {
    watcher.start();
    await putSome(0, 5);
    await watcher.waitUntil(writes.at(-1)!.revision!, 5_000);
    await member.kill('SIGKILL');
    member.start();
    await member.waitReady();
    await putSome(5, 5);
    const last = writes.at(-1)!.revision!;
    await watcher.waitUntil(last, 10_000);
    const record = await watcher.stop(last);
    assert.ok(record.segments.length >= 2, 'the watch was created again after the crash');
    const resumed = record.segments.find((segment, index) => index > 0 && segment.responses.length > 0)!;
    assert.equal(resumed.startRevision, writes[4].revision! + 1, 'resumed at the last event + 1');
    const report = checkWatchGuarantees([record], writes);
    assert.deepEqual(report.violations, []);
    assert.equal(report.eventCount, 10);
  } finally {
    await watcher.stop();
    await cluster.stop();
  }
});
