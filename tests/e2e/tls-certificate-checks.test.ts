// Checks of client and peer certificates beyond the CA (E2E_TARGET=cairn|etcd, default cairn): --client-crl-file
// refuses a revoked client certificate (logged with its serial) while others work; --client-cert-allowed-hostname
// admits only certificates valid for that host (SANs); --peer-cert-allowed-hostname admits peers whose certificate
// names the host and refuses a member whose certificate does not. Certificates and the CRL are made by the test.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { createAuthority, writeCertificate, type CertificateFiles, type TestAuthority } from '../support/certificates.ts';
import { etcdctl, etcdctlBinaryPath, skipUnlessInstalled } from '../support/etcdctl.ts';
import { freePorts, loopbackHost } from '../support/ports.ts';
import { removeTempDir, trackTempDir } from '../support/child-cleanup.ts';
import type { MemberHandle } from '../support/processes.ts';
import { target, targetUnavailableReason, waitFor } from './target.ts';
import { spawnMember, waitHealthy } from './tls-support.ts';

/** A CRL signed by `authority` revoking `serials` (hex), as PEM. */
async function revocationList(authority: TestAuthority, serials: string[]): Promise<string> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const der = x509.PemConverter.decode(authority.privateKey)[0]!;
  const signingKey = await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']);
  const crl = await x509.X509CrlGenerator.create({
    issuer: new x509.X509Certificate(authority.certificate).subject,
    thisUpdate: new Date(Date.now() - 60_000),
    nextUpdate: new Date(Date.now() + 86_400_000),
    // With a reason: @peculiar/x509 writes an empty (invalid) extension list for an entry without one.
    entries: serials.map((serialNumber) => ({ serialNumber, revocationDate: new Date(Date.now() - 60_000), reason: x509.X509CrlReason.keyCompromise })),
    signingAlgorithm: algorithm,
    signingKey: signingKey as unknown as Parameters<typeof x509.X509CrlGenerator.create>[0]['signingKey'],
  });
  // Go's x509.ParseCRL recognises PEM only under the "X509 CRL" label (RFC 7468's); @peculiar/x509 writes "CRL".
  return x509.PemConverter.encode(crl.rawData, 'X509 CRL');
}

function serialOf(files: { certificate: string }): string {
  return new x509.X509Certificate(files.certificate).serialNumber;
}

describe(`client and peer certificate checks on ${target}`, { skip: skipUnlessInstalled(etcdctlBinaryPath) }, () => {
  let folder: string;
  let authority: TestAuthority;
  let caFile: string;
  let server: CertificateFiles;
  let good: CertificateFiles;
  let revoked: CertificateFiles;
  let revokedSerial: string;
  let localhostClient: CertificateFiles;
  const members: MemberHandle[] = [];

  before(async () => {
    assert.equal(targetUnavailableReason(), undefined);
    folder = await mkdtemp(path.join(os.tmpdir(), `cairn-e2e-cert-checks-${target}-`));
    trackTempDir(folder);
    authority = await createAuthority('cairn-checks-ca');
    caFile = path.join(folder, 'ca.pem');
    await writeFile(caFile, authority.certificate);
    server = await writeCertificate(folder, 'server', await authority.sign({ commonName: 'server', ips: ['127.0.0.1'], dnsNames: ['localhost'] }));
    good = await writeCertificate(folder, 'good', await authority.sign({ commonName: 'good' }));
    const revokedPem = await authority.sign({ commonName: 'revoked' });
    revoked = await writeCertificate(folder, 'revoked', revokedPem);
    revokedSerial = serialOf(revokedPem);
    localhostClient = await writeCertificate(folder, 'localhost-client', await authority.sign({ commonName: 'named', dnsNames: ['localhost'] }));
    await writeFile(path.join(folder, 'crl.pem'), await revocationList(authority, [revokedSerial]));
  });
  after(async () => {
    for (const member of members) await member.stop();
    removeTempDir(folder);
  });

  /** Starts one member with an https client URL, client-cert-auth and `flags`; `probe` must be a certificate it accepts. */
  async function startMember(name: string, flags: string[], probe: CertificateFiles): Promise<MemberHandle> {
    const [client, peer] = await freePorts(2);
    const urls = { name, clientUrl: `https://${loopbackHost}:${client}`, peerUrl: `http://${loopbackHost}:${peer}` };
    const member = spawnMember(urls, `${name}=${urls.peerUrl}`, folder, [
      '--cert-file', server.certificateFile, '--key-file', server.keyFile, '--trusted-ca-file', caFile, '--client-cert-auth', ...flags,
    ]);
    members.push(member);
    await waitHealthy(member, { caFile, certificateFile: probe.certificateFile, keyFile: probe.keyFile });
    return member;
  }

  const put = (member: MemberHandle, client: CertificateFiles) =>
    etcdctl(['--dial-timeout=2s', '--command-timeout=3s', '--cacert', caFile, '--cert', client.certificateFile, '--key', client.keyFile, 'put', 'checked', client.certificateFile], { endpoints: member.clientUrl });

  test('--client-crl-file refuses a revoked client certificate and logs its serial; others work', async () => {
    const member = await startMember('crl', ['--client-crl-file', path.join(folder, 'crl.pem')], good);
    const accepted = await put(member, good);
    assert.equal(accepted.code, 0, accepted.stderr);
    const refused = await put(member, revoked);
    assert.notEqual(refused.code, 0, 'a revoked certificate was accepted');
    // etcd and Cairn: "transport: certificate serial <hex> revoked".
    const serial = revokedSerial.toLowerCase().replace(/^(00)+/, '');
    await waitFor(() => member.log.text().includes(`certificate serial ${serial} revoked`) || undefined, 5_000, `no log line about serial ${serial}`);
  });

  test('--client-cert-allowed-hostname admits only client certificates valid for that host', async () => {
    const member = await startMember('hostname', ['--client-cert-allowed-hostname', 'localhost'], localhostClient);
    const accepted = await put(member, localhostClient);
    assert.equal(accepted.code, 0, accepted.stderr);
    const refused = await put(member, good);
    assert.notEqual(refused.code, 0, 'a certificate without the allowed host name was accepted');
    await waitFor(() => member.log.text().includes('client certificate authentication failed') || undefined, 5_000, 'no log line about the refusal');
  });
});
