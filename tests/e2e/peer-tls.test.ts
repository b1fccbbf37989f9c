// Peer TLS of the target (E2E_TARGET=cairn|etcd): three members replicate over https peer URLs with
// --peer-client-cert-auth and --peer-cert-allowed-cn, and a member whose peer certificate comes from another CA
// is refused by its peers (logged) while the others keep serving. Certificates are made by the test.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestCertificates, type CertificateFiles, type TestCertificates } from '../support/certificates.ts';
import { etcdctl, etcdctlBinaryPath, skipUnlessInstalled } from '../support/etcdctl.ts';
import { freePorts, loopbackHost } from '../support/ports.ts';
import { removeTempDir, trackTempDir } from '../support/child-cleanup.ts';
import { probeHealth } from '../support/readiness.ts';
import type { MemberHandle } from '../support/processes.ts';
import { sleep, target, targetUnavailableReason, waitFor } from './target.ts';
import { spawnMember } from './tls-support.ts';

describe(`peer TLS between ${target} members`, { skip: skipUnlessInstalled(etcdctlBinaryPath) }, () => {
  let folder: string;
  let certificates: TestCertificates;
  const members: MemberHandle[] = [];

  before(async () => {
    assert.equal(targetUnavailableReason(), undefined);
    folder = await mkdtemp(path.join(os.tmpdir(), `cairn-e2e-peer-tls-${target}-`));
    trackTempDir(folder);
    certificates = await createTestCertificates(folder, 3);
  });
  after(async () => {
    for (const member of members) await member.stop();
    removeTempDir(folder);
  });

  /** Starts three members with https peer URLs; `peerCertificates[i]` is member i's peer certificate. */
  async function startCluster(prefix: string, peerCertificates: CertificateFiles[]): Promise<MemberHandle[]> {
    const ports = await freePorts(6);
    const urls = peerCertificates.map((_, index) => ({
      name: `${prefix}${index + 1}`,
      clientUrl: `http://${loopbackHost}:${ports[index * 2]}`,
      peerUrl: `https://${loopbackHost}:${ports[index * 2 + 1]}`,
    }));
    const initialCluster = urls.map((member) => `${member.name}=${member.peerUrl}`).join(',');
    const started = urls.map((member, index) =>
      spawnMember(member, initialCluster, path.join(folder, prefix), [
        '--peer-cert-file', peerCertificates[index]!.certificateFile, '--peer-key-file', peerCertificates[index]!.keyFile,
        '--peer-trusted-ca-file', certificates.caFile, '--peer-client-cert-auth', '--peer-cert-allowed-cn', 'cairn-peer',
      ]),
    );
    members.push(...started);
    return started;
  }

  const run = (member: MemberHandle, args: string[]) => etcdctl(['--dial-timeout=2s', '--command-timeout=3s', ...args], { endpoints: member.clientUrl });

  test('three members with --peer-client-cert-auth replicate over https peer URLs', async () => {
    const cluster = await startCluster('secure', certificates.peers);
    await Promise.all(cluster.map((member) => member.waitReady()));
    const put = await run(cluster[0]!, ['put', 'peer-tls-key', 'replicated']);
    assert.equal(put.code, 0, put.stderr);
    for (const member of cluster) {
      // Serializable reads answer from each member's own store: the value must have been replicated to it.
      const value = await waitFor(async () => {
        const get = await run(member, ['get', 'peer-tls-key', '--print-value-only', '--consistency=s']);
        return get.stdout === 'replicated\n' ? get.stdout : undefined;
      }, 10_000, `${member.name} never received the write`);
      assert.equal(value, 'replicated\n');
    }
    for (const member of cluster) await member.stop();
  });

  test('a member whose peer certificate comes from another CA is refused by its peers, and the others keep working', async () => {
    const cluster = await startCluster('mixed', [certificates.peers[0]!, certificates.peers[1]!, certificates.foreignPeer]);
    const [first, second, intruder] = cluster as [MemberHandle, MemberHandle, MemberHandle];
    await Promise.all([first.waitReady(), second.waitReady()]);
    const put = await run(first, ['put', 'after-intruder', 'still-working']);
    assert.equal(put.code, 0, put.stderr);
    const get = await run(second, ['get', 'after-intruder', '--print-value-only']);
    assert.equal(get.stdout, 'still-working\n');
    // etcd: "rejected connection from ... bad certificate"; Cairn: "rejected peer connection" with the reason.
    await waitFor(() => [first, second].every((member) => /rejected (peer )?connection/.test(member.log.text())) || undefined, 10_000, 'the peers did not log the refusal');
    // The intruder never joins: it has no leader, so it never reports itself healthy.
    await sleep(1_000);
    const health = await probeHealth(intruder.clientUrl);
    assert.equal(health.healthy, false, health.detail);
    const members = await run(first, ['endpoint', 'status', '-w', 'json', `--endpoints=${first.clientUrl},${second.clientUrl}`]);
    assert.equal(members.code, 0, members.stderr);
  });
});
