// The auth store (etcd's auth/store.go): users, roles and their permissions, the enabled flag and the auth
// revision, kept in the backend's auth buckets so that they replicate through the log and survive restart.
// Every change is made by the applier inside the entry's backend transaction and bumps the revision; the
// permission checks read the same state from the backend on every member. Changes check before they write,
// so a refused change leaves nothing behind in the shared transaction.
import { Errors } from '../common/errors.ts';
import type { Backend, ReadTx, WriteTx } from '../storage/backend/backend.ts';
import {
  authEnabledKey,
  authRevisionKey,
  decodeRevision,
  decodeRole,
  decodeUser,
  encodeRevision,
  encodeRole,
  encodeUser,
  nameKey,
  type RoleRecord,
  type UserRecord,
} from './auth-records.ts';
import { isRangePermitted, PermissionType, unifyPermissions, type Permission, type UnifiedPermissions } from './permission-check.ts';

/** The user with every right, required before auth can be enabled. */
export const rootUser = 'root';
/** The role that grants every right. */
export const rootRole = 'root';

/** Who a request comes from: the user and the auth revision its credentials were checked at (0: nobody). */
export interface AuthInfo {
  username: string;
  revision: number;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return compareBytes(a, b) === 0;
}

/** Users, roles, permissions and the enabled flag over a member's backend. */
export class AuthStore {
  /** Merged permissions per user, valid for `cachedRevision` only (every change bumps the revision). */
  private permissionCache = new Map<string, UnifiedPermissions>();
  private cachedRevision = -1;
  /** The enabled flag as last read or written (undefined: read it from the backend). */
  private enabled: boolean | undefined;

  constructor(private readonly backend: Backend) {}

  /** Drops what is cached in memory (the backend was replaced by a snapshot's). */
  reload(): void {
    this.enabled = undefined;
    this.permissionCache.clear();
    this.cachedRevision = -1;
  }

  // ---- reads ----

  /**
   * Whether auth is enabled. Kept in memory once read: every request's apply asks, and only enable, disable and
   * a replaced backend (reload) change it. Reads and the applier's transaction see the same state in one process.
   */
  isEnabled(read: ReadTx = this.backend): boolean {
    if (this.enabled === undefined) {
      const value = read.get('auth', authEnabledKey);
      this.enabled = value !== undefined && value.length === 1 && value[0] === 1;
    }
    return this.enabled;
  }

  /** The auth revision: bumped by every change to users, roles or the enabled flag. */
  revision(read: ReadTx = this.backend): number {
    const value = read.get('auth', authRevisionKey);
    return value === undefined ? 0 : decodeRevision(value);
  }

  /** A user, or undefined. */
  user(name: string, read: ReadTx = this.backend): UserRecord | undefined {
    const value = read.get('authUsers', nameKey(name));
    return value === undefined ? undefined : decodeUser(value);
  }

  /** A role, or undefined. */
  role(name: string, read: ReadTx = this.backend): RoleRecord | undefined {
    const value = read.get('authRoles', nameKey(name));
    return value === undefined ? undefined : decodeRole(value);
  }

  /** Every user, in name order. */
  users(read: ReadTx = this.backend): UserRecord[] {
    return [...read.range('authUsers', new Uint8Array(0))].map((entry) => decodeUser(entry.value));
  }

  /** Every role, in name order. */
  roles(read: ReadTx = this.backend): RoleRecord[] {
    return [...read.range('authRoles', new Uint8Array(0))].map((entry) => decodeRole(entry.value));
  }

  // ---- permission checks (etcd's isOpPermitted and IsAdminPermitted) ----

  /**
   * Refuses `type` access to `key` (or the range [key, rangeEnd)) unless auth is disabled, the user has the
   * root role, or its roles' permissions cover it. Credentials checked at an older revision are stale.
   */
  checkOperation(info: AuthInfo | undefined, key: Uint8Array, rangeEnd: Uint8Array, type: PermissionType.Read | PermissionType.Write, read: ReadTx = this.backend): void {
    if (!this.isEnabled(read)) return;
    if (info === undefined || info.revision === 0) throw Errors.UserEmpty;
    const current = this.revision(read);
    if (info.revision < current) throw Errors.AuthOldRevision;
    const user = this.user(info.username, read);
    if (user === undefined) throw Errors.PermissionDenied;
    if (user.roles.includes(rootRole)) return;
    if (!isRangePermitted(this.permissionsOf(user, current, read), key, rangeEnd, type)) throw Errors.PermissionDenied;
  }

  /** Refuses management operations to anyone but a user with the root role (when auth is enabled). */
  checkAdmin(info: AuthInfo | undefined, read: ReadTx = this.backend): void {
    if (!this.isEnabled(read)) return;
    if (info === undefined || info.username === '') throw Errors.UserEmpty;
    const user = this.user(info.username, read);
    if (user === undefined) throw Errors.UserNotFound;
    if (!user.roles.includes(rootRole)) throw Errors.PermissionDenied;
  }

  /** Whether `username` has `role`. */
  hasRole(username: string, role: string): boolean {
    return this.user(username)?.roles.includes(role) ?? false;
  }

  private permissionsOf(user: UserRecord, revision: number, read: ReadTx): UnifiedPermissions {
    if (revision !== this.cachedRevision) {
      this.permissionCache.clear();
      this.cachedRevision = revision;
    }
    let unified = this.permissionCache.get(user.name);
    if (unified === undefined) {
      const permissions = user.roles.flatMap((name) => this.role(name, read)?.permissions ?? []);
      unified = unifyPermissions(permissions);
      this.permissionCache.set(user.name, unified);
    }
    return unified;
  }

  // ---- changes, applied from the log ----

