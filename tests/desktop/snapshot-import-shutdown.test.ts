// An app that closes while a picked snapshot file is still arriving (the window closed, the app quit mid-import):
// the host's dispose deletes the half-received file, so the library folder holds only whole snapshots and the next
// start finds nothing to clean. No local cluster is started: an import never needs one until it is restored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { noCipher } from '../../electron/main/connections/secret-cipher.ts';
import { ServiceHost } from '../../electron/main/services/service-host.ts';
import { removeTempDir, trackTempDir } from '../support/child-cleanup.ts';

/** The first part of a file that passes the import's first checks: whole pages plus a trailer, an lmdb database. */
function firstPart(bytes: number): Uint8Array {
  const part = Buffer.alloc(bytes);
  part.writeUInt32LE(0xbeefc0de, 24);
  return part;
}

test('closing the app deletes unfinished snapshot imports', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-import-shutdown-'));
  trackTempDir(root);
  try {
    const host = new ServiceHost({ userDataDir: root, mode: 'browser', appVersion: '0.0.0-test', cipher: noCipher('no keychain in tests') });
    const session = host.openSession();
    const answer = await session.api.maintenance.importSnapshot({ operationId: 'closing', fileName: 'big.db', sizeBytes: 1024 * 512 + 32, offset: 0, chunk: firstPart(4096) });
    assert.deepEqual(answer, { ok: true, value: null }, 'the first part was taken');
    const snapshots = path.join(root, 'snapshots');
    assert.equal(fs.readdirSync(snapshots).filter((name) => name.endsWith('.import-part')).length, 1, 'the file is being received');
    await host.dispose();
    assert.deepEqual(fs.readdirSync(snapshots), [], 'nothing is left in the library folder');
  } finally {
    removeTempDir(root);
  }
});
