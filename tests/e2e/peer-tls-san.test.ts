// The SAN check of inbound peers (etcd's tlsListener checkSAN) on the target (E2E_TARGET=cairn|etcd): a peer whose
// certificate does not cover the address it connects from (127.0.0.1) is refused, with Go's reason in the log, and
// --experimental-peer-skip-client-san-verification lets it in. Certificates are made by the test.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createAuthority, writeCertificate, type CertificateFiles } from '../support/certificates.ts';
import { etcdctl, etcdctlBinaryPath, skipUnlessInstalled } from '../support/etcdctl.ts';
import { removeTempDir, trackTempDir } from '../support/child-cleanup.ts';
import { probeHealth } from '../support/readiness.ts';
import type { MemberHandle } from '../support/processes.ts';
import { target, targetUnavailableReason, waitFor } from './target.ts';
import { peerTlsClusterUrls, peerTlsFlags, spawnMember, waitForLogLine } from './tls-support.ts';

describe(`the peer SAN check of ${target} members`, { skip: skipUnlessInstalled(etcdctlBinaryPath) }, () => {
  let folder: string;
  let caFile: string;
  let covering: CertificateFiles[];
  /** Valid, same CA, but its only SAN is an address the peer never connects from. */
  let elsewhere: CertificateFiles;
  const members: MemberHandle[] = [];

  before(async () => {
    assert.equal(targetUnavailableReason(), undefined);
    folder = await mkdtemp(path.join(os.tmpdir(), `cairn-e2e-peer-san-${target}-`));
    trackTempDir(folder);
    const authority = await createAuthority('cairn-san-ca');
    caFile = path.join(folder, 'ca.pem');
    await writeFile(caFile, authority.certificate);
    covering = [];
    for (let index = 0; index < 3; index += 1) {
      covering.push(await writeCertificate(folder, `peer${index + 1}`, await authority.sign({ commonName: 'cairn-peer', ips: ['127.0.0.1'] })));
    }
    elsewhere = await writeCertificate(folder, 'elsewhere', await authority.sign({ commonName: 'cairn-peer', ips: ['10.0.0.3'] }));
  });
  after(async () => {
    for (const member of members) await member.stop();
    removeTempDir(folder);
  });

  const run = (member: MemberHandle, args: string[]) => etcdctl(['--dial-timeout=2s', '--command-timeout=3s', ...args], { endpoints: member.clientUrl });

  test('a peer whose certificate does not cover its address is refused, with the reason logged', async () => {
    const { urls, initialCluster } = await peerTlsClusterUrls('san', 3);
    const dataRoot = path.join(folder, 'san');
    const certificates = [covering[0]!, covering[1]!, elsewhere];
    const cluster = urls.map((member, index) => spawnMember(member, initialCluster, dataRoot, peerTlsFlags(certificates[index]!, caFile)));
    members.push(...cluster);
    const [first, second, refused] = cluster as [MemberHandle, MemberHandle, MemberHandle];
    await Promise.all([first.waitReady(), second.waitReady()]);
    // Go's VerifyHostname text, logged by the listener that refused the inbound connection.
    await waitForLogLine(first, /rejected (peer )?connection.*certificate is valid for 10\.0\.0\.3, not 127\.0\.0\.1/, 15_000);
    const health = await probeHealth(refused.clientUrl);
    assert.equal(health.healthy, false, health.detail);
    for (const member of cluster) await member.stop();
  });

  // etcd 3.4 has no --peer-client-cert-file, and without it the certificate that fails the SAN check also fails the
  // host name check of every dial to that member; Cairn (like etcd 3.5) can present a separate dialing certificate.
  test('--experimental-peer-skip-client-san-verification admits a peer whose dialing certificate does not cover its address', { skip: target === 'etcd' ? 'etcd 3.4 has no --peer-client-cert-file' : false }, async () => {
    const { urls, initialCluster } = await peerTlsClusterUrls('skipsan', 3);
    const dataRoot = path.join(folder, 'skipsan');
    const skip = '--experimental-peer-skip-client-san-verification';
    const cluster = urls.map((member, index) => {
      const dialing = index === 2 ? ['--peer-client-cert-file', elsewhere.certificateFile, '--peer-client-key-file', elsewhere.keyFile] : [];
      return spawnMember(member, initialCluster, dataRoot, peerTlsFlags(covering[index]!, caFile, [skip, ...dialing]));
    });
    members.push(...cluster);
    await Promise.all(cluster.map((member) => member.waitReady()));
    const put = await run(cluster[2]!, ['put', 'skip-san', 'admitted']);
    assert.equal(put.code, 0, put.stderr);
    for (const member of cluster) {
      const value = await waitFor(async () => {
        const get = await run(member, ['get', 'skip-san', '--print-value-only', '--consistency=s']);
        return get.stdout === 'admitted\n' ? get.stdout : undefined;
      }, 10_000, `${member.name} never received the write`);
      assert.equal(value, 'admitted\n');
    }
    assert.equal(cluster[0]!.log.text().includes('not 127.0.0.1'), false, 'a SAN refusal was logged despite the flag');
  });
});
