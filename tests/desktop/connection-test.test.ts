// "Test connection" names real failures in plain words: each case below produces the failure for real (a closed
// port, a name that does not resolve, a server that never answers, TLS servers with certificates made by
// openssl, a gRPC server that refuses the password) and checks the category and the message.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { etcdGrpcObject } from '../../engine/proto/load.ts';
import type { ConnectionFailureKind, ConnectionTestReport } from '../../electron/common/contract.ts';
import { testConnection } from '../../electron/main/connections/connection-test.ts';
import { checkTls } from '../../electron/main/connections/tls-check.ts';
import type { ConnectionSettings } from '../../electron/main/etcd/etcd-connection.ts';
import { freePort, loopbackHost } from '../support/ports.ts';
import { startCairn, type ClusterHandle } from '../support/processes.ts';
import { removeTempDir, trackTempDir } from '../support/child-cleanup.ts';
import { createTestCertificates, opensslAvailable, type CertificatePair, type TestCertificates } from './support/test-certificates.ts';

/** Step timeout for these tests: short, since every failure here is local. */
const stepTimeoutMs = 1_500;

const closers: Array<() => Promise<void> | void> = [];

async function listen<T extends net.Server>(server: T): Promise<number> {
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, loopbackHost, () => resolve()));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as net.AddressInfo).port;
}

function tlsServer(pair: CertificatePair, options: tls.TlsOptions = {}): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ cert: pair.certPem, key: pair.keyPem, ALPNProtocols: ['h2'], ...options }, (socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  server.on('tlsClientError', () => undefined);
  closers.push(() => sockets.forEach((socket) => socket.destroy()));
  return listen(server);
}

function failureOf(report: ConnectionTestReport): { kind: ConnectionFailureKind; message: string } {
  assert.equal(report.ok, false, `expected a failure, got ${JSON.stringify(report)}`);
  const [failure] = report.ok ? [] : report.failures;
  assert.ok(failure);
  return failure;
}

async function expectFailure(settings: ConnectionSettings, kind: ConnectionFailureKind, message: RegExp): Promise<void> {
  const failure = failureOf(await testConnection(settings, stepTimeoutMs));
  assert.equal(failure.kind, kind, `${failure.kind}: ${failure.message}`);
  assert.match(failure.message, message);
}

