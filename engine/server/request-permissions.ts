// Which permissions a request needs when auth is enabled (etcd's apply_auth.go and auth/store.go checks):
// a put needs WRITE on its key (and READ with prev_kv), a delete WRITE over its range, a txn READ on every
// compare and every op's own permission (nested txns included), a lease revoke (or a put attaching a lease)
// WRITE on every key attached to the lease, and auth management the root role. They are checked again when the
// request is applied, against the auth state of that moment, so a permission revoked after the proposal
// refuses the write on every member alike.
import type { AuthInfo, AuthStore } from '../auth/auth-store.ts';
import { PermissionType } from '../auth/permission-check.ts';
import type { ReadTx } from '../storage/backend/backend.ts';
import type { InternalRaftRequest__Output } from '../proto/generated/cairnpb/InternalRaftRequest.ts';
import type { TxnRequest__Output } from '../proto/generated/etcdserverpb/TxnRequest.ts';

const noRangeEnd = new Uint8Array(0);

/** The requester named by a log entry's header (etcd's authApplierV3 reads the same two fields). */
export function headerAuthInfo(request: InternalRaftRequest__Output): AuthInfo {
  return { username: request.header?.username ?? '', revision: Number(request.header?.auth_revision ?? 0) };
}

/** Refuses a txn unless every compare and op is permitted (READ for compares and ranges, WRITE for changes). */
export function checkTxnPermitted(auth: AuthStore, info: AuthInfo | undefined, txn: TxnRequest__Output, read?: ReadTx): void {
  for (const compare of txn.compare) auth.checkOperation(info, compare.key, compare.range_end, PermissionType.Read, read);
  for (const operation of [...txn.success, ...txn.failure]) {
    if (operation.request_range) auth.checkOperation(info, operation.request_range.key, operation.request_range.range_end, PermissionType.Read, read);
    if (operation.request_put) auth.checkOperation(info, operation.request_put.key, noRangeEnd, PermissionType.Write, read);
    if (operation.request_delete_range) {
      const remove = operation.request_delete_range;
      if (remove.prev_kv) auth.checkOperation(info, remove.key, remove.range_end, PermissionType.Read, read);
      auth.checkOperation(info, remove.key, remove.range_end, PermissionType.Write, read);
    }
    if (operation.request_txn) checkTxnPermitted(auth, info, operation.request_txn, read);
  }
}

/** Refuses a change to a lease's keys unless WRITE is permitted on every one of them. */
export function checkLeaseKeysPermitted(auth: AuthStore, info: AuthInfo | undefined, keys: readonly Uint8Array[], read?: ReadTx): void {
  for (const key of keys) auth.checkOperation(info, key, noRangeEnd, PermissionType.Write, read);
}

/** Whether a log entry changes the auth state (and so needs the root role once auth is enabled). */
export function isAuthManagement(request: InternalRaftRequest__Output): boolean {
  return Boolean(
    request.auth_enable ||
      request.auth_disable ||
      request.auth_user_add ||
      request.auth_user_delete ||
      request.auth_user_change_password ||
      request.auth_user_grant_role ||
      request.auth_user_revoke_role ||
      request.auth_role_add ||
      request.auth_role_delete ||
      request.auth_role_grant_permission ||
      request.auth_role_revoke_permission,
  );
}

/**
 * Refuses, at apply time, a client request its requester may not make. Requests the member makes itself
 * (lease expiry, checkpoints, compaction, alarms, publishing) are not client requests and are not checked here.
 */
export function checkAppliedRequest(auth: AuthStore, read: ReadTx, request: InternalRaftRequest__Output, leaseKeys: (id: bigint) => Uint8Array[]): void {
  const info = headerAuthInfo(request);
  // An entry holds exactly one request; the key-space writes, most of the log, are looked for first.
  if (request.put) {
    const put = request.put;
    auth.checkOperation(info, put.key, noRangeEnd, PermissionType.Write, read);
    if (put.prev_kv) auth.checkOperation(info, put.key, noRangeEnd, PermissionType.Read, read);
    if (put.lease !== '0') {
      const lease = BigInt(put.lease);
      if (lease !== 0n) checkLeaseKeysPermitted(auth, info, leaseKeys(lease), read);
    }
    return;
  }
  if (request.delete_range) {
    const remove = request.delete_range;
    auth.checkOperation(info, remove.key, remove.range_end, PermissionType.Write, read);
    if (remove.prev_kv) auth.checkOperation(info, remove.key, remove.range_end, PermissionType.Read, read);
    return;
  }
  if (request.txn) {
    checkTxnPermitted(auth, info, request.txn, read);
    return;
  }
  if (isAuthManagement(request)) auth.checkAdmin(info, read);
  if (request.lease_revoke) checkLeaseKeysPermitted(auth, info, leaseKeys(BigInt(request.lease_revoke.ID)), read);
}
