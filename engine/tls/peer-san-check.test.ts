// etcd's SAN check of inbound peers (checkCertSAN) with a scripted resolver: which certificates cover the
// connecting address, and Go's refusal texts. Certificates are made by the test.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createAuthority, type LeafOptions, type TestAuthority } from '../../tests/support/certificates.ts';
import { peerSanRefusal, remoteHost, type SanResolver } from './peer-san-check.ts';

let authority: TestAuthority;
before(async () => {
  authority = await createAuthority('san-test-ca');
});

async function der(options: Omit<LeafOptions, 'commonName'>): Promise<Buffer> {
  return new X509Certificate((await authority.sign({ commonName: 'peer', ...options })).certificate).raw;
}

/** A resolver answering from fixed tables; unknown entries fail as a resolver would. */
function resolver(names: Record<string, string[]>, addresses: Record<string, string[]>): SanResolver & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async namesOf(address) {
      asked.push(`names ${address}`);
      if (names[address] === undefined) throw new Error(`getnameinfo ENOTFOUND ${address}`);
      return names[address]!;
    },
    async addressesOf(name) {
      asked.push(`addresses ${name}`);
      if (addresses[name] === undefined) throw new Error(`getaddrinfo ENOTFOUND ${name}`);
      return addresses[name]!;
    },
  };
}

test('an IP SAN that is the connecting address passes without any lookup', async () => {
  const lookups = resolver({}, {});
  assert.equal(await peerSanRefusal(await der({ ips: ['10.0.0.3', '127.0.0.1'], dnsNames: ['elsewhere.test'] }), '127.0.0.1', lookups), undefined);
  assert.deepEqual(lookups.asked, []);
});

test('IP SANs only, none the connecting address: Go\'s HostnameError text', async () => {
  const refusal = await peerSanRefusal(await der({ ips: ['10.0.0.3', '10.0.0.4'] }), '127.0.0.1', resolver({}, {}));
  assert.equal(refusal, 'x509: certificate is valid for 10.0.0.3, 10.0.0.4, not 127.0.0.1');
});

test('a DNS SAN that resolves to the connecting address passes', async () => {
  const lookups = resolver({}, { 'member.test': ['10.0.0.9', '127.0.0.1'] });
  assert.equal(await peerSanRefusal(await der({ ips: ['10.0.0.3'], dnsNames: ['member.test'] }), '127.0.0.1', lookups), undefined);
});

test('a name of the connecting address matching a DNS SAN or a wildcard passes (trailing dot ignored)', async () => {
  const lookups = resolver({ '127.0.0.1': ['peer3.cluster.test.'] }, {});
  assert.equal(await peerSanRefusal(await der({ dnsNames: ['peer3.cluster.test'] }), '127.0.0.1', lookups), undefined);
  assert.equal(await peerSanRefusal(await der({ dnsNames: ['*.cluster.test'] }), '127.0.0.1', lookups), undefined);
});

test('DNS SANs that match neither way: etcd\'s text with the last lookup error', async () => {
  const lookups = resolver({ '127.0.0.1': ['localhost'] }, {});
  const refusal = await peerSanRefusal(await der({ ips: ['10.0.0.3'], dnsNames: ['a.test', 'b.test'] }), '::ffff:127.0.0.1', lookups);
  assert.equal(refusal, 'tls: "127.0.0.1" does not match any of DNSNames ["a.test" "b.test"] (getaddrinfo ENOTFOUND b.test)');
  assert.deepEqual(lookups.asked, ['names 127.0.0.1', 'addresses a.test', 'addresses b.test']);
});

test('a certificate without SANs passes, as in etcd', async () => {
  assert.equal(await peerSanRefusal(await der({}), '127.0.0.1', resolver({}, {})), undefined);
});

test('an IPv4 peer on a dual-stack socket is compared as plain IPv4', () => {
  assert.equal(remoteHost('::ffff:127.0.0.1'), '127.0.0.1');
  assert.equal(remoteHost('::1'), '::1');
});
