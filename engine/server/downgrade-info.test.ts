import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBackend } from '../mvcc/testing/memory-backend.ts';
import { allowedDowngradeVersion, formatMinorVersion, parseDowngradeTarget, readDowngradeInfo, writeDowngradeInfo } from './downgrade-info.ts';

test('a target parses as go-semver does, with major.minor accepted and the patch level dropped', () => {
  const parsed = (text: string): string | undefined => {
    const version = parseDowngradeTarget(text);
    return version === undefined ? undefined : formatMinorVersion(version);
  };
  assert.equal(parsed('3.4.0'), '3.4.0');
  assert.equal(parsed('3.4'), '3.4.0');
  assert.equal(parsed('3.4.23'), '3.4.0');
  assert.equal(parsed('3.4.1-rc.0+build.7'), '3.4.0');
  assert.equal(parsed('03.004.1'), '3.4.0');
  // go-semver splits off an empty pre-release or build part and accepts the rest.
  assert.equal(parsed('3.4.0-'), '3.4.0');
  assert.equal(parsed('3.4.0+'), '3.4.0');
  for (const bad of ['', '3', 'v3.4', 'v3.4.0', '3.4.0.1', '3.x', '3.4.x', '3.4-rc', '3..4', '3.4.0-rc..1', '99999999999999999999.1.0', ' 3.4']) {
    assert.equal(parsed(bad), undefined, JSON.stringify(bad));
  }
});

test('the only allowed target is one minor version below the cluster version', () => {
  const allowed = allowedDowngradeVersion(parseDowngradeTarget('3.5.0')!);
  assert.equal(formatMinorVersion(allowed), '3.4.0');
});

test('the downgrade record is disabled until written, and reads back as written in etcd JSON shape', () => {
  const backend = new MemoryBackend();
  assert.deepEqual(readDowngradeInfo(backend), { enabled: false, targetVersion: '' });
  backend.write((tx) => writeDowngradeInfo(tx, { enabled: true, targetVersion: '3.4.0' }));
  assert.deepEqual(readDowngradeInfo(backend), { enabled: true, targetVersion: '3.4.0' });
  assert.equal(Buffer.from(backend.get('cluster', Buffer.from('downgrade'))!).toString(), '{"target-version":"3.4.0","enabled":true}');
  backend.write((tx) => writeDowngradeInfo(tx, { enabled: false, targetVersion: '' }));
  assert.deepEqual(readDowngradeInfo(backend), { enabled: false, targetVersion: '' });
  assert.equal(Buffer.from(backend.get('cluster', Buffer.from('downgrade'))!).toString(), '{"enabled":false}');
});

test('a downgrade record that does not parse stops the read instead of reading as disabled', () => {
  const backend = new MemoryBackend();
  backend.write((tx) => tx.put('cluster', Buffer.from('downgrade'), Buffer.from('{"enabled":"yes"}')));
  assert.throws(() => readDowngradeInfo(backend), /corrupt downgrade record/);
});
