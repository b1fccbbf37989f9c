// Restoring from a snapshot file the user picked, through the services the GUI calls on a real three-member local
// cluster: the renderer sends the file in chunks (`maintenance.importSnapshot`), main checks it as a restore does
// (sha256 trailer, a Cairn or etcd database, cairn-util reads it) and adds it to the library with its revision;
// the restore then goes through the library path. A damaged file, one without a trailer, one that is not a
// snapshot and chunks out of order are refused in words and leave no file behind.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { restoreConfirmation, type CairnApi, type Result, type SnapshotInfo } from '../../electron/common/contract.ts';
import { snapshotImportChunkBytesMax } from '../../electron/common/limits.ts';
import { fromUtf8, utf8 } from '../../electron/common/wire-codec.ts';
import { useLocalHost } from './support/local-host.ts';
import { value } from './support/result-value.ts';
import { testClusterSize } from './support/test-cluster.ts';

const local = { connectionId: 'local' };

/** Sends `bytes` as the renderer does, `chunkBytes` at a time; the last call's result. */
async function importFile(api: CairnApi, operationId: string, fileName: string, bytes: Uint8Array, chunkBytes: number): Promise<Result<SnapshotInfo | null>> {
  for (let offset = 0; ; offset += chunkBytes) {
    const chunk = bytes.subarray(offset, Math.min(bytes.length, offset + chunkBytes));
    const result = await api.maintenance.importSnapshot({ operationId, fileName, sizeBytes: bytes.length, offset, chunk });
    if (!result.ok || offset + chunk.length >= bytes.length) return result;
    assert.equal(result.value, null, 'nothing is added before the last chunk');
  }
}

describe(`restoring a snapshot file the user picked (${testClusterSize} members)`, () => {
  const app = useLocalHost('cairn-snapshot-import-');
  let original: SnapshotInfo;
  let fileBytes: Buffer;

  const read = async (key: string): Promise<string | null> => {
    const kv = value(await app.api.keys.get({ ...local, key: utf8(key) })).kv;
    return kv ? fromUtf8(kv.value) : null;
  };
  const libraryFiles = (): string[] => fs.readdirSync(path.join(app.root, 'snapshots')).sort();
  const refusal = (result: Result<SnapshotInfo | null>): { code: string; message: string; detail?: string } => {
    assert.equal(result.ok, false, 'the file was refused');
    if (result.ok) throw new Error('unreachable');
    return result.error;
  };

  before(async () => {
    value(await app.api.keys.put({ ...local, key: utf8('import/before'), value: utf8('in the file') }));
    original = value(await app.api.maintenance.saveSnapshot({ ...local, operationId: 'import-source', destination: 'library' }));
    // The user's copy lives outside the library; the library's own record of it goes, so only the import can restore it.
    fileBytes = fs.readFileSync(original.path);
    value(await app.api.maintenance.deleteSnapshot({ id: original.id }));
    value(await app.api.keys.put({ ...local, key: utf8('import/before'), value: utf8('changed after the file') }));
    value(await app.api.keys.put({ ...local, key: utf8('import/after'), value: utf8('written after the file') }));
  });

  test('a damaged file, one without its sha256, one that is no snapshot, and parts out of order are refused in words', async () => {
    const before = libraryFiles();
    const damaged = Buffer.from(fileBytes);
    damaged[Math.floor(damaged.length / 2)] ^= 0xff;
    const damagedError = refusal(await importFile(app.api, 'bad-1', 'damaged.db', damaged, 16 * 1024));
    assert.equal(damagedError.code, 'invalid-argument');
    assert.match(damagedError.message, /^The snapshot file is damaged: its contents do not match the sha256 checksum saved with it\./);
    assert.match(damagedError.detail ?? '', /^expected sha256 \[/);

    const noHash = refusal(await importFile(app.api, 'bad-2', 'no-hash.db', fileBytes.subarray(0, fileBytes.length - 32), 16 * 1024));
    assert.match(noHash.message, /has no sha256 checksum at its end/);

    const notSnapshot = refusal(await importFile(app.api, 'bad-3', 'notes.txt', Buffer.alloc(512 + 32, 'a'), 16 * 1024));
    assert.match(notSnapshot.message, /not an etcd or Cairn snapshot/);

    value(await app.api.maintenance.importSnapshot({ operationId: 'bad-4', fileName: 'x.db', sizeBytes: fileBytes.length, offset: 0, chunk: fileBytes.subarray(0, 1024) }));
    const skipped = refusal(await app.api.maintenance.importSnapshot({ operationId: 'bad-4', fileName: 'x.db', sizeBytes: fileBytes.length, offset: 4096, chunk: fileBytes.subarray(4096, 8192) }));
    assert.match(skipped.message, /out of order/);
    const gone = refusal(await app.api.maintenance.importSnapshot({ operationId: 'bad-4', fileName: 'x.db', sizeBytes: fileBytes.length, offset: 1024, chunk: fileBytes.subarray(1024, 2048) }));
    assert.equal(gone.code, 'not-found', 'a refused import is over');

    assert.deepEqual(libraryFiles(), before, 'no part file and no library entry is left behind');
    assert.equal(value(await app.api.maintenance.listSnapshots()).length, 0);
  });

  test('a picked file is imported in chunks with its revision, then restoring it brings its keys back', async (t) => {
    const chunkBytes = Math.min(snapshotImportChunkBytesMax, Math.ceil(fileBytes.length / 5));
    const started = Date.now();
    const imported = value(await importFile(app.api, 'import-1', 'C:\\backups\\nightly.db', fileBytes, chunkBytes));
    t.diagnostic(`imported ${fileBytes.length} bytes in ${Math.ceil(fileBytes.length / chunkBytes)} chunks in ${Date.now() - started} ms`);
    assert.ok(imported, 'the last chunk answers with the library entry');
    assert.equal(imported.fileName, 'nightly.db', 'only the name of the picked file is kept');
    assert.equal(imported.revision, original.revision, 'cairn-util read the revision of the file');
    assert.equal(imported.sha256, original.sha256);
    assert.equal(imported.sizeBytes, fileBytes.length);
    assert.equal(imported.inLibrary, true);
    assert.ok(fs.readFileSync(imported.path).equals(fileBytes), 'the library holds the same bytes');
    assert.deepEqual(value(await app.api.maintenance.listSnapshots()).map((each) => each.id), [imported.id]);

    const state = value(await app.api.localCluster.restoreSnapshot({ snapshotId: imported.id, confirm: restoreConfirmation, operationId: 'import-restore' }));
    assert.equal(state.phase, 'running');
    assert.equal(await read('import/before'), 'in the file');
    assert.equal(await read('import/after'), null, 'a key written after the file was taken is gone');
  });
});
