// The peer checks' split between inbound and dialed peers: the dial check applies only the allowed CN / host name
// (never the CRL, as etcd's client config has no CRL), and names what the refused certificate carried.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { createAuthority, type TestAuthority } from '../../tests/support/certificates.ts';
import { PeerCertificateChecks } from './peer-certificate-checks.ts';

let authority: TestAuthority;
before(async () => {
  authority = await createAuthority('peer-checks-ca');
});

/** The fields of Node's PeerCertificate the checks read. */
async function leaf(commonName: string, dnsNames: string[]): Promise<PeerCertificate> {
  const x509 = new X509Certificate((await authority.sign({ commonName, ips: ['127.0.0.1'], dnsNames })).certificate);
  return { subject: { CN: commonName }, subjectaltname: x509.subjectAltName, raw: x509.raw, serialNumber: x509.serialNumber } as unknown as PeerCertificate;
}

const settings = { allowedCommonNames: [], allowedHostnames: [], revocationListFile: '', skipClientSanVerification: false };

test('the dial check refuses a peer without the allowed CN and names the CN it carried', async () => {
  const checks = new PeerCertificateChecks({ ...settings, allowedCommonNames: ['cairn-peer'] });
  assert.equal(checks.dialActive, true);
  assert.equal(checks.dialRefusal(await leaf('cairn-peer', [])), undefined);
  const refusal = checks.dialRefusal(await leaf('intruder', ['localhost']));
  assert.match(refusal ?? '', /^client certificate authentication failed \(CN "intruder", SANs "IP Address:127\.0\.0\.1, DNS:localhost"; allowed CN cairn-peer\)$/);
});

test('the dial check refuses a peer not valid for the allowed host name', async () => {
  const checks = new PeerCertificateChecks({ ...settings, allowedHostnames: ['peers.cairn.test'] });
  assert.equal(checks.dialRefusal(await leaf('x', ['peers.cairn.test'])), undefined);
  assert.match(checks.dialRefusal(await leaf('x', ['other.test'])) ?? '', /allowed host name peers\.cairn\.test\)$/);
});

test('without an allowed CN or host name nothing is judged on dial, and the SAN check alone keeps inbound checks on', async () => {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'cairn-peer-checks-'));
  try {
    // A CRL file that does not even parse: the dial side must never read it.
    const crlFile = path.join(folder, 'broken.crl');
    await writeFile(crlFile, 'not a CRL');
    const checks = new PeerCertificateChecks({ ...settings, revocationListFile: crlFile });
    assert.equal(checks.dialActive, false);
    assert.equal(checks.dialRefusal(await leaf('anyone', [])), undefined);
    assert.equal(new PeerCertificateChecks(settings).inboundActive, true);
    assert.equal(new PeerCertificateChecks({ ...settings, skipClientSanVerification: true }).inboundActive, false);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
