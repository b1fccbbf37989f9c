// The transport's hooks for the embedder's certificate checks: a dialed peer whose certificate the check refuses
// is never streamed to (and the reason is logged), and an inbound check that answers later holds the connection
// so that no request of a peer that is then refused is ever served. Certificates are made by the test.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { createAuthority, type TestAuthority } from '../../tests/support/certificates.ts';
import { fetchClusterFromPeers } from './peer-client.ts';
import type { PeerTlsOptions } from './peer-tls.ts';
import { appendMessage, connectAll, startMember, stopMembers, waitFor, waitForLinks, type TestMember } from './transport-testing.ts';

let authority: TestAuthority;
let trusted: PeerTlsOptions;

before(async () => {
  authority = await createAuthority('transport-test-ca');
  const leaf = await authority.sign({ commonName: 'member', ips: ['127.0.0.1'] });
  trusted = { cert: leaf.certificate, key: leaf.privateKey, ca: authority.certificate, clientCertificateAuth: true };
});

const members: TestMember[] = [];
after(() => stopMembers(members));

test('a dialed peer whose certificate the dial check refuses is never streamed to, and the reason is logged', async () => {
  const judged: PeerCertificate[] = [];
  const refusing = await startMember(1n, { tls: { ...trusted, checkDialedCertificate: (certificate) => (judged.push(certificate), 'client certificate authentication failed (test)') } });
  const peer = await startMember(2n, { tls: trusted });
  members.push(refusing, peer);
  connectAll([refusing, peer]);
  refusing.transport.send([appendMessage(1n, 2n, 1)]);
  await waitFor('dial refusal', () => refusing.lines.some((line) => line.msg === 'failed to dial remote peer' && String(line.error).includes('client certificate authentication failed (test)')));
  // The check saw the peer's own certificate (after chain verification), and nothing reached the peer.
  assert.equal(new X509Certificate(judged[0]!.raw).subject, 'CN=member');
  assert.equal(refusing.transport.activeSince(2n), undefined);
  assert.equal(peer.host.messages.length, 0);
  // The other direction has no dial check: the peer streams to the refusing member.
  await waitForLinks(peer, [refusing]);
});

test('an inbound check that answers later holds the connection: a refused peer gets no answer', async () => {
  let checked = 0;
  const host = await startMember(3n, {
    tls: { ...trusted, checkCertificate: () => new Promise((resolve) => setTimeout(() => resolve((checked++, 'refused by the test')), 300)) },
  });
  members.push(host);
  host.transport.addPeer(4n, []);
  let membersAsked = 0;
  const originalMembers = host.host.members.bind(host.host);
  host.host.members = () => (membersAsked++, originalMembers());
  await assert.rejects(fetchClusterFromPeers([host.url], { tls: trusted, timeoutMs: 3_000 }), /could not retrieve cluster information/);
  assert.equal(checked, 1);
  assert.equal(membersAsked, 0, 'the request was served before the check refused the connection');
  await waitFor('refusal logged', () => host.lines.some((line) => line.msg === 'rejected peer connection' && line.error === 'refused by the test' && Array.isArray(line['ip-addresses'])));
});

test('an inbound check that passes later lets the held request through', async () => {
  const host = await startMember(5n, { tls: { ...trusted, checkCertificate: () => new Promise((resolve) => setTimeout(() => resolve(undefined), 300)) } });
  members.push(host);
  host.host.memberList = [{ id: '5' }];
  const cluster = await fetchClusterFromPeers([host.url], { tls: trusted, timeoutMs: 3_000 });
  assert.deepEqual(cluster.members, [{ id: '5' }]);
});
