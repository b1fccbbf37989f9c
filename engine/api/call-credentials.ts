// The credentials of a client call, as etcd reads them: the `token` gRPC metadata (etcd's TokenFieldNameGRPC),
// else `authorization` (what grpc-gateway forwards), plus the verified client certificate's Common Name for
// gRPC calls. Gateway requests carry only the Authorization header: etcd ignores the certificate of a request
// that came through its gateway.
import type http from 'node:http';
import type { Caller } from '../server/server-api.ts';
import { grpcCallIdentity, type CallWithAuthContext } from './request-context.ts';

/** The metadata of a call as handlers read it (grpc-js's Metadata has this get). */
export interface CallMetadata {
  get(key: string): Array<string | Buffer>;
}

function firstText(metadata: CallMetadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return value === undefined ? undefined : String(value);
}

/** The caller of a gRPC call. */
export function grpcCaller(call: CallWithAuthContext & { metadata: CallMetadata }): Caller {
  const token = firstText(call.metadata, 'token') ?? firstText(call.metadata, 'authorization');
  return { token, commonName: grpcCallIdentity(call)?.commonName };
}

/** The caller of a gateway request. */
export function httpCaller(request: http.IncomingMessage): Caller {
  const header = request.headers.authorization;
  return { token: header === undefined || header === '' ? undefined : header };
}
