import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Errors, isEtcdError, type EtcdError } from '../common/errors.ts';
import { LmdbBackend } from '../storage/backend/lmdb-backend.ts';
import { AuthStore, type AuthInfo } from './auth-store.ts';
import { PermissionType } from './permission-check.ts';
import { hashPassword, passwordMatches } from './password-hash.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const none = new Uint8Array(0);
let directory: string;
let backend: LmdbBackend;
const opened: LmdbBackend[] = [];

before(() => {
  directory = mkdtempSync(path.join(os.tmpdir(), 'cairn-auth-'));
});
after(async () => {
  for (const each of opened) await each.close().catch(() => undefined);
  rmSync(directory, { recursive: true, force: true });
});

function refuses(run: () => unknown, expected: EtcdError): void {
  assert.throws(run, (error: unknown) => isEtcdError(error, expected));
}

function freshStore(name: string): AuthStore {
  backend = LmdbBackend.open(path.join(directory, name));
  opened.push(backend);
  return new AuthStore(backend);
}

test('auth enable requires the root user with the root role, and bumps the revision', () => {
  const store = freshStore('enable');
  refuses(() => backend.write((tx) => store.enable(tx)), Errors.RootUserNotExist);
  backend.write((tx) => store.userAdd(tx, 'root', 'hash'));
  refuses(() => backend.write((tx) => store.enable(tx)), Errors.RootRoleNotExist);
  backend.write((tx) => store.roleAdd(tx, 'root'));
  backend.write((tx) => store.userGrantRole(tx, 'root', 'root'));
  const before = store.revision();
  assert.equal(backend.write((tx) => store.enable(tx)), true);
  assert.equal(store.isEnabled(), true);
  assert.equal(store.revision(), before + 1);
  assert.equal(backend.write((tx) => store.enable(tx)), false, 'enabling twice changes nothing');
  refuses(() => backend.write((tx) => store.userDelete(tx, 'root')), Errors.InvalidAuthMgmt);
  refuses(() => backend.write((tx) => store.userRevokeRole(tx, 'root', 'root')), Errors.InvalidAuthMgmt);
  refuses(() => backend.write((tx) => store.roleDelete(tx, 'root')), Errors.InvalidAuthMgmt);
  assert.equal(backend.write((tx) => store.disable(tx)), true);
  assert.equal(store.isEnabled(), false);
});

test("users and roles keep etcd's rules and errors", () => {
  const store = freshStore('users');
  refuses(() => backend.write((tx) => store.userAdd(tx, '', 'hash')), Errors.UserEmpty);
  backend.write((tx) => store.userAdd(tx, 'alice', 'hash'));
  refuses(() => backend.write((tx) => store.userAdd(tx, 'alice', 'hash')), Errors.UserAlreadyExist);
  refuses(() => backend.write((tx) => store.roleAdd(tx, '')), Errors.RoleEmpty);
  backend.write((tx) => store.roleAdd(tx, 'writer'));
  refuses(() => backend.write((tx) => store.roleAdd(tx, 'writer')), Errors.RoleAlreadyExist);
  refuses(() => backend.write((tx) => store.userGrantRole(tx, 'alice', 'missing')), Errors.RoleNotFound);
  refuses(() => backend.write((tx) => store.userGrantRole(tx, 'ghost', 'writer')), Errors.UserNotFound);
  refuses(() => backend.write((tx) => store.userRevokeRole(tx, 'alice', 'writer')), Errors.RoleNotGranted);
  backend.write((tx) => store.userGrantRole(tx, 'alice', 'writer'));
  backend.write((tx) => store.userGrantRole(tx, 'alice', 'root'));
  assert.deepEqual(store.user('alice')?.roles, ['root', 'writer']);
  refuses(() => backend.write((tx) => store.roleRevokePermission(tx, 'writer', bytes('k'), none)), Errors.PermissionNotGranted);
  backend.write((tx) => store.roleGrantPermission(tx, 'writer', { type: PermissionType.Read, key: bytes('k'), rangeEnd: none }));
  backend.write((tx) => store.roleGrantPermission(tx, 'writer', { type: PermissionType.Write, key: bytes('k'), rangeEnd: none }));
  assert.deepEqual(store.role('writer')?.permissions.map((held) => held.type), [PermissionType.Write], 'a second grant replaces the type');
  backend.write((tx) => store.roleDelete(tx, 'writer'));
  assert.deepEqual(store.user('alice')?.roles, ['root'], 'deleting a role takes it from its users');
  refuses(() => backend.write((tx) => store.userDelete(tx, 'ghost')), Errors.UserNotFound);
  backend.write((tx) => store.userAdd(tx, 'service', undefined));
  assert.equal(store.user('service')?.noPassword, true);
  assert.deepEqual(store.users().map((user) => user.name), ['alice', 'service']);
});