describe('test connection explains failures in plain words', () => {
  let certificates: TestCertificates | undefined;
  let member: ClusterHandle | undefined;
  let root = '';

  before(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'cairn-connection-test-'));
    trackTempDir(root);
    if (opensslAvailable()) certificates = createTestCertificates(path.join(root, 'certificates'));
  });

  after(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await member?.stop();
    removeTempDir(root);
  });

  test('a port nothing listens on: connection refused', async () => {
    const port = await freePort();
    await expectFailure({ endpoints: [`127.0.0.1:${port}`] }, 'connection-refused', /Nothing is listening on 127\.0\.0\.1:\d+ \(connection refused\)/);
  });

  test('a host name that does not exist: DNS', async () => {
    await expectFailure({ endpoints: ['cairn-no-such-host.invalid:2379'] }, 'dns-not-found', /cairn-no-such-host\.invalid/);
  });

  test('a server that accepts connections but never answers: timeout', async () => {
    const sockets = new Set<net.Socket>();
    const port = await listen(net.createServer((socket) => sockets.add(socket)));
    closers.push(() => sockets.forEach((socket) => socket.destroy()));
    await expectFailure({ endpoints: [`127.0.0.1:${port}`] }, 'timeout', /accepted the connection but did not answer as etcd/);
  });

  test('a web server that is not etcd: not an etcd server', async () => {
    const port = await listen(http.createServer((_request, response) => response.writeHead(404).end('not here')));
    await expectFailure({ endpoints: [`http://127.0.0.1:${port}`] }, 'not-etcd', /not as an etcd v3 server/);
  });

  test('a password the cluster refuses: authentication failed', async () => {
    const server = new grpc.Server();
    const api = etcdGrpcObject().etcdserverpb as Record<string, { service: grpc.ServiceDefinition }>;
    const refuse = (_call: unknown, callback: grpc.sendUnaryData<unknown>) =>
      callback({ code: grpc.status.INVALID_ARGUMENT, details: 'etcdserver: authentication failed, invalid user ID or password' } as grpc.ServiceError);
    server.addService(api.Auth!.service, { Authenticate: refuse });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${loopbackHost}:0`, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
    closers.push(() => server.forceShutdown());
    await expectFailure({ endpoints: [`127.0.0.1:${port}`], username: 'alice', password: 'wrong' }, 'auth-failed', /refused the user name or password/);
  });

  test('a real engine member: passes with its version and members', async () => {
    member = await startCairn();
    const report = await testConnection({ endpoints: [member.endpoints[0]!] }, stepTimeoutMs);
    assert.ok(report.ok, JSON.stringify(report));
    assert.equal(report.memberCount, 1);
    assert.match(report.version, /^\d+\.\d+\.\d+/);
    assert.notEqual(report.leaderId, '0');
  });

  describe('TLS (certificates made with openssl)', { skip: opensslAvailable() ? false : 'openssl is not installed' }, () => {
    test('a self-signed server certificate', async () => {
      const port = await tlsServer(certificates!.selfSigned);
      await expectFailure({ endpoints: [`https://127.0.0.1:${port}`] }, 'tls-self-signed', /self-signed certificate/);
    });

    test('a server certificate from a CA the connection does not trust', async () => {
      const port = await tlsServer(certificates!.server);
      await expectFailure({ endpoints: [`https://127.0.0.1:${port}`], tls: { caPem: certificates!.otherCa.certPem } }, 'tls-unknown-ca', /certificate authority this connection does not trust/);
    });

    test('an expired server certificate', async () => {
      const port = await tlsServer(certificates!.expiredServer);
      await expectFailure({ endpoints: [`https://127.0.0.1:${port}`], tls: { caPem: certificates!.ca.certPem } }, 'tls-expired', /has expired/);
    });

    test('a server certificate for another name', async () => {
      const port = await tlsServer(certificates!.otherNameServer);
      await expectFailure({ endpoints: [`https://127.0.0.1:${port}`], tls: { caPem: certificates!.ca.certPem } }, 'tls-name-mismatch', /not issued for that name/);
    });

    test('https to a server without TLS', async () => {
      const port = await listen(http.createServer((_request, response) => response.end('plain')));
      await expectFailure({ endpoints: [`https://127.0.0.1:${port}`], tls: { caPem: certificates!.ca.certPem } }, 'tls-not-offered', /does not speak TLS/);
    });

    test('http to a server that requires TLS', async () => {
      const port = await tlsServer(certificates!.server);
      await expectFailure({ endpoints: [`http://127.0.0.1:${port}`] }, 'tls-required', /requires TLS/);
    });

    test('a server that requires a client certificate', async () => {
      const port = await tlsServer(certificates!.server, { requestCert: true, rejectUnauthorized: true, ca: certificates!.ca.certPem });
      await expectFailure({ endpoints: [`https://127.0.0.1:${port}`], tls: { caPem: certificates!.ca.certPem } }, 'client-certificate-required', /client certificate/);
    });

    test('the TLS check names expiry, key mismatch and uncovered names before connecting', async () => {
      const certs = certificates!;
      const port = await tlsServer(certs.otherNameServer);
      const findings = await checkTls({ caPem: certs.ca.certPem, certPem: certs.client.certPem, keyPem: certs.server.keyPem, endpoints: [`https://127.0.0.1:${port}`] });
      const text = findings.map((finding) => `${finding.level}: ${finding.message}`).join('\n');
      assert.match(text, /ok: The client certificate is signed by the CA "Cairn Test CA"/);
      assert.match(text, /error: The private key does not belong to the client certificate/);
      assert.match(text, /error: The server certificate of 127\.0\.0\.1:\d+ does not cover 127\.0\.0\.1/);
      const expired = await checkTls({ certPem: certs.expiredServer.certPem, keyPem: certs.expiredServer.keyPem });
      assert.match(expired.map((finding) => `${finding.level}: ${finding.message}`).join('\n'), /error: The client certificate "127\.0\.0\.1" expired on/);
      assert.match(expired.map((finding) => `${finding.level}: ${finding.message}`).join('\n'), /ok: The private key belongs to the client certificate/);
    });
  });
});
