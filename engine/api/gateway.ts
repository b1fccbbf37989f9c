// The JSON gateway on the client port (etcd's grpc-gateway): POST /v3/<service>/<method> with a JSON body,
// answered with JSON. Unary methods answer one object; streaming methods (watch, lease keep-alive,
// snapshot) answer newline-delimited {"result": ...} objects, as grpc-gateway does.
import type http from 'node:http';
import { EtcdError, GrpcCode } from '../common/errors.ts';
import { messageType } from '../proto/load.ts';
import type { ServerApi } from '../server/server-api.ts';
import { requestFromJson, responseToJson } from './gateway-json.ts';
import { kvHandlers } from './kv-service.ts';
import { leaseHandlers } from './lease-service.ts';
import { maintenanceHandlers } from './maintenance-service.ts';
import { clusterHandlers } from './cluster-service.ts';
import { fillHeader, type HeaderMode, type WithHeader } from './unary.ts';
import { authHandlers } from './auth-service.ts';
import { httpCaller } from './call-credentials.ts';
import type { Caller } from '../server/server-api.ts';

/** One unary gateway route. */
interface UnaryRoute {
  requestType: string;
  responseType: string;
  handle: (request: never, caller: Caller) => Promise<WithHeader>;
  headerMode: HeaderMode;
}

/** gRPC status code -> HTTP status, as grpc-gateway maps them. */
const httpStatusByCode: Record<number, number> = {
  [GrpcCode.OK]: 200,
  [GrpcCode.Canceled]: 408,
  [GrpcCode.Unknown]: 500,
  [GrpcCode.InvalidArgument]: 400,
  [GrpcCode.DeadlineExceeded]: 504,
  [GrpcCode.NotFound]: 404,
  [GrpcCode.AlreadyExists]: 409,
  [GrpcCode.PermissionDenied]: 403,
  [GrpcCode.ResourceExhausted]: 429,
  [GrpcCode.FailedPrecondition]: 412,
  [GrpcCode.Aborted]: 409,
  [GrpcCode.OutOfRange]: 400,
  [GrpcCode.Unimplemented]: 501,
  [GrpcCode.Internal]: 500,
  [GrpcCode.Unavailable]: 503,
  [GrpcCode.DataLoss]: 500,
  [GrpcCode.Unauthenticated]: 401,
};

function route(requestType: string, responseType: string, handle: (request: never, caller: Caller) => Promise<WithHeader>, headerMode: HeaderMode = 'full'): UnaryRoute {
  return { requestType: `etcdserverpb.${requestType}`, responseType: `etcdserverpb.${responseType}`, handle, headerMode };
}