test('permission checks: no user, stale revision, denied, granted, and root', () => {
  const store = freshStore('checks');
  backend.write((tx) => {
    store.userAdd(tx, 'root', 'hash');
    store.roleAdd(tx, 'root');
    store.userGrantRole(tx, 'root', 'root');
    store.userAdd(tx, 'bob', 'hash');
    store.roleAdd(tx, 'reader');
    store.roleGrantPermission(tx, 'reader', { type: PermissionType.Read, key: bytes('a/'), rangeEnd: bytes('a0') });
    store.userGrantRole(tx, 'bob', 'reader');
  });
  const bob = (): AuthInfo => ({ username: 'bob', revision: store.revision() });
  // Disabled: everybody may do everything.
  store.checkOperation(undefined, bytes('x'), none, PermissionType.Write);
  backend.write((tx) => store.enable(tx));
  refuses(() => store.checkOperation(undefined, bytes('a/1'), none, PermissionType.Read), Errors.UserEmpty);
  store.checkOperation(bob(), bytes('a/1'), none, PermissionType.Read);
  store.checkOperation(bob(), bytes('a/'), bytes('a0'), PermissionType.Read);
  refuses(() => store.checkOperation(bob(), bytes('a/1'), none, PermissionType.Write), Errors.PermissionDenied);
  refuses(() => store.checkOperation(bob(), bytes('a/'), Uint8Array.of(0), PermissionType.Read), Errors.PermissionDenied);
  refuses(() => store.checkOperation({ username: 'bob', revision: store.revision() - 1 }, bytes('a/1'), none, PermissionType.Read), Errors.AuthOldRevision);
  refuses(() => store.checkOperation({ username: 'ghost', revision: store.revision() }, bytes('a/1'), none, PermissionType.Read), Errors.PermissionDenied);
  store.checkOperation({ username: 'root', revision: store.revision() }, bytes(''), Uint8Array.of(0), PermissionType.Write);
  refuses(() => store.checkAdmin(bob()), Errors.PermissionDenied);
  refuses(() => store.checkAdmin(undefined), Errors.UserEmpty);
  refuses(() => store.checkAdmin({ username: 'ghost', revision: 1 }), Errors.UserNotFound);
  store.checkAdmin({ username: 'root', revision: store.revision() });
  // A revoked permission is refused at once (the cached merge is tied to the revision).
  backend.write((tx) => store.roleRevokePermission(tx, 'reader', bytes('a/'), bytes('a0')));
  refuses(() => store.checkOperation(bob(), bytes('a/1'), none, PermissionType.Read), Errors.PermissionDenied);
});

test('a refused change leaves nothing behind and the state survives reopening', async () => {
  const store = freshStore('reopen');
  backend.write((tx) => store.userAdd(tx, 'alice', 'hash'));
  const revision = store.revision();
  refuses(() => backend.write((tx) => store.userAdd(tx, 'alice', 'other')), Errors.UserAlreadyExist);
  assert.equal(store.revision(), revision);
  await backend.sync();
  await backend.close();
  backend = LmdbBackend.open(path.join(directory, 'reopen'));
  opened.push(backend);
  const reopened = new AuthStore(backend);
  assert.equal(reopened.revision(), revision);
  assert.equal(reopened.user('alice')?.passwordHash, 'hash');
});

test('passwords are stored as bcrypt hashes that match only the password', async () => {
  const hash = await hashPassword('secret', 4);
  assert.match(hash, /^\$2[aby]\$04\$/);
  assert.equal(await passwordMatches('secret', hash), true);
  assert.equal(await passwordMatches('wrong', hash), false);
  assert.equal(await passwordMatches('', ''), false, 'a user without a password cannot authenticate');
});
