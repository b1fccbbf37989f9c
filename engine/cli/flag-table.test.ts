import { test } from 'node:test';
import assert from 'node:assert/strict';
import { environmentName } from './flag-spec.ts';
import { findFlag, flagTable } from './flag-table.ts';
import { parseFlagValue } from './flag-value.ts';
import { flagListText } from './help-text.ts';

test('flag names are unique and spelled as etcd spells them', () => {
  const names = flagTable.map((spec) => spec.name);
  assert.equal(new Set(names).size, names.length);
  for (const name of names) assert.match(name, /^[a-z0-9][a-z0-9.-]*$/);
});

test('every default parses by the same rules as user input', () => {
  for (const spec of flagTable) {
    const parsed = parseFlagValue(spec, spec.defaultValue);
    assert.ok('value' in parsed, `default of --${spec.name}: ${JSON.stringify(parsed)}`);
  }
});

test('every choice flag default is one of its choices', () => {
  for (const spec of flagTable.filter((candidate) => candidate.kind === 'choice')) {
    assert.ok(spec.choices?.includes(spec.defaultValue), spec.name);
  }
});

test('--help lists every flag except usage and ignored ones', () => {
  const text = flagListText();
  for (const spec of flagTable) {
    const listed = text.includes(`\n  --${spec.name} '`);
    assert.equal(listed, spec.section !== 'Usage' && spec.section !== 'Ignored', spec.name);
  }
});

test('the brief-listed etcd flags all exist', () => {
  const required = [
    'name', 'data-dir', 'wal-dir', 'listen-client-urls', 'advertise-client-urls', 'listen-peer-urls', 'initial-advertise-peer-urls',
    'initial-cluster', 'initial-cluster-state', 'initial-cluster-token', 'snapshot-count', 'heartbeat-interval', 'election-timeout',
    'quota-backend-bytes', 'max-request-bytes', 'max-txn-ops', 'auto-compaction-mode', 'auto-compaction-retention', 'force-new-cluster',
    'strict-reconfig-check', 'max-concurrent-streams', 'listen-metrics-urls', 'experimental-initial-corrupt-check', 'config-file',
    'log-level', 'logger', 'log-outputs', 'version', 'cert-file', 'key-file', 'trusted-ca-file', 'client-cert-auth', 'auto-tls',
    'cipher-suites', 'tls-min-version', 'tls-max-version', 'peer-cert-file', 'peer-key-file', 'peer-trusted-ca-file',
    'peer-client-cert-auth', 'peer-auto-tls', 'peer-cert-allowed-cn', 'auth-token', 'auth-token-ttl', 'bcrypt-cost', 'enable-v2',
    'enable-pprof', 'metrics', 'max-snapshots', 'max-wals', 'listen-client-http-urls', 'grpc-keepalive-min-time',
    'grpc-keepalive-interval', 'grpc-keepalive-timeout', 'enable-grpc-gateway', 'debug',
  ];
  for (const name of required) assert.ok(findFlag(name), name);
});

test('environment names are ETCD_ plus the upper-snake flag name', () => {
  assert.equal(environmentName('initial-cluster-token'), 'ETCD_INITIAL_CLUSTER_TOKEN');
  assert.equal(environmentName('experimental-initial-corrupt-check'), 'ETCD_EXPERIMENTAL_INITIAL_CORRUPT_CHECK');
});
