// The TLS wizard's main-process side on a real three-member local cluster: `localCluster.setTls` makes the
// certificates and moves the running cluster to https client and peer URLs with client-certificate auth, one member
// at a time, keeping its data and member ids. Proven from outside with etcd's own client: a plain connection and an
// https one without a client certificate are refused, one with the generated CA, certificate and key works. Cairn's
// own client keeps working over TLS, the setting survives an app restart, and switching it off brings http back.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { OperationProgress } from '../../electron/common/contract.ts';
import { fromUtf8, utf8 } from '../../electron/common/wire-codec.ts';
import { etcdctl, skipUnlessInstalled, etcdctlBinaryPath } from '../support/etcdctl.ts';
import { useLocalHost } from './support/local-host.ts';
import { value } from './support/result-value.ts';
import { testClusterSize } from './support/test-cluster.ts';

const local = { connectionId: 'local' };

describe(`the local cluster switched to TLS with client-certificate auth (${testClusterSize} members)`, { skip: skipUnlessInstalled(etcdctlBinaryPath) }, () => {
  const app = useLocalHost('cairn-local-tls-');

  test('turning TLS on keeps the data and member ids, reports each step, and Cairn\'s own client keeps working', async () => {
    value(await app.api.keys.put({ ...local, key: utf8('tls/before'), value: utf8('written over http') }));
    const idsBefore = app.host.localCluster.state().members.map((member) => member.memberId);
    const steps: OperationProgress[] = [];
    const subscription = app.api.maintenance.onDidProgress((update) => steps.push(update));
    const started = Date.now();
    const tls = value(await app.api.localCluster.setTls({ enabled: true, operationId: 'tls-on' }));
    const elapsedMs = Date.now() - started;
    subscription.dispose();
    assert.equal(tls.enabled, true);
    assert.equal(tls.files.length, 8);
    assert.ok(tls.files.every((file) => file.path.startsWith(path.join(app.root, 'local-tls'))));
    assert.ok(steps.some((step) => /Moving member-1 to peer URL https:/.test(step.step)), steps.map((step) => step.step).join('\n'));
    assert.equal(steps.at(-1)?.phase, 'done');
    const state = app.host.localCluster.state();
    assert.equal(state.tls, true);
    assert.deepEqual(state.members.map((member) => member.memberId), idsBefore, 'the same members');
    assert.ok(state.members.every((member) => member.clientUrl.startsWith('https://') && member.peerUrl.startsWith('https://')), JSON.stringify(state.members));
    assert.equal(fromUtf8(value(await app.api.keys.get({ ...local, key: utf8('tls/before') })).kv!.value), 'written over http');
    value(await app.api.keys.put({ ...local, key: utf8('tls/after'), value: utf8('written over https') }));
    const overview = value(await app.api.cluster.overview(local));
    assert.ok(overview.members.every((member) => member.peerUrls.every((url) => url.startsWith('https://'))), 'the cluster knows every member by its https peer URL');
    assert.ok(overview.members.every((member) => member.status?.reachable === true));
    const report = value(await app.api.connections.test({ id: 'local' }));
    assert.equal(report.ok, true, JSON.stringify(report));
    console.log(`TLS switched on in ${elapsedMs} ms`);
  });

  test('etcdctl is refused without TLS and without a client certificate, and works with the generated files', async () => {
    const tls = value(await app.api.localCluster.tls());
    const file = (role: string, kind: string): string => tls.files.find((entry) => entry.role === role && entry.kind === kind)!.path;
    const httpsEndpoint = app.host.localCluster.clientUrls()[0]!;
    const plain = await etcdctl(['get', 'tls/before', '--dial-timeout=2s', '--command-timeout=3s'], { endpoints: httpsEndpoint.replace('https://', 'http://') });
    assert.notEqual(plain.code, 0, 'a plain connection is refused');
    const noClientCertificate = await etcdctl(['get', 'tls/before', '--dial-timeout=2s', '--command-timeout=3s', `--cacert=${file('ca', 'certificate')}`], { endpoints: httpsEndpoint });
    assert.notEqual(noClientCertificate.code, 0, 'https without a client certificate is refused');
    const withCertificate = await etcdctl([
      'get', 'tls/', '--prefix', `--cacert=${file('ca', 'certificate')}`, `--cert=${file('client', 'certificate')}`, `--key=${file('client', 'private-key')}`,
    ], { endpoints: app.host.localCluster.clientUrls() });
    assert.equal(withCertificate.code, 0, withCertificate.stderr);
    assert.match(withCertificate.stdout, /tls\/after\nwritten over https/);
    assert.match(withCertificate.stdout, /tls\/before\nwritten over http/);
  });

  test('TLS stays on across an app restart, and switching it off serves plain http again with the same data', async () => {
    await app.restart();
    assert.equal(app.host.localCluster.state().tls, true);
    assert.ok(app.host.localCluster.clientUrls().every((url) => url.startsWith('https://')));
    assert.equal(fromUtf8(value(await app.api.keys.get({ ...local, key: utf8('tls/after') })).kv!.value), 'written over https');
    const off = value(await app.api.localCluster.setTls({ enabled: false, operationId: 'tls-off' }));
    assert.equal(off.enabled, false);
    const state = app.host.localCluster.state();
    assert.ok(state.members.every((member) => member.clientUrl.startsWith('http://') && member.peerUrl.startsWith('http://')), JSON.stringify(state.members));
    const plain = await etcdctl(['get', 'tls/after'], { endpoints: app.host.localCluster.clientUrls() });
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /written over https/);
  });
});
