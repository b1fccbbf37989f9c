// TLS on the client port of the target (E2E_TARGET=cairn|etcd): etcdctl over TLS and mutual TLS, clients with no,
// expired or foreign certificates refused (logged with the reason, nothing written), the JSON gateway and /health
// over https, --auto-tls, and the startup errors for bad certificate files and cipher suite names. Certificates
// are made by the test (tests/support/certificates.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestCertificates, type TestCertificates } from '../support/certificates.ts';
import { etcdctl, etcdctlBinaryPath, skipUnlessInstalled, type EtcdctlResult } from '../support/etcdctl.ts';
import { freePorts, loopbackHost } from '../support/ports.ts';
import { removeTempDir, trackTempDir } from '../support/child-cleanup.ts';
import type { MemberHandle } from '../support/processes.ts';
import { fromBase64, runTargetCommand, target, targetUnavailableReason, toBase64, waitFor } from './target.ts';
import { httpsRequest, spawnMember, waitHealthy, type ClientCredentials } from './tls-support.ts';

describe(`TLS on the ${target} client port`, { skip: skipUnlessInstalled(etcdctlBinaryPath) }, () => {
  let folder: string;
  let certificates: TestCertificates;
  const members: MemberHandle[] = [];

  before(async () => {
    assert.equal(targetUnavailableReason(), undefined);
    folder = await mkdtemp(path.join(os.tmpdir(), `cairn-e2e-tls-${target}-`));
    trackTempDir(folder);
    certificates = await createTestCertificates(folder, 0);
  });
  after(async () => {
    for (const member of members) await member.stop();
    removeTempDir(folder);
  });

  /** Starts a single member with an https client URL and `flags`; resolves once /health answers over https. */
  async function startSecure(name: string, flags: string[], probe: ClientCredentials): Promise<MemberHandle> {
    const [clientPort, peerPort] = await freePorts(2);
    const urls = { name, clientUrl: `https://${loopbackHost}:${clientPort}`, peerUrl: `http://${loopbackHost}:${peerPort}` };
    const member = spawnMember(urls, `${name}=${urls.peerUrl}`, folder, flags);
    members.push(member);
    await waitHealthy(member, probe);
    return member;
  }

  const serverFlags = (): string[] => ['--cert-file', certificates.server.certificateFile, '--key-file', certificates.server.keyFile];
  const asClient = (member: MemberHandle, args: readonly string[], tlsFlags: readonly string[]): Promise<EtcdctlResult> =>
    etcdctl([...tlsFlags, '--dial-timeout=2s', '--command-timeout=3s', ...args], { endpoints: member.clientUrl, timeoutMs: 10_000 });

  describe('mutual TLS with --client-cert-auth', () => {
    let member: MemberHandle;
    let trusted: string[];
    before(async () => {
      const client = certificates.client;
      member = await startSecure('mtls', [...serverFlags(), '--trusted-ca-file', certificates.caFile, '--client-cert-auth'], {
        caFile: certificates.caFile, certificateFile: client.certificateFile, keyFile: client.keyFile,
      });
      trusted = ['--cacert', certificates.caFile, '--cert', client.certificateFile, '--key', client.keyFile];
    });

    test('etcdctl with a client certificate signed by the trusted CA writes and reads', async () => {
      const put = await asClient(member, ['put', 'mtls-key', 'mtls-value'], trusted);
      assert.equal(put.code, 0, put.stderr);
      const get = await asClient(member, ['get', 'mtls-key', '--print-value-only'], trusted);
      assert.equal(get.stdout, 'mtls-value\n');
    });

    test('clients without a certificate, with an expired one or with one from another CA are refused, and nothing is written', async () => {
      const refused = {
        none: ['--cacert', certificates.caFile],
        expired: ['--cacert', certificates.caFile, '--cert', certificates.expiredClient.certificateFile, '--key', certificates.expiredClient.keyFile],
        foreign: ['--cacert', certificates.caFile, '--cert', certificates.foreignClient.certificateFile, '--key', certificates.foreignClient.keyFile],
      };
      for (const [kind, flags] of Object.entries(refused)) {
        const result = await asClient(member, ['put', `refused-${kind}`, 'x'], flags);
        assert.notEqual(result.code, 0, `a client with ${kind} certificate was let in: ${result.stdout}`);
      }
      const left = await asClient(member, ['get', 'refused-', '--prefix', '--keys-only'], trusted);
      assert.equal(left.code, 0, left.stderr);
      assert.equal(left.stdout, '');
    });

    test('the server logs why it refused an expired client certificate, with the remote address', async () => {
      const expired = certificates.expiredClient;
      await asClient(member, ['get', 'x'], ['--cacert', certificates.caFile, '--cert', expired.certificateFile, '--key', expired.keyFile]);
      // etcd: "... certificate has expired or is not yet valid"; Cairn: OpenSSL's "certificate has expired".
      const line = await waitFor(() => member.log.text().split('\n').find((text) => /rejected connection/.test(text) && /certificate has expired/.test(text)), 5_000, 'no log line about the expired certificate');
      assert.match(line, /127\.0\.0\.1:\d+/);
    });

    test('the JSON gateway and /health answer over https to a client with a certificate, and refuse one without', async () => {
      const client = { caFile: certificates.caFile, certificateFile: certificates.client.certificateFile, keyFile: certificates.client.keyFile };
      const put = await httpsRequest(`${member.clientUrl}/v3/kv/put`, client, 'POST', JSON.stringify({ key: toBase64('gateway-key'), value: toBase64('gateway-value') }));
      assert.equal(put.status, 200, put.body);
      const range = await httpsRequest(`${member.clientUrl}/v3/kv/range`, client, 'POST', JSON.stringify({ key: toBase64('gateway-key') }));
      const kvs = (JSON.parse(range.body) as { kvs?: Array<{ value: string }> }).kvs ?? [];
      assert.equal(fromBase64(kvs[0]?.value), 'gateway-value');
      await assert.rejects(httpsRequest(`${member.clientUrl}/health`, { caFile: certificates.caFile }));
    });
  });

  describe('server TLS without client certificates', () => {
    let member: MemberHandle;
    before(async () => {
      member = await startSecure('tls', serverFlags(), { caFile: certificates.caFile });
    });

    test('etcdctl with --cacert writes and reads over TLS', async () => {
      const put = await asClient(member, ['put', 'tls-key', 'tls-value'], ['--cacert', certificates.caFile]);
      assert.equal(put.code, 0, put.stderr);
      const get = await asClient(member, ['get', 'tls-key', '--print-value-only'], ['--cacert', certificates.caFile]);
      assert.equal(get.stdout, 'tls-value\n');
    });

    test('a client that trusts another CA refuses the server, and writes nothing', async () => {
      const put = await asClient(member, ['put', 'untrusted-key', 'x'], ['--cacert', certificates.otherCaFile]);
      assert.notEqual(put.code, 0);
      const get = await asClient(member, ['get', 'untrusted-key', '--keys-only'], ['--cacert', certificates.caFile]);
      assert.equal(get.stdout, '');
    });
  });

  test('--auto-tls serves a self-signed certificate kept in <data-dir>/fixtures/client, usable with etcdctl --insecure-skip-tls-verify', async () => {
    const member = await startSecure('auto', ['--auto-tls'], { insecure: true });
    const put = await asClient(member, ['put', 'auto-key', 'auto-value'], ['--insecure-transport=false', '--insecure-skip-tls-verify']);
    assert.equal(put.code, 0, put.stderr);
    const get = await asClient(member, ['get', 'auto-key', '--print-value-only'], ['--insecure-transport=false', '--insecure-skip-tls-verify']);
    assert.equal(get.stdout, 'auto-value\n');
    assert.ok(existsSync(path.join(member.dataDir, 'fixtures', 'client', 'cert.pem')));
    assert.ok(existsSync(path.join(member.dataDir, 'fixtures', 'client', 'key.pem')));
    // Nobody trusts a self-signed certificate: a verifying client refuses it.
    const verified = await asClient(member, ['get', 'auto-key'], ['--cacert', certificates.caFile]);
    assert.notEqual(verified.code, 0);
  });

  describe('startup errors', () => {
    /** Runs the target with an https client URL and `flags`; it must exit with an error. */
    async function failedStart(flags: string[]): Promise<string> {
      const [clientPort, peerPort] = await freePorts(2);
      const clientUrl = `https://${loopbackHost}:${clientPort}`;
      const peerUrl = `http://${loopbackHost}:${peerPort}`;
      const result = await runTargetCommand([
        '--data-dir', path.join(folder, `failed-${clientPort}`),
        '--listen-client-urls', clientUrl, '--advertise-client-urls', clientUrl,
        '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl, '--initial-cluster', `default=${peerUrl}`,
        ...flags,
      ], { timeoutMs: 20_000 });
      assert.equal(result.timedOut, false, 'the server started instead of failing');
      assert.notEqual(result.code, 0);
      return result.stdout + result.stderr;
    }

    test('a missing key file stops the start, naming the file', async () => {
      const missing = path.join(folder, 'missing-key.pem');
      const output = await failedStart(['--cert-file', certificates.server.certificateFile, '--key-file', missing]);
      assert.ok(output.includes(missing), output.slice(-500));
      assert.match(output, /no such file or directory/);
    });

    test('a key that does not match the certificate stops the start', async () => {
      const output = await failedStart(['--cert-file', certificates.server.certificateFile, '--key-file', certificates.client.keyFile]);
      assert.match(output, /private key does not match public key/);
    });

    test('an unknown cipher suite name stops the start with etcd error', async () => {
      const output = await failedStart([...serverFlags(), '--cipher-suites', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,NOT_A_SUITE']);
      assert.match(output, /unexpected TLS cipher suite \\?"NOT_A_SUITE\\?"/);
    });

    test('an https client URL without a certificate stops the start', async () => {
      const output = await failedStart([]);
      assert.match(output, /TLS key\/cert \(--cert-file, --key-file\) must be provided for client url https:\/\/127\.0\.0\.1:\d+ with HTTPS scheme/);
    });
  });
});
