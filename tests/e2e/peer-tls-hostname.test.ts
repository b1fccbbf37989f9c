// --peer-cert-allowed-hostname in a three-member cluster of the target (E2E_TARGET=cairn|etcd): a member whose
// peer certificate is not valid for the allowed host name is refused both ways (its peers refuse its connections,
// and refuse its certificate when they dial it, naming the reason), the other two keep serving; restarted with a
// certificate that is valid for the name, the same member joins and catches up. Certificates are made by the test.
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
import { sleep, target, targetUnavailableReason, waitFor } from './target.ts';
import { peerTlsClusterUrls, peerTlsFlags, spawnMember, waitForLogLine } from './tls-support.ts';

const allowedHostname = 'peers.cairn.test';

/** The line a member logs when it refuses the certificate of a peer it dials (etcd: its prober's warning). */
const dialRefusal =
  target === 'etcd'
    ? /health check for peer \w+ could not connect: client certificate authentication failed/
    : /failed to dial remote peer.*client certificate authentication failed.*allowed host name peers\.cairn\.test/;
/** The line a member logs when it refuses an inbound peer connection for its certificate's names. */
const inboundRefusal = /rejected (peer )?connection.*client certificate authentication failed/;

describe(`--peer-cert-allowed-hostname between ${target} members`, { skip: skipUnlessInstalled(etcdctlBinaryPath) }, () => {
  let folder: string;
  let caFile: string;
  let matching: CertificateFiles[];
  let notMatching: CertificateFiles;
  const members: MemberHandle[] = [];

  before(async () => {
    assert.equal(targetUnavailableReason(), undefined);
    folder = await mkdtemp(path.join(os.tmpdir(), `cairn-e2e-peer-hostname-${target}-`));
    trackTempDir(folder);
    const authority = await createAuthority('cairn-hostname-ca');
    caFile = path.join(folder, 'ca.pem');
    await writeFile(caFile, authority.certificate);
    matching = [];
    for (let index = 0; index < 3; index += 1) {
      const pem = await authority.sign({ commonName: 'cairn-peer', ips: ['127.0.0.1'], dnsNames: ['localhost', allowedHostname] });
      matching.push(await writeCertificate(folder, `peer${index + 1}`, pem));
    }
    // Same CA and valid for the member's own address, but not for the allowed host name.
    notMatching = await writeCertificate(folder, 'other-name', await authority.sign({ commonName: 'cairn-peer', ips: ['127.0.0.1'], dnsNames: ['localhost'] }));
  });
  after(async () => {
    for (const member of members) await member.stop();
    removeTempDir(folder);
  });

  const run = (member: MemberHandle, args: string[]) => etcdctl(['--dial-timeout=2s', '--command-timeout=3s', ...args], { endpoints: member.clientUrl });
  const flags = (certificate: CertificateFiles) => peerTlsFlags(certificate, caFile, ['--peer-cert-allowed-hostname', allowedHostname]);

  test('a member whose certificate is not valid for the allowed host name is refused; with a matching one it joins', async () => {
    const { urls, initialCluster } = await peerTlsClusterUrls('hostname', 3);
    const dataRoot = path.join(folder, 'hostname');
    const [first, second, refused] = [
      spawnMember(urls[0]!, initialCluster, dataRoot, flags(matching[0]!)),
      spawnMember(urls[1]!, initialCluster, dataRoot, flags(matching[1]!)),
      spawnMember(urls[2]!, initialCluster, dataRoot, flags(notMatching)),
    ] as [MemberHandle, MemberHandle, MemberHandle];
    members.push(first, second, refused);
    await Promise.all([first.waitReady(), second.waitReady()]);
    const put = await run(first, ['put', 'allowed-hostname', 'replicated']);
    assert.equal(put.code, 0, put.stderr);

    // Refused inbound (its connections) and outbound (its certificate, when the others dial it), with the reason.
    await waitForLogLine(first, inboundRefusal, 15_000);
    await waitForLogLine(first, dialRefusal, 15_000);
    const health = await probeHealth(refused.clientUrl);
    assert.equal(health.healthy, false, health.detail);

    // The same member (same data dir) restarted with a certificate valid for the allowed name joins and catches up.
    await refused.stop();
    await sleep(200);
    const joined = spawnMember(urls[2]!, initialCluster, dataRoot, flags(matching[2]!));
    members.push(joined);
    await joined.waitReady();
    const value = await waitFor(async () => {
      const get = await run(joined, ['get', 'allowed-hostname', '--print-value-only', '--consistency=s']);
      return get.stdout === 'replicated\n' ? get.stdout : undefined;
    }, 15_000, 'the joined member never received the write');
    assert.equal(value, 'replicated\n');
  });
});
