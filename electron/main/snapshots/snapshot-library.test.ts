// The snapshot library's records: what a snapshot Cairn took and a file the user imported say about their time,
// including records written before imports were told apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SnapshotInfo } from '../../common/contract.ts';
import { importedConnectionName, SnapshotLibrary } from './snapshot-library.ts';

function withLibrary(run: (library: SnapshotLibrary, directory: string) => void): void {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-library-'));
  try {
    run(new SnapshotLibrary(directory), directory);
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

function record(library: SnapshotLibrary, id: string, fields: Partial<SnapshotInfo>): SnapshotInfo {
  const file = library.fileFor(id);
  fs.writeFileSync(file, 'data');
  return {
    id, fileName: `${id}.db`, path: file, sizeBytes: 4, revision: 7, sha256: 'a'.repeat(64), takenAt: '2026-11-20T08:00:00.000Z',
    importedAt: null, connectionName: 'Local cluster', inLibrary: true, ...fields,
  };
}

test('a taken snapshot and an imported file keep their times apart, newest first', () => {
  withLibrary((library) => {
    const taken = record(library, 'taken-1', {});
    const imported = record(library, 'imported-2026-1', { takenAt: '2026-11-23T10:00:00.000Z', importedAt: '2026-11-23T10:00:00.000Z', connectionName: importedConnectionName, revision: 977 });
    library.add(taken);
    library.add(imported);
    assert.deepEqual(library.list(), [imported, taken]);
  });
});

test('records written before `importedAt` existed: imports are recognized (their time was the import time), taken ones are not', () => {
  withLibrary((library, directory) => {
    const { importedAt: _taken, ...oldTaken } = record(library, 'taken-1', {});
    const { importedAt: _imported, ...oldImport } = record(library, 'imported-2026-11-23T10-00-00-000Z-abcd1234', { takenAt: '2026-11-23T10:00:00.000Z', connectionName: importedConnectionName });
    // A connection the user happened to name "Imported file" is still a connection.
    const { importedAt: _named, ...named } = record(library, 'named-1', { takenAt: '2026-11-21T10:00:00.000Z', connectionName: importedConnectionName });
    for (const each of [oldTaken, oldImport, named]) fs.writeFileSync(path.join(directory, `${each.id}.json`), JSON.stringify(each));
    const byId = new Map(library.list().map((info) => [info.id, info.importedAt]));
    assert.deepEqual(Object.fromEntries(byId), { 'taken-1': null, 'imported-2026-11-23T10-00-00-000Z-abcd1234': '2026-11-23T10:00:00.000Z', 'named-1': null });
  });
});
