import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalTls } from './local-tls.ts';

function temporaryDirectory(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'cairn-local-tls-'));
}

test('enabling makes a CA and server, peer and client certificates that chain to it, with the loopback SANs and private keys only the user can read', async () => {
  const root = temporaryDirectory();
  try {
    const tls = new LocalTls(path.join(root, 'local-tls'));
    assert.equal(tls.enabled(), false);
    assert.equal(await tls.enable(), true, 'new certificates were made');
    const files = tls.files();
    const ca = new X509Certificate(readFileSync(files.caFile));
    assert.equal(ca.ca, true);
    for (const [certificateFile, keyFile] of [
      [files.serverCertificateFile, files.serverKeyFile], [files.peerCertificateFile, files.peerKeyFile], [files.clientCertificateFile, files.clientKeyFile],
    ] as const) {
      const certificate = new X509Certificate(readFileSync(certificateFile));
      assert.equal(certificate.verify(ca.publicKey), true, `${certificateFile} is signed by the CA`);
      assert.equal(certificate.checkPrivateKey(createPrivateKey(readFileSync(keyFile))), true);
      assert.equal(certificate.ca, false);
      assert.equal(statSync(keyFile).mode & 0o777, 0o600, `${keyFile} is private`);
    }
    const server = new X509Certificate(readFileSync(files.serverCertificateFile));
    assert.equal(server.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(server.checkHost('localhost'), 'localhost');
    assert.deepEqual(server.keyUsage?.sort(), ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'], 'the server certificate serves and also dials the leader');
    const client = new X509Certificate(readFileSync(files.clientCertificateFile));
    assert.match(client.subject, /CN=root/);
    assert.deepEqual(client.keyUsage, ['1.3.6.1.5.5.7.3.2']);
    assert.equal(statSync(path.join(root, 'local-tls')).mode & 0o777, 0o700);
    const state = tls.state();
    assert.equal(state.enabled, true);
    assert.equal(state.files.length, 8);
    assert.ok(Date.parse(state.expiresAt!) > Date.now() + 365 * 24 * 3600_000);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the setting survives a restart; valid certificates are reused and damaged ones are made again', async () => {
  const root = temporaryDirectory();
  try {
    const directory = path.join(root, 'local-tls');
    await new LocalTls(directory).enable();
    const reopened = new LocalTls(directory);
    assert.equal(reopened.enabled(), true, 'persisted');
    const before = readFileSync(reopened.files().caFile, 'utf8');
    assert.equal(await reopened.enable(), false, 'nothing to make');
    assert.equal(readFileSync(reopened.files().caFile, 'utf8'), before);
    reopened.disable();
    assert.equal(new LocalTls(directory).enabled(), false);
    writeFileSync(reopened.files().peerKeyFile, 'not a key', { mode: 0o600 });
    assert.equal(await reopened.enable(), true, 'a damaged key makes a new set');
    assert.notEqual(readFileSync(reopened.files().caFile, 'utf8'), before);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('certificates about to expire are made again', async () => {
  const root = temporaryDirectory();
  try {
    const directory = path.join(root, 'local-tls');
    await new LocalTls(directory).enable();
    const inTwoYears = new LocalTls(directory, () => new Date(Date.now() + 2 * 365 * 24 * 3600_000 - 10 * 24 * 3600_000));
    assert.equal(await inTwoYears.enable(), true);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
