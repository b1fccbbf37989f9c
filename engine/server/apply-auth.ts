// Applies the auth entries of the log to the auth store (etcd's applierV3backend auth methods). Passwords
// arrive already hashed (the receiving member hashed them before proposing); an Authenticate entry arrives
// after the receiving member checked the password, and its apply mints the token on every member that applies
// it (as etcd does): a simple token becomes known to every member, so the client may use it with any of them.
import { Errors } from '../common/errors.ts';
import type { AuthStore } from '../auth/auth-store.ts';
import type { TokenProvider } from '../auth/token-provider.ts';
import type { WriteTx } from '../storage/backend/backend.ts';
import type { InternalRaftRequest__Output } from '../proto/generated/cairnpb/InternalRaftRequest.ts';

/** What applying auth entries needs. */
export interface AuthApplyContext {
  auth: AuthStore;
  tokens: TokenProvider;
}

const emptyResponse = (): { header: object } => ({ header: {} });

function decodedHash(base64: string): string {
  return Buffer.from(base64, 'base64').toString('utf8');
}

/** Applies an auth entry and returns its response, or returns undefined when `request` is not an auth entry. */
export function applyAuthRequest(context: AuthApplyContext, tx: WriteTx, request: InternalRaftRequest__Output, index: number): unknown {
  const { auth, tokens } = context;
  if (request.auth_enable) {
    auth.enable(tx);
    return emptyResponse();
  }
  if (request.auth_disable) {
    if (auth.disable(tx)) tokens.disable();
    return emptyResponse();
  }
  if (request.authenticate) {
    const { name, simple_token: prefix } = request.authenticate;
    if (!auth.isEnabled(tx)) throw Errors.AuthNotEnabled;
    const user = auth.user(name, tx);
    if (user === undefined || user.noPassword) throw Errors.AuthFailed;
    return { header: {}, token: tokens.assign(name, auth.revision(tx), prefix, index) };
  }
  if (request.auth_user_add) {
    const add = request.auth_user_add;
    const noPassword = add.options?.no_password ?? false;
    auth.userAdd(tx, add.name, noPassword ? undefined : decodedHash(add.hashedPassword));
    return emptyResponse();
  }
  if (request.auth_user_delete) {
    auth.userDelete(tx, request.auth_user_delete.name);
    tokens.invalidateUser(request.auth_user_delete.name);
    return emptyResponse();
  }
  if (request.auth_user_change_password) {
    const change = request.auth_user_change_password;
    auth.userChangePassword(tx, change.name, decodedHash(change.hashedPassword));
    tokens.invalidateUser(change.name);
    return emptyResponse();
  }
  if (request.auth_user_grant_role) {
    auth.userGrantRole(tx, request.auth_user_grant_role.user, request.auth_user_grant_role.role);
    return emptyResponse();
  }
  if (request.auth_user_revoke_role) {
    auth.userRevokeRole(tx, request.auth_user_revoke_role.name, request.auth_user_revoke_role.role);
    return emptyResponse();
  }
  if (request.auth_role_add) {
    auth.roleAdd(tx, request.auth_role_add.name);
    return emptyResponse();
  }
  if (request.auth_role_delete) {
    auth.roleDelete(tx, request.auth_role_delete.role);
    return emptyResponse();
  }
  if (request.auth_role_grant_permission) {
    const grant = request.auth_role_grant_permission;
    const permission = grant.perm;
    auth.roleGrantPermission(tx, grant.name, {
      type: Number(permission?.permType ?? 0),
      key: new Uint8Array(permission?.key ?? []),
      rangeEnd: new Uint8Array(permission?.range_end ?? []),
    });
    return emptyResponse();
  }
  if (request.auth_role_revoke_permission) {
    const revoke = request.auth_role_revoke_permission;
    auth.roleRevokePermission(tx, revoke.role, new Uint8Array(revoke.key), new Uint8Array(revoke.range_end));
    return emptyResponse();
  }
  return undefined;
}
