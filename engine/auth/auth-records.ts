// How users, roles and the auth flags are stored in the backend, in etcd's layout: the `authUsers` bucket maps
// a user name to an encoded authpb.User (password = the bcrypt hash), `authRoles` maps a role name to an
// encoded authpb.Role, and the `auth` bucket holds `authEnabled` (one byte) and `authRevision` (8 bytes,
// big-endian).
import { messageType, protoConversionOptions } from '../proto/load.ts';
import type { User__Output } from '../proto/generated/authpb/User.ts';
import type { Role__Output } from '../proto/generated/authpb/Role.ts';
import type { Permission } from './permission-check.ts';

/** A user as the auth store sees it. */
export interface UserRecord {
  name: string;
  /** The bcrypt hash (empty for a user added with noPassword). */
  passwordHash: string;
  /** Sorted, as etcd keeps them. */
  roles: string[];
  noPassword: boolean;
}

/** A role as the auth store sees it. */
export interface RoleRecord {
  name: string;
  /** Sorted by key, as etcd keeps them. */
  permissions: Permission[];
}

/** Keys of the `auth` bucket. */
export const authEnabledKey = new TextEncoder().encode('authEnabled');
export const authRevisionKey = new TextEncoder().encode('authRevision');

const text = new TextEncoder();
const untext = new TextDecoder();

/** The backend key of a user or role name. */
export function nameKey(name: string): Uint8Array {
  return text.encode(name);
}

/** Encodes a user as authpb.User. */
export function encodeUser(user: UserRecord): Uint8Array {
  const type = messageType('authpb.User');
  return type
    .encode({ name: text.encode(user.name), password: text.encode(user.passwordHash), roles: user.roles, options: { no_password: user.noPassword } })
    .finish();
}

/** Decodes an authpb.User. */
export function decodeUser(bytes: Uint8Array): UserRecord {
  const type = messageType('authpb.User');
  const user = type.toObject(type.decode(bytes), protoConversionOptions) as User__Output;
  return { name: untext.decode(user.name), passwordHash: untext.decode(user.password), roles: [...user.roles], noPassword: user.options?.no_password ?? false };
}

/** Encodes a role as authpb.Role. */
export function encodeRole(role: RoleRecord): Uint8Array {
  const type = messageType('authpb.Role');
  return type
    .encode({
      name: text.encode(role.name),
      keyPermission: role.permissions.map((permission) => ({ permType: permission.type, key: permission.key, range_end: permission.rangeEnd })),
    })
    .finish();
}

/** Decodes an authpb.Role. */
export function decodeRole(bytes: Uint8Array): RoleRecord {
  const type = messageType('authpb.Role');
  const role = type.toObject(type.decode(bytes), protoConversionOptions) as Role__Output;
  return {
    name: untext.decode(role.name),
    permissions: role.keyPermission.map((permission) => ({
      type: permission.permType as number,
      key: new Uint8Array(permission.key),
      rangeEnd: new Uint8Array(permission.range_end),
    })),
  };
}

/** Encodes the auth revision (8 bytes, big-endian, as etcd). */
export function encodeRevision(revision: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(revision));
  return bytes;
}

/** Decodes the auth revision. */
export function decodeRevision(bytes: Uint8Array): number {
  return Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0));
}
