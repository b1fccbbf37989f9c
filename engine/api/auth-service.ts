// The Auth service (etcd's v3rpc/auth.go): enable/disable/status, Authenticate, and user and role management.
// Management needs the root role once auth is enabled (checked by the server, and again when applied);
// AuthStatus and Authenticate are open to everyone.
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Caller, ServerApi } from '../server/server-api.ts';
import { unary } from './unary.ts';
import type { AuthenticateRequest__Output } from '../proto/generated/etcdserverpb/AuthenticateRequest.ts';
import type { AuthUserAddRequest__Output } from '../proto/generated/etcdserverpb/AuthUserAddRequest.ts';
import type { AuthUserGetRequest__Output } from '../proto/generated/etcdserverpb/AuthUserGetRequest.ts';
import type { AuthUserDeleteRequest__Output } from '../proto/generated/etcdserverpb/AuthUserDeleteRequest.ts';
import type { AuthUserChangePasswordRequest__Output } from '../proto/generated/etcdserverpb/AuthUserChangePasswordRequest.ts';
import type { AuthUserGrantRoleRequest__Output } from '../proto/generated/etcdserverpb/AuthUserGrantRoleRequest.ts';
import type { AuthUserRevokeRoleRequest__Output } from '../proto/generated/etcdserverpb/AuthUserRevokeRoleRequest.ts';
import type { AuthRoleAddRequest__Output } from '../proto/generated/etcdserverpb/AuthRoleAddRequest.ts';
import type { AuthRoleGetRequest__Output } from '../proto/generated/etcdserverpb/AuthRoleGetRequest.ts';
import type { AuthRoleDeleteRequest__Output } from '../proto/generated/etcdserverpb/AuthRoleDeleteRequest.ts';
import type { AuthRoleGrantPermissionRequest__Output } from '../proto/generated/etcdserverpb/AuthRoleGrantPermissionRequest.ts';
import type { AuthRoleRevokePermissionRequest__Output } from '../proto/generated/etcdserverpb/AuthRoleRevokePermissionRequest.ts';

/** Request handlers for etcdserverpb.Auth, shared by gRPC and the JSON gateway. */
export function authHandlers(server: ServerApi) {
  const { auth } = server;
  return {
    AuthEnable: (_request: unknown, caller?: Caller) => auth.authEnable(caller),
    AuthDisable: (_request: unknown, caller?: Caller) => auth.authDisable(caller),
    AuthStatus: () => auth.authStatus(),
    Authenticate: (request: AuthenticateRequest__Output) => auth.authenticate(request.name, request.password),
    UserAdd: (request: AuthUserAddRequest__Output, caller?: Caller) => auth.userAdd(request, caller),
    UserGet: (request: AuthUserGetRequest__Output, caller?: Caller) => auth.userGet(request.name, caller),
    UserList: (_request: unknown, caller?: Caller) => auth.userList(caller),
    UserDelete: (request: AuthUserDeleteRequest__Output, caller?: Caller) => auth.userDelete(request.name, caller),
    UserChangePassword: (request: AuthUserChangePasswordRequest__Output, caller?: Caller) => auth.userChangePassword(request.name, request.password, caller),
    UserGrantRole: (request: AuthUserGrantRoleRequest__Output, caller?: Caller) => auth.userGrantRole(request.user, request.role, caller),
    UserRevokeRole: (request: AuthUserRevokeRoleRequest__Output, caller?: Caller) => auth.userRevokeRole(request.name, request.role, caller),
    RoleAdd: (request: AuthRoleAddRequest__Output, caller?: Caller) => auth.roleAdd(request.name, caller),
    RoleGet: (request: AuthRoleGetRequest__Output, caller?: Caller) => auth.roleGet(request.role, caller),
    RoleList: (_request: unknown, caller?: Caller) => auth.roleList(caller),
    RoleDelete: (request: AuthRoleDeleteRequest__Output, caller?: Caller) => auth.roleDelete(request.role, caller),
    RoleGrantPermission: (request: AuthRoleGrantPermissionRequest__Output, caller?: Caller) => auth.roleGrantPermission(request, caller),
    RoleRevokePermission: (request: AuthRoleRevokePermissionRequest__Output, caller?: Caller) => auth.roleRevokePermission(request, caller),
  };
}

/** The grpc-js implementation of etcdserverpb.Auth. */
export function authService(server: ServerApi): UntypedServiceImplementation {
  const handlers = authHandlers(server);
  const service: UntypedServiceImplementation = {};
  for (const [name, handle] of Object.entries(handlers)) service[name] = unary(server, handle as (request: unknown, caller: Caller) => Promise<object>);
  return service;
}