/** The unary routes, by path. */
export function unaryRoutes(server: ServerApi): Map<string, UnaryRoute> {
  const kv = kvHandlers(server);
  const lease = leaseHandlers(server);
  const maintenance = maintenanceHandlers(server);
  const cluster = clusterHandlers(server);
  const auth = authHandlers(server);
  const routes: Array<[string, UnaryRoute]> = [
    ['/v3/kv/range', route('RangeRequest', 'RangeResponse', kv.Range)],
    ['/v3/kv/put', route('PutRequest', 'PutResponse', kv.Put)],
    ['/v3/kv/deleterange', route('DeleteRangeRequest', 'DeleteRangeResponse', kv.DeleteRange)],
    ['/v3/kv/txn', route('TxnRequest', 'TxnResponse', kv.Txn)],
    ['/v3/kv/compaction', route('CompactionRequest', 'CompactionResponse', kv.Compact)],
    ['/v3/lease/grant', route('LeaseGrantRequest', 'LeaseGrantResponse', lease.LeaseGrant)],
    ['/v3/lease/revoke', route('LeaseRevokeRequest', 'LeaseRevokeResponse', lease.LeaseRevoke)],
    ['/v3/kv/lease/revoke', route('LeaseRevokeRequest', 'LeaseRevokeResponse', lease.LeaseRevoke)],
    ['/v3/lease/timetolive', route('LeaseTimeToLiveRequest', 'LeaseTimeToLiveResponse', lease.LeaseTimeToLive)],
    ['/v3/kv/lease/timetolive', route('LeaseTimeToLiveRequest', 'LeaseTimeToLiveResponse', lease.LeaseTimeToLive)],
    ['/v3/lease/leases', route('LeaseLeasesRequest', 'LeaseLeasesResponse', lease.LeaseLeases)],
    ['/v3/kv/lease/leases', route('LeaseLeasesRequest', 'LeaseLeasesResponse', lease.LeaseLeases)],
    ['/v3/cluster/member/list', route('MemberListRequest', 'MemberListResponse', cluster.MemberList, 'withoutRevision')],
    ['/v3/cluster/member/add', route('MemberAddRequest', 'MemberAddResponse', cluster.MemberAdd, 'withoutRevision')],
    ['/v3/cluster/member/remove', route('MemberRemoveRequest', 'MemberRemoveResponse', cluster.MemberRemove, 'withoutRevision')],
    ['/v3/cluster/member/update', route('MemberUpdateRequest', 'MemberUpdateResponse', cluster.MemberUpdate, 'withoutRevision')],
    ['/v3/cluster/member/promote', route('MemberPromoteRequest', 'MemberPromoteResponse', cluster.MemberPromote, 'withoutRevision')],
    ['/v3/maintenance/alarm', route('AlarmRequest', 'AlarmResponse', maintenance.Alarm, 'none')],
    ['/v3/maintenance/status', route('StatusRequest', 'StatusResponse', maintenance.Status)],
    ['/v3/maintenance/defragment', route('DefragmentRequest', 'DefragmentResponse', maintenance.Defragment, 'none')],
    ['/v3/maintenance/hash', route('HashRequest', 'HashResponse', maintenance.Hash)],
    ['/v3/maintenance/hashkv', route('HashKVRequest', 'HashKVResponse', maintenance.HashKV)],
    ['/v3/maintenance/transfer-leadership', route('MoveLeaderRequest', 'MoveLeaderResponse', maintenance.MoveLeader)],
    ['/v3/maintenance/downgrade', route('DowngradeRequest', 'DowngradeResponse', maintenance.Downgrade)],
    ['/v3/auth/enable', route('AuthEnableRequest', 'AuthEnableResponse', auth.AuthEnable)],
    ['/v3/auth/disable', route('AuthDisableRequest', 'AuthDisableResponse', auth.AuthDisable)],
    ['/v3/auth/status', route('AuthStatusRequest', 'AuthStatusResponse', auth.AuthStatus)],
    ['/v3/auth/authenticate', route('AuthenticateRequest', 'AuthenticateResponse', auth.Authenticate)],
    ['/v3/auth/user/add', route('AuthUserAddRequest', 'AuthUserAddResponse', auth.UserAdd)],
    ['/v3/auth/user/get', route('AuthUserGetRequest', 'AuthUserGetResponse', auth.UserGet)],
    ['/v3/auth/user/list', route('AuthUserListRequest', 'AuthUserListResponse', auth.UserList)],
    ['/v3/auth/user/delete', route('AuthUserDeleteRequest', 'AuthUserDeleteResponse', auth.UserDelete)],
    ['/v3/auth/user/changepw', route('AuthUserChangePasswordRequest', 'AuthUserChangePasswordResponse', auth.UserChangePassword)],
    ['/v3/auth/user/grant', route('AuthUserGrantRoleRequest', 'AuthUserGrantRoleResponse', auth.UserGrantRole)],
    ['/v3/auth/user/revoke', route('AuthUserRevokeRoleRequest', 'AuthUserRevokeRoleResponse', auth.UserRevokeRole)],
    ['/v3/auth/role/add', route('AuthRoleAddRequest', 'AuthRoleAddResponse', auth.RoleAdd)],
    ['/v3/auth/role/get', route('AuthRoleGetRequest', 'AuthRoleGetResponse', auth.RoleGet)],
    ['/v3/auth/role/list', route('AuthRoleListRequest', 'AuthRoleListResponse', auth.RoleList)],
    ['/v3/auth/role/delete', route('AuthRoleDeleteRequest', 'AuthRoleDeleteResponse', auth.RoleDelete)],
    ['/v3/auth/role/grant', route('AuthRoleGrantPermissionRequest', 'AuthRoleGrantPermissionResponse', auth.RoleGrantPermission)],
    ['/v3/auth/role/revoke', route('AuthRoleRevokePermissionRequest', 'AuthRoleRevokePermissionResponse', auth.RoleRevokePermission)],
  ];
  return new Map(routes);
}

/** Reads a whole request body, refusing bodies over `limitBytes`. */
export function readBody(request: http.IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        reject(new EtcdError(GrpcCode.InvalidArgument, 'etcdserver: request is too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** Writes a gateway error body: grpc-gateway's {"error", "code", "message"}. */
export function writeGatewayError(response: http.ServerResponse, error: unknown): void {
  const code = error instanceof EtcdError ? error.code : GrpcCode.Unknown;
  const message = error instanceof Error ? error.message : String(error);
  response.writeHead(httpStatusByCode[code] ?? 500, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ error: message, code, message }));
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new EtcdError(GrpcCode.InvalidArgument, `invalid JSON body: ${(error as Error).message}`);
  }
}

/** Serves one unary gateway request. */
export async function serveUnary(server: ServerApi, routeEntry: UnaryRoute, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  try {
    const body = await readBody(request, server.limits.requestBytesMax * 2);
    let decoded: unknown;
    try {
      decoded = requestFromJson(messageType(routeEntry.requestType), parseJson(body));
    } catch (error) {
      throw error instanceof EtcdError ? error : new EtcdError(GrpcCode.InvalidArgument, (error as Error).message);
    }
    const result = await routeEntry.handle(decoded as never, httpCaller(request));
    fillHeader(server, result, routeEntry.headerMode);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(responseToJson(messageType(routeEntry.responseType), result)));
  } catch (error) {
    writeGatewayError(response, error);
  }
}
