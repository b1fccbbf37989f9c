// snapshot restore on a Cairn snapshot file, in-process: the new data dir has the snapshot's data under the new
// membership and applied index, a WAL and Raft snapshot a member restarts from, and a refused restore (corrupt
// file, existing folder, bad flags) leaves nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { discardLogger } from '../common/logger.ts';
import { LmdbBackend } from '../storage/backend/lmdb-backend.ts';
import { Snapshotter } from '../storage/snapshot/snapshotter.ts';
import { readConsistentIndex } from '../mvcc/meta.ts';
import { Membership } from '../server/membership.ts';
import { decodeWalMetadata } from '../server/bootstrap.ts';
import { restoreLog } from '../server/member-storage.ts';
import { computeClusterId, computeMemberId } from '../server/ids.ts';
import { restoreSnapshot, type RestoreOptions } from './snapshot-restore.ts';
import { corruptMiddleByte, fixtureEntries, writeCairnSnapshot } from './util-testing.ts';

const peers = ['http://127.0.0.1:12380', 'http://127.0.0.1:22380', 'http://127.0.0.1:32380'];
const initialCluster = peers.map((url, index) => `m${index + 1}=${url}`).join(',');

function options(directory: string, snapshotPath: string, index: number, extra: Partial<RestoreOptions> = {}): RestoreOptions {
  return {
    snapshotPath, name: `m${index + 1}`, dataDir: path.join(directory, `m${index + 1}.data`), walDir: '', initialCluster,
    initialClusterToken: 'restore-test', initialAdvertisePeerUrls: peers[index]!, skipHashCheck: false, ...extra,
  };
}

function temporaryDirectory(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-util-restore-'));
}

test('a restored data dir holds the snapshot under the new membership, and its WAL and Raft snapshot start the member there', async () => {
  const directory = temporaryDirectory();
  try {
    const file = await writeCairnSnapshot(directory);
    const result = await restoreSnapshot(options(directory, file, 1), discardLogger());
    const ids = peers.map((url) => computeMemberId([url], 'restore-test'));
    assert.equal(result.memberId, ids[1]);
    assert.equal(result.clusterId, computeClusterId(ids));
    assert.equal(result.index, 3, 'one bootstrap entry per member, as etcd');

    const backend = LmdbBackend.open(path.join(result.dataDir, 'member', 'db'));
    try {
      for (const entry of fixtureEntries()) assert.deepEqual(Buffer.from(backend.get(entry.bucket, entry.key) ?? []), entry.value, `${entry.bucket} kept`);
      assert.deepEqual(Membership.members(backend).map((member) => member.id).sort(), [...ids].sort(), 'old members replaced by the new ones');
      assert.ok(Membership.members(backend).every((member) => member.name === '' && member.clientUrls.length === 0), 'members publish their names on start');
      assert.equal(Membership.isRemoved(backend, 98n), false, 'removed IDs of the old cluster are forgotten');
      assert.equal(Membership.clusterId(backend), result.clusterId);
      assert.equal(readConsistentIndex(backend), 3);
    } finally {
      await backend.close();
    }

    const log = await restoreLog(result.walDir, new Snapshotter(path.join(result.dataDir, 'member', 'snap')));
    try {
      assert.deepEqual(decodeWalMetadata(log.metadata), { memberId: ids[1], clusterId: result.clusterId });
      const snapshot = log.raftStorage.snapshot().metadata;
      assert.equal(snapshot.index, 3);
      assert.equal(snapshot.term, 1);
      assert.deepEqual([...snapshot.confState.voters].sort(), [...ids].sort());
      assert.equal(log.commitIndex, 3);
      assert.equal(log.entryCount, 0);
    } finally {
      await log.wal.close();
    }
    assert.deepEqual(fs.readdirSync(directory).sort(), ['m2.data', 'snapshot.db', 'source-backend'], 'no staging folder left');
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
});

test('--wal-dir puts the WAL in its own folder', async () => {
  const directory = temporaryDirectory();
  try {
    const file = await writeCairnSnapshot(directory);
    const walDir = path.join(directory, 'separate-wal');
    const result = await restoreSnapshot(options(directory, file, 0, { walDir }), discardLogger());
    assert.equal(result.walDir, walDir);
    assert.ok(fs.readdirSync(walDir).some((name) => name.endsWith('.wal')));
    assert.equal(fs.existsSync(path.join(result.dataDir, 'member', 'wal')), false);
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
});

test('a corrupt snapshot is refused with etcd\'s sha256 message and nothing is written', async () => {
  const directory = temporaryDirectory();
  try {
    const file = await writeCairnSnapshot(directory);
    corruptMiddleByte(file);
    await assert.rejects(restoreSnapshot(options(directory, file, 0), discardLogger()), /^SnapshotFileError: expected sha256 \[[0-9 ]+\], got \[[0-9 ]+\]$/);
    assert.deepEqual(fs.readdirSync(directory).sort(), ['snapshot.db', 'source-backend']);
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
});

test('a file without the sha256 trailer needs --skip-hash-check, as in etcd', async () => {
  const directory = temporaryDirectory();
  try {
    const file = await writeCairnSnapshot(directory);
    fs.truncateSync(file, fs.statSync(file).size - 32);
    await assert.rejects(restoreSnapshot(options(directory, file, 0), discardLogger()), /snapshot missing hash but --skip-hash-check=false/);
    assert.equal(fs.existsSync(path.join(directory, 'm1.data')), false);
    await restoreSnapshot(options(directory, file, 0, { skipHashCheck: true }), discardLogger());
    assert.ok(fs.existsSync(path.join(directory, 'm1.data', 'member', 'db', 'data.mdb')));
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
});

test('flags and folders are checked before anything is written, with etcd\'s messages', async () => {
  const directory = temporaryDirectory();
  try {
    const file = await writeCairnSnapshot(directory);
    const logger = discardLogger();
    await assert.rejects(restoreSnapshot(options(directory, file, 0, { name: 'nobody' }), logger), /couldn't find local name "nobody" in the initial cluster configuration/);
    await assert.rejects(restoreSnapshot(options(directory, file, 0, { initialAdvertisePeerUrls: 'http://127.0.0.1:9' }), logger),
      /--initial-cluster has http:\/\/127.0.0.1:12380 but missing from --initial-advertise-peer-urls=http:\/\/127.0.0.1:9/);
    fs.mkdirSync(path.join(directory, 'm1.data'));
    await assert.rejects(restoreSnapshot(options(directory, file, 0), logger), /data-dir ".*m1.data" exists/);
    const notSnapshot = path.join(directory, 'text.db');
    fs.writeFileSync(notSnapshot, 'hello');
    await assert.rejects(restoreSnapshot(options(directory, notSnapshot, 1, { skipHashCheck: true }), logger), /is not a snapshot file/);
    assert.deepEqual(fs.readdirSync(directory).sort(), ['m1.data', 'snapshot.db', 'source-backend', 'text.db']);
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
});
