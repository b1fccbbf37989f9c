// Imports the app is closing on: a file half received is deleted, not left in the library folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SnapshotImports } from './snapshot-import.ts';
import { SnapshotLibrary } from './snapshot-library.ts';

/** The first page of an lmdb database, as far as the import's check reads it (MDB_MAGIC at offset 24). */
function lmdbHead(bytes: number): Uint8Array {
  const head = Buffer.alloc(bytes);
  head.writeUInt32LE(0xbeefc0de, 24);
  return head;
}

test('dispose deletes the partial files of imports still receiving parts', async () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-import-'));
  try {
    // cairn-util is never reached: the imports stop before their last part.
    const imports = new SnapshotImports(new SnapshotLibrary(directory), { command: 'false', args: [], env: {} });
    const sizeBytes = 4 * 512 + 32;
    for (const operationId of ['a', 'b']) {
      assert.equal(await imports.receive({ operationId, fileName: `${operationId}.db`, sizeBytes, offset: 0, chunk: lmdbHead(1024) }), null);
    }
    assert.equal(imports.size, 2);
    assert.equal(fs.readdirSync(directory).filter((name) => name.endsWith('.import-part')).length, 2, 'both are being received');
    await imports.dispose();
    assert.equal(imports.size, 0);
    assert.deepEqual(fs.readdirSync(directory), [], 'nothing is left behind');
    const late = await imports.receive({ operationId: 'a', fileName: 'a.db', sizeBytes, offset: 1024, chunk: new Uint8Array(512) }).catch((error: Error) => error);
    assert.match(String(late), /no longer running/, 'a part arriving after dispose is refused in words');
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
});
