import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Errors, isEtcdError, type EtcdError } from '../common/errors.ts';
import { LmdbBackend } from '../storage/backend/lmdb-backend.ts';
import { AuthStore } from '../auth/auth-store.ts';
import { PermissionType } from '../auth/permission-check.ts';
import type { InternalRaftRequest__Output } from '../proto/generated/cairnpb/InternalRaftRequest.ts';
import { checkAppliedRequest } from './request-permissions.ts';

const bytes = (text: string): Buffer => Buffer.from(text);
const directory = mkdtempSync(path.join(os.tmpdir(), 'cairn-apply-auth-'));
const backend = LmdbBackend.open(directory);
const auth = new AuthStore(backend);
after(async () => {
  await backend.close();
  rmSync(directory, { recursive: true, force: true });
});

backend.write((tx) => {
  auth.userAdd(tx, 'root', 'hash');
  auth.roleAdd(tx, 'root');
  auth.userGrantRole(tx, 'root', 'root');
  auth.userAdd(tx, 'alice', 'hash');
  auth.roleAdd(tx, 'app');
  auth.roleGrantPermission(tx, 'app', { type: PermissionType.ReadWrite, key: bytes('app/'), rangeEnd: bytes('app0') });
  auth.userGrantRole(tx, 'alice', 'app');
  auth.enable(tx);
});

function request(username: string, revision: number, body: Partial<InternalRaftRequest__Output>): InternalRaftRequest__Output {
  return { header: { ID: '1', username, auth_revision: String(revision) }, ...body } as InternalRaftRequest__Output;
}

function put(key: string): Partial<InternalRaftRequest__Output> {
  return { put: { key: bytes(key), value: bytes('v'), lease: '0', prev_kv: false, ignore_value: false, ignore_lease: false } };
}

function refused(entry: InternalRaftRequest__Output, expected: EtcdError, leaseKeys: Buffer[] = []): void {
  assert.throws(() => checkAppliedRequest(auth, backend, entry, () => leaseKeys), (error: unknown) => isEtcdError(error, expected));
}

test('a write is checked on apply against the user and revision in the entry header', () => {
  checkAppliedRequest(auth, backend, request('alice', auth.revision(), put('app/x')), () => []);
  refused(request('alice', auth.revision(), put('other')), Errors.PermissionDenied);
  refused(request('', 0, put('app/x')), Errors.UserEmpty);
});

test('a permission revoked after the proposal refuses the write on apply', () => {
  const proposedAt = auth.revision();
  backend.write((tx) => auth.roleRevokePermission(tx, 'app', bytes('app/'), bytes('app0')));
  refused(request('alice', proposedAt, put('app/x')), Errors.AuthOldRevision);
  refused(request('alice', auth.revision(), put('app/x')), Errors.PermissionDenied);
  backend.write((tx) => auth.roleGrantPermission(tx, 'app', { type: PermissionType.ReadWrite, key: bytes('app/'), rangeEnd: bytes('app0') }));
});

test('txn compares and ops, lease revokes and auth management are all checked', () => {
  const revision = auth.revision();
  const txn = (compareKey: string, putKey: string): Partial<InternalRaftRequest__Output> =>
    ({
      txn: {
        compare: [{ key: bytes(compareKey), range_end: Buffer.alloc(0) }],
        success: [{ request: 'request_put', request_put: put(putKey).put }],
        failure: [],
      },
    }) as unknown as Partial<InternalRaftRequest__Output>;
  checkAppliedRequest(auth, backend, request('alice', revision, txn('app/a', 'app/b')), () => []);
  refused(request('alice', revision, txn('secret', 'app/b')), Errors.PermissionDenied);
  refused(request('alice', revision, txn('app/a', 'secret')), Errors.PermissionDenied);
  refused(request('alice', revision, { lease_revoke: { ID: '7' } }), Errors.PermissionDenied, [bytes('app/a'), bytes('secret')]);
  checkAppliedRequest(auth, backend, request('alice', revision, { lease_revoke: { ID: '7' } }), () => [bytes('app/a')]);
  refused(request('alice', revision, { auth_role_add: { name: 'x' } }), Errors.PermissionDenied);
  checkAppliedRequest(auth, backend, request('root', revision, { auth_role_add: { name: 'x' } }), () => []);
});
