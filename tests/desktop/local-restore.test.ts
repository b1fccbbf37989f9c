// Restoring a library snapshot into a real three-member local cluster through the services, as the GUI does it:
// the phrase is required; a damaged snapshot is refused in plain words while the cluster keeps running with its
// data; a good one brings back the keys of the snapshot (a key written after it is gone), the same member ids and
// progress events from start to done; a restored cluster that does not come up is rolled back to the old data.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { restoreConfirmation, type OperationProgress } from '../../electron/common/contract.ts';
import { fromUtf8, utf8 } from '../../electron/common/wire-codec.ts';
import { createLocalClusterService } from '../../electron/main/services/local-cluster-service.ts';
import { SnapshotLibrary } from '../../electron/main/snapshots/snapshot-library.ts';
import { Emitter } from '../../electron/main/util/emitter.ts';
import { useLocalHost } from './support/local-host.ts';
import { value } from './support/result-value.ts';
import { testClusterSize } from './support/test-cluster.ts';

const local = { connectionId: 'local' };

describe(`snapshot restore into the local cluster (${testClusterSize} members)`, () => {
  const app = useLocalHost('cairn-local-restore-');
  let snapshotId = '';

  const read = async (key: string): Promise<string | null> => {
    const kv = value(await app.api.keys.get({ ...local, key: utf8(key) })).kv;
    return kv ? fromUtf8(kv.value) : null;
  };
  const leftovers = (): string[] => fs.readdirSync(path.join(app.root, 'local-cluster')).filter((name) => /\.(restored|pre-restore)$/.test(name));

  before(async () => {
    value(await app.api.keys.put({ ...local, key: utf8('restore/before'), value: utf8('in the snapshot') }));
    snapshotId = value(await app.api.maintenance.saveSnapshot({ ...local, operationId: 'restore-snap', destination: 'library' })).id;
    value(await app.api.keys.put({ ...local, key: utf8('restore/before'), value: utf8('changed after the snapshot') }));
    value(await app.api.keys.put({ ...local, key: utf8('restore/after'), value: utf8('written after the snapshot') }));
  });

  test('without the phrase, or with a snapshot not in the library, nothing happens', async () => {
    const refused = await app.api.localCluster.restoreSnapshot({ snapshotId, confirm: 'yes', operationId: 'r0' });
    assert.equal(!refused.ok && refused.error.code, 'confirmation-required');
    const unknown = await app.api.localCluster.restoreSnapshot({ snapshotId: 'no-such-snapshot', confirm: restoreConfirmation, operationId: 'r0' });
    assert.equal(!unknown.ok && unknown.error.code, 'not-found');
    assert.equal(await read('restore/after'), 'written after the snapshot');
  });

  test('a damaged snapshot is refused in plain words and the running cluster keeps its data', async () => {
    const library = new SnapshotLibrary(path.join(app.root, 'snapshots'));
    const good = library.find(snapshotId)!;
    const bytes = fs.readFileSync(good.path);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    const damagedPath = path.join(path.dirname(good.path), 'damaged.db');
    fs.writeFileSync(damagedPath, bytes);
    library.add({ ...good, id: 'damaged', fileName: 'damaged.db', path: damagedPath });
    const pidsBefore = app.host.localCluster.pids();
    const refused = await app.api.localCluster.restoreSnapshot({ snapshotId: 'damaged', confirm: restoreConfirmation, operationId: 'r1' });
    assert.equal(refused.ok, false);
    if (refused.ok) return;
    assert.equal(refused.error.code, 'invalid-argument');
    assert.match(refused.error.message, /The snapshot file is damaged: its contents do not match the sha256 checksum saved with it\. Nothing was changed\./);
    assert.match(refused.error.detail ?? '', /^expected sha256/);
    assert.deepEqual(app.host.localCluster.pids(), pidsBefore, 'the members were never stopped');
    assert.equal(await read('restore/after'), 'written after the snapshot');
    assert.deepEqual(leftovers(), []);
  });

  test('a confirmed restore brings back the snapshot\'s keys on the same members, with progress', async (t) => {
    const idsBefore = app.host.localCluster.state().members.map((member) => member.memberId);
    const events: OperationProgress[] = [];
    const subscription = app.api.maintenance.onDidProgress((event) => {
      if (event.operationId === 'r2') events.push(event);
    });
    const started = Date.now();
    const state = value(await app.api.localCluster.restoreSnapshot({ snapshotId, confirm: restoreConfirmation, operationId: 'r2' }));
    subscription.dispose();
    t.diagnostic(`restored ${state.members.length} members, healthy, in ${Date.now() - started} ms`);
    assert.equal(state.phase, 'running');
    assert.deepEqual(state.members.map((member) => member.memberId), idsBefore, 'same names, peer URLs and token: same member ids');
    assert.equal(await read('restore/before'), 'in the snapshot');
    assert.equal(await read('restore/after'), null, 'a key written after the snapshot is gone');
    value(await app.api.keys.put({ ...local, key: utf8('restore/new'), value: utf8('writes work') }));
    assert.deepEqual(events.map((event) => event.phase), [...events.slice(0, -1).map(() => 'running'), 'done']);
    assert.ok(events.some((event) => /Unpacking the snapshot for member-1/.test(event.step)));
    assert.ok(events.some((event) => /Starting the members/.test(event.step)));
    assert.deepEqual(leftovers(), [], 'the old data is deleted once the restored cluster is healthy');
  });

  test('a restored cluster that cannot start is rolled back to the previous data', async () => {
    value(await app.api.keys.put({ ...local, key: utf8('restore/kept'), value: utf8('survives a failed restore') }));
    // A stand-in for cairn-util that "restores" something no member can start from (its member folder is a file).
    const fakeUtil = path.join(app.root, 'broken-util.mjs');
    fs.writeFileSync(fakeUtil, [
      "import fs from 'node:fs';",
      "const dataDir = process.argv[process.argv.indexOf('--data-dir') + 1];",
      'fs.mkdirSync(dataDir, { recursive: true });',
      "fs.writeFileSync(dataDir + '/member', 'not a folder');",
    ].join('\n'));
    const progress = new Emitter<OperationProgress>();
    const steps: string[] = [];
    progress.event((event) => steps.push(`${event.phase}: ${event.step}`));
    const service = createLocalClusterService(app.host.localCluster, new SnapshotLibrary(path.join(app.root, 'snapshots')), progress,
      { command: process.execPath, args: [fakeUtil], env: process.env });
    const failed = await service.restoreSnapshot({ snapshotId, confirm: restoreConfirmation, operationId: 'r3' });
    assert.equal(failed.ok, false);
    if (failed.ok) return;
    assert.equal(failed.error.code, 'unavailable');
    assert.match(failed.error.message, /^The restored cluster did not become healthy, so the previous data was put back/);
    assert.ok(steps.some((step) => /putting the previous data back/.test(step)));
    assert.match(steps.at(-1)!, /^failed: /);
    assert.equal(app.host.localCluster.state().phase, 'running');
    assert.equal(await read('restore/kept'), 'survives a failed restore');
    assert.deepEqual(leftovers(), []);
  });
});
