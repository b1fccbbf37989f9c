import { test } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { opensslCipherList } from './cipher-suites.ts';

test('Go cipher suite names become OpenSSL names that Node accepts, TLS 1.3 suites kept', () => {
  const result = opensslCipherList(['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'TLS_AES_128_GCM_SHA256']);
  assert.ok('ciphers' in result);
  assert.equal(result.ciphers, 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384');
  assert.doesNotThrow(() => tls.createSecureContext({ ciphers: result.ciphers }));
});

test('an unknown cipher suite name is refused with etcd error', () => {
  assert.deepEqual(opensslCipherList(['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256']), {
    error: 'unexpected TLS cipher suite "ECDHE-RSA-AES128-GCM-SHA256"',
  });
});
