// Users, roles and permissions through etcd's Auth service. Permissions travel in the scoped keyspace like
// every other key, so a role granted on "app/" under the scope "team/" covers "team/app/".
import type { AuthService, Permission } from '../../common/contract.ts';
import type { ConnectionRegistry } from '../connections/connection-registry.ts';
import { prefixRange } from '../etcd/kv-api.ts';
import type { Permission__Output } from '../../../engine/proto/generated/authpb/Permission.ts';
import type { KeyScope } from '../etcd/key-range.ts';
import { settle } from './call.ts';

const permissionTypes = ['read', 'write', 'readwrite'] as const;
/** etcd's authpb.Permission.Type numbers, by contract name. */
const permissionNumbers = { read: 0, write: 1, readwrite: 2 } as const;

/** The auth service over the open connections. */
export function createAuthService(registry: ConnectionRegistry): AuthService {
  const done = async (work: Promise<unknown>): Promise<null> => {
    await work;
    return null;
  };
  return {
    status: (args) => settle(async () => {
      const response = await registry.get(args.connectionId).call('read', (s) => s.auth.authStatus.bind(s.auth), {});
      return { enabled: response.enabled, authRevision: Number(response.authRevision) };
    }),
    enable: (args) => settle(() => done(registry.get(args.connectionId).call('write', (s) => s.auth.authEnable.bind(s.auth), {}))),
    disable: (args) => settle(() => done(registry.get(args.connectionId).call('write', (s) => s.auth.authDisable.bind(s.auth), {}))),
    listUsers: (args) => settle(async () => (await registry.get(args.connectionId).call('read', (s) => s.auth.userList.bind(s.auth), {})).users),
    getUser: (args) => settle(async () => {
      const response = await registry.get(args.connectionId).call('read', (s) => s.auth.userGet.bind(s.auth), { name: args.name });
      return { name: args.name, roles: response.roles };
    }),
    addUser: (args) => settle(() => done(registry.get(args.connectionId).call('write', (s) => s.auth.userAdd.bind(s.auth), {
      name: args.name, password: args.password ?? '', options: { no_password: args.noPassword ?? false },
    }))),
    deleteUser: (args) => settle(() => done(registry.get(args.connectionId).call('write', (s) => s.auth.userDelete.bind(s.auth), { name: args.name }))),
    changePassword: (args) => settle(() => done(registry.get(args.connectionId).call('write', (s) => s.auth.userChangePassword.bind(s.auth), { name: args.name, password: args.password }))),
    grantRole: (args) => settle(() => done(registry.get(args.connectionId).call('write', (s) => s.auth.userGrantRole.bind(s.auth), { user: args.user, role: args.role }))),
    revokeRole: (args) => settle(() => done(registry.get(args.connectionId).call('write', (s) => s.auth.userRevokeRole.bind(s.auth), { name: args.user, role: args.role }))),
    listRoles: (args) => settle(async () => (await registry.get(args.connectionId).call('read', (s) => s.auth.roleList.bind(s.auth), {})).roles),
    getRole: (args) => settle(async () => {
      const connection = registry.get(args.connectionId);
      const response = await connection.call('read', (s) => s.auth.roleGet.bind(s.auth), { role: args.name });
      return { name: args.name, permissions: response.perm.map((permission) => toPermission(permission, connection.scope)) };
    }),
    addRole: (args) => settle(() => done(registry.get(args.connectionId).call('write', (s) => s.auth.roleAdd.bind(s.auth), { name: args.name }))),
    deleteRole: (args) => settle(() => done(registry.get(args.connectionId).call('write', (s) => s.auth.roleDelete.bind(s.auth), { role: args.name }))),
    grantPermission: (args) => settle(() => {
      const connection = registry.get(args.connectionId);
      const range = args.prefix ? prefixRange(args.key) : { key: args.key, rangeEnd: args.rangeEnd };
      return done(connection.call('write', (s) => s.auth.roleGrantPermission.bind(s.auth), {
        name: args.role,
        perm: { permType: permissionNumbers[args.type], key: connection.scope.key(range.key), range_end: connection.scope.rangeEnd(range.rangeEnd) ?? Buffer.alloc(0) },
      }));
    }),
    revokePermission: (args) => settle(() => {
      const connection = registry.get(args.connectionId);
      return done(connection.call('write', (s) => s.auth.roleRevokePermission.bind(s.auth), {
        role: args.role, key: connection.scope.key(args.key), range_end: connection.scope.rangeEnd(args.rangeEnd) ?? Buffer.alloc(0),
      }));
    }),
  };
}

function toPermission(permission: Permission__Output, scope: KeyScope): Permission {
  return {
    type: permissionTypes[permission.permType] ?? 'read',
    key: new Uint8Array(scope.strip(permission.key)),
    rangeEnd: new Uint8Array(scope.strip(permission.range_end)),
  };
}
