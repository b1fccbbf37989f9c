import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthStore } from '../auth/auth-store.ts';
import { SimpleTokens } from '../auth/simple-tokens.ts';
import { discardLogger } from '../common/logger.ts';
import { MemoryBackend } from '../mvcc/testing/memory-backend.ts';
import { AuthOps } from './auth-ops.ts';

function authOps(certificateIdentity: boolean): AuthOps {
  return new AuthOps({
    auth: new AuthStore(new MemoryBackend()),
    tokens: new SimpleTokens(60_000, () => 0),
    bcryptCost: 4,
    logger: discardLogger(),
    requestTimeoutMs: 1_000,
    waitApplied: async () => true,
    propose: async () => ({}),
    linearizableRead: async () => undefined,
    certificateIdentity,
  });
}

test('a verified certificate\'s Common Name names the caller only under --client-cert-auth, as etcd\'s AuthInfoFromCtx', async () => {
  assert.equal((await authOps(true).resolve({ commonName: 'alice' }))?.username, 'alice');
  assert.equal(await authOps(false).resolve({ commonName: 'alice' }), undefined, '--trusted-ca-file alone verifies the certificate but names nobody');
  assert.equal(authOps(false).usesCertificateIdentity(), false);
  assert.equal(authOps(true).usesCertificateIdentity(), true);
});
