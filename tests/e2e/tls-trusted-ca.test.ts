// What a trusted CA file does without client certificate auth (E2E_TARGET=cairn|etcd). etcd's
// TLSInfo.ServerConfig requires and verifies client certificates whenever a trusted CA file is given
// (tls.RequireAndVerifyClientCert), with or without --client-cert-auth / --peer-client-cert-auth; the flag only
// decides whether the certificate's Common Name names the caller. --auto-tls / --peer-auto-tls replace the
// side's whole TLS settings with the self-signed certificate, so a CA file or client cert auth given with them
// is dropped and no client certificate is asked for.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestCertificates, type TestCertificates } from '../support/certificates.ts';
import { etcdctl, etcdctlBinaryPath, skipUnlessInstalled, type EtcdctlResult } from '../support/etcdctl.ts';
import { freePorts, loopbackHost } from '../support/ports.ts';
import { removeTempDir, trackTempDir } from '../support/child-cleanup.ts';
import type { MemberHandle } from '../support/processes.ts';
import { target, targetUnavailableReason, toBase64 } from './target.ts';
import { httpsRequest, spawnMember, waitHealthy, type ClientCredentials } from './tls-support.ts';

describe(`a trusted CA without client certificate auth on ${target}`, { skip: skipUnlessInstalled(etcdctlBinaryPath) }, () => {
  let folder: string;
  let certificates: TestCertificates;
  const members: MemberHandle[] = [];

  before(async () => {
    assert.equal(targetUnavailableReason(), undefined);
    folder = await mkdtemp(path.join(os.tmpdir(), `cairn-e2e-tls-ca-${target}-`));
    trackTempDir(folder);
    certificates = await createTestCertificates(folder, 1);
  });
  after(async () => {
    for (const member of members) await member.stop();
    removeTempDir(folder);
  });

  /**
   * Starts one member with an https client URL (`probe`: how /health is asked over https) or a plain one
   * (`probe` undefined), an https or plain peer URL, and `flags`; resolves once it is ready.
   */
  async function start(name: string, peerScheme: 'http' | 'https', flags: string[], probe: ClientCredentials | undefined): Promise<MemberHandle> {
    const [clientPort, peerPort] = await freePorts(2);
    const clientScheme = probe === undefined ? 'http' : 'https';
    const urls = { name, clientUrl: `${clientScheme}://${loopbackHost}:${clientPort}`, peerUrl: `${peerScheme}://${loopbackHost}:${peerPort}` };
    const member = spawnMember(urls, `${name}=${urls.peerUrl}`, folder, flags);
    members.push(member);
    if (probe === undefined) await member.waitReady();
    else await waitHealthy(member, probe);
    return member;
  }

  const asClient = (member: MemberHandle, args: readonly string[], tlsFlags: readonly string[]): Promise<EtcdctlResult> =>
    etcdctl([...tlsFlags, '--dial-timeout=2s', '--command-timeout=3s', ...args], { endpoints: member.clientUrl, timeoutMs: 10_000 });

  describe('--trusted-ca-file alone on the client port', () => {
    let member: MemberHandle;
    let withCertificate: string[];
    before(async () => {
      const client = certificates.client;
      member = await start('ca-client', 'http', [
        '--cert-file', certificates.server.certificateFile, '--key-file', certificates.server.keyFile, '--trusted-ca-file', certificates.caFile,
      ], { caFile: certificates.caFile, certificateFile: client.certificateFile, keyFile: client.keyFile });
      withCertificate = ['--cacert', certificates.caFile, '--cert', client.certificateFile, '--key', client.keyFile];
    });

    test('a client without a certificate, or with one from another CA, is refused; one signed by the CA is served', async () => {
      const foreign = certificates.foreignClient;
      for (const [kind, flags] of Object.entries({
        none: ['--cacert', certificates.caFile],
        foreign: ['--cacert', certificates.caFile, '--cert', foreign.certificateFile, '--key', foreign.keyFile],
      })) {
        const put = await asClient(member, ['put', `refused-${kind}`, 'x'], flags);
        assert.notEqual(put.code, 0, `a client with ${kind} certificate was let in: ${put.stdout}`);
      }
      await assert.rejects(httpsRequest(`${member.clientUrl}/health`, { caFile: certificates.caFile }));
      const put = await asClient(member, ['put', 'ca-key', 'ca-value'], withCertificate);
      assert.equal(put.code, 0, put.stderr);
      const left = await asClient(member, ['get', '', '--prefix', '--keys-only'], withCertificate);
      assert.equal(left.stdout, 'ca-key\n\n', 'only the write of the client with a trusted certificate landed');
    });

    test('with auth enabled, the certificate\'s Common Name names nobody: the gRPC call needs a user, the gateway does not refuse the certificate', async () => {
      const admin = [...withCertificate, '--user', 'root:rootpw'];
      for (const args of [
        ['user', 'add', 'root:rootpw'], ['role', 'add', 'writer'], ['role', 'grant-permission', 'writer', 'readwrite', 'cn-key'],
        ['user', 'add', 'alice:alicepw'], ['user', 'grant-role', 'alice', 'writer'], ['auth', 'enable'],
      ]) {
        const result = await asClient(member, args, withCertificate);
        assert.equal(result.code, 0, `etcdctl ${args.join(' ')}: ${result.stderr}`);
      }
      // The client certificate's CN is alice, who may write cn-key: under --client-cert-auth this would succeed.
      const asCertificate = await asClient(member, ['put', 'cn-key', 'x'], withCertificate);
      assert.notEqual(asCertificate.code, 0);
      assert.match(asCertificate.stderr, /etcdserver: user name is empty/);
      const asAlice = await asClient(member, ['put', 'cn-key', 'y'], [...withCertificate, '--user', 'alice:alicepw']);
      assert.equal(asAlice.code, 0, asAlice.stderr);
      // etcd refuses a gateway request for its certificate's CN only under --client-cert-auth.
      const client = { caFile: certificates.caFile, certificateFile: certificates.client.certificateFile, keyFile: certificates.client.keyFile };
      const login = await httpsRequest(`${member.clientUrl}/v3/auth/authenticate`, client, 'POST', JSON.stringify({ name: 'alice', password: 'alicepw' }));
      assert.equal(login.status, 200, login.body);
      const token = (JSON.parse(login.body) as { token: string }).token;
      const put = await httpsRequest(`${member.clientUrl}/v3/kv/put`, client, 'POST', JSON.stringify({ key: toBase64('cn-key'), value: toBase64('z') }), { authorization: token });
      assert.equal(put.status, 200, put.body);
      const disable = await asClient(member, ['auth', 'disable'], admin);
      assert.equal(disable.code, 0, disable.stderr);
    });
  });

  test('--peer-trusted-ca-file alone makes the peer port require a certificate signed by the CA', async () => {
    const peer = certificates.peers[0]!;
    const member = await start('ca-peer', 'https', [
      '--peer-cert-file', peer.certificateFile, '--peer-key-file', peer.keyFile, '--peer-trusted-ca-file', certificates.caFile,
    ], undefined);
    await assert.rejects(httpsRequest(`${member.peerUrl}/version`, { caFile: certificates.caFile }), 'a peer without a certificate was let in');
    await assert.rejects(
      httpsRequest(`${member.peerUrl}/version`, { caFile: certificates.caFile, certificateFile: certificates.foreignPeer.certificateFile, keyFile: certificates.foreignPeer.keyFile }),
      'a peer with a certificate from another CA was let in',
    );
    const version = await httpsRequest(`${member.peerUrl}/version`, { caFile: certificates.caFile, certificateFile: peer.certificateFile, keyFile: peer.keyFile });
    assert.equal(version.status, 200, version.body);
    assert.match(version.body, /"etcdserver"/);
  });

  test('--peer-auto-tls drops --peer-client-cert-auth and --peer-trusted-ca-file: a peer without a certificate is served', async () => {
    const member = await start('auto-peer', 'https', ['--peer-auto-tls', '--peer-client-cert-auth', '--peer-trusted-ca-file', certificates.caFile], undefined);
    const version = await httpsRequest(`${member.peerUrl}/version`, { insecure: true });
    assert.equal(version.status, 200, version.body);
  });

  test('--auto-tls drops --client-cert-auth and --trusted-ca-file: a client without a certificate is served', async () => {
    const member = await start('auto-client', 'http', ['--auto-tls', '--client-cert-auth', '--trusted-ca-file', certificates.caFile], { insecure: true });
    const put = await asClient(member, ['put', 'auto-key', 'auto-value'], ['--insecure-transport=false', '--insecure-skip-tls-verify']);
    assert.equal(put.code, 0, put.stderr);
  });
});
