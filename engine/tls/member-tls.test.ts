import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestCertificates, type TestCertificates } from '../../tests/support/certificates.ts';
import type { TlsSideSettings } from '../common/tls-settings.ts';
import { resolveSideTls, type TlsSideContext } from './member-tls.ts';

let folder: string;
let certificates: TestCertificates;
const protocol = { cipherSuites: [], tlsMinVersion: 'TLS1.2', tlsMaxVersion: undefined } as const;

before(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'cairn-member-tls-'));
  certificates = await createTestCertificates(folder, 0);
});
after(async () => {
  await rm(folder, { recursive: true, force: true });
});

function settings(overrides: Partial<TlsSideSettings>): TlsSideSettings {
  return {
    certificateFile: '', keyFile: '', trustedCaFile: '', clientCertificateAuth: false, autoTls: false,
    clientCertificateFile: '', clientKeyFile: '', revocationListFile: '', allowedHostnames: [], ...overrides,
  };
}

function context(name: string): TlsSideContext {
  return { flagPrefix: '', autoTlsDirectory: path.join(folder, name), hosts: ['127.0.0.1'], validityYears: 1, warn: () => undefined };
}

const withFiles = (): Partial<TlsSideSettings> => ({ certificateFile: certificates.server.certificateFile, keyFile: certificates.server.keyFile });

test('a trusted CA file alone requires and verifies client certificates (etcd\'s ServerConfig), without naming callers', async () => {
  const side = (await resolveSideTls(settings({ ...withFiles(), trustedCaFile: certificates.caFile }), protocol, context('ca-only')))!;
  assert.equal(side.server.requestCert, true);
  assert.equal(side.server.rejectUnauthorized, true);
  assert.ok(side.server.ca !== undefined);
  assert.equal(side.requireClientCertificate, true);
  assert.equal(side.clientCertificateAuth, false, 'the CN names the caller only under --client-cert-auth');
});

test('client certificate auth requires client certificates with or without a CA file; neither asks for none', async () => {
  const withAuth = (await resolveSideTls(settings({ ...withFiles(), clientCertificateAuth: true }), protocol, context('auth-only')))!;
  assert.equal(withAuth.server.requestCert, true);
  assert.equal(withAuth.clientCertificateAuth, true);
  const plain = (await resolveSideTls(settings(withFiles()), protocol, context('plain')))!;
  assert.equal(plain.server.requestCert, false);
  assert.equal(plain.server.rejectUnauthorized, false);
  assert.equal(plain.requireClientCertificate, false);
});

test('--auto-tls drops the CA file and client certificate auth given with it, as etcd\'s SelfCert replaces the whole side', async () => {
  const side = (await resolveSideTls(settings({ autoTls: true, trustedCaFile: certificates.caFile, clientCertificateAuth: true }), protocol, context('auto')))!;
  assert.equal(side.selfSigned, true);
  assert.equal(side.server.requestCert, false);
  assert.equal(side.server.rejectUnauthorized, false);
  assert.equal(side.server.ca, undefined);
  assert.equal(side.clientCertificateAuth, false);
  assert.equal(side.requireClientCertificate, false);
});