  /** Enables auth; requires the root user with the root role. Returns false when it was already enabled. */
  enable(tx: WriteTx): boolean {
    if (this.isEnabled(tx)) return false;
    const root = this.user(rootUser, tx);
    if (root === undefined) throw Errors.RootUserNotExist;
    if (!root.roles.includes(rootRole)) throw Errors.RootRoleNotExist;
    tx.put('auth', authEnabledKey, Uint8Array.of(1));
    this.enabled = true;
    this.commitRevision(tx);
    return true;
  }

  /** Disables auth. Returns false when it was already disabled. */
  disable(tx: WriteTx): boolean {
    if (!this.isEnabled(tx)) return false;
    tx.put('auth', authEnabledKey, Uint8Array.of(0));
    this.enabled = false;
    this.commitRevision(tx);
    return true;
  }

  /** Adds a user with an already computed bcrypt hash (undefined: a user without password). */
  userAdd(tx: WriteTx, name: string, passwordHash: string | undefined): void {
    if (name === '') throw Errors.UserEmpty;
    if (this.user(name, tx) !== undefined) throw Errors.UserAlreadyExist;
    this.putUser(tx, { name, passwordHash: passwordHash ?? '', roles: [], noPassword: passwordHash === undefined });
    this.commitRevision(tx);
  }

  /** Deletes a user (never root while auth is enabled). */
  userDelete(tx: WriteTx, name: string): void {
    if (this.isEnabled(tx) && name === rootUser) throw Errors.InvalidAuthMgmt;
    if (this.user(name, tx) === undefined) throw Errors.UserNotFound;
    tx.delete('authUsers', nameKey(name));
    this.commitRevision(tx);
  }

  /** Replaces a user's password hash. */
  userChangePassword(tx: WriteTx, name: string, passwordHash: string): void {
    const user = this.user(name, tx);
    if (user === undefined) throw Errors.UserNotFound;
    this.putUser(tx, { ...user, passwordHash });
    this.commitRevision(tx);
  }

  /** Grants a role (which must exist, except root) to a user; granting it twice changes nothing. */
  userGrantRole(tx: WriteTx, name: string, role: string): void {
    const user = this.user(name, tx);
    if (user === undefined) throw Errors.UserNotFound;
    if (role !== rootRole && this.role(role, tx) === undefined) throw Errors.RoleNotFound;
    if (user.roles.includes(role)) return;
    this.putUser(tx, { ...user, roles: [...user.roles, role].sort() });
    this.commitRevision(tx);
  }

  /** Revokes a role from a user (never root's root role while auth is enabled). */
  userRevokeRole(tx: WriteTx, name: string, role: string): void {
    if (this.isEnabled(tx) && name === rootUser && role === rootRole) throw Errors.InvalidAuthMgmt;
    const user = this.user(name, tx);
    if (user === undefined) throw Errors.UserNotFound;
    if (!user.roles.includes(role)) throw Errors.RoleNotGranted;
    this.putUser(tx, { ...user, roles: user.roles.filter((granted) => granted !== role) });
    this.commitRevision(tx);
  }

  /** Adds a role without permissions. */
  roleAdd(tx: WriteTx, name: string): void {
    if (name === '') throw Errors.RoleEmpty;
    if (this.role(name, tx) !== undefined) throw Errors.RoleAlreadyExist;
    tx.put('authRoles', nameKey(name), encodeRole({ name, permissions: [] }));
    this.commitRevision(tx);
  }

  /** Deletes a role and takes it from every user that had it (never root while auth is enabled). */
  roleDelete(tx: WriteTx, name: string): void {
    if (this.isEnabled(tx) && name === rootRole) throw Errors.InvalidAuthMgmt;
    if (this.role(name, tx) === undefined) throw Errors.RoleNotFound;
    tx.delete('authRoles', nameKey(name));
    for (const user of this.users(tx)) {
      if (user.roles.includes(name)) this.putUser(tx, { ...user, roles: user.roles.filter((role) => role !== name) });
    }
    this.commitRevision(tx);
  }

  /** Grants a permission to a role; the same key and range end again only changes its type. */
  roleGrantPermission(tx: WriteTx, name: string, permission: Permission): void {
    const role = this.role(name, tx);
    if (role === undefined) throw Errors.RoleNotFound;
    const existing = role.permissions.find((held) => bytesEqual(held.key, permission.key) && bytesEqual(held.rangeEnd, permission.rangeEnd));
    if (existing !== undefined) existing.type = permission.type;
    else {
      role.permissions.push({ ...permission });
      role.permissions.sort((a, b) => compareBytes(a.key, b.key));
    }
    tx.put('authRoles', nameKey(name), encodeRole(role));
    this.commitRevision(tx);
  }

  /** Revokes the permission with exactly this key and range end from a role. */
  roleRevokePermission(tx: WriteTx, name: string, key: Uint8Array, rangeEnd: Uint8Array): void {
    const role = this.role(name, tx);
    if (role === undefined) throw Errors.RoleNotFound;
    const kept = role.permissions.filter((held) => !(bytesEqual(held.key, key) && bytesEqual(held.rangeEnd, rangeEnd)));
    if (kept.length === role.permissions.length) throw Errors.PermissionNotGranted;
    tx.put('authRoles', nameKey(name), encodeRole({ name, permissions: kept }));
    this.commitRevision(tx);
  }

  private putUser(tx: WriteTx, user: UserRecord): void {
    tx.put('authUsers', nameKey(user.name), encodeUser(user));
  }

  private commitRevision(tx: WriteTx): void {
    tx.put('auth', authRevisionKey, encodeRevision(this.revision(tx) + 1));
  }
}
