// Adapts an async handler to a grpc-js unary handler: errors become etcd's statuses, successes get the
// member's response header (etcd fills cluster ID, member ID and term at the edge; revision if unset).
import type { ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import type { Caller, ServerApi } from '../server/server-api.ts';
import { grpcCaller } from './call-credentials.ts';
import type { ResponseHeader } from '../proto/generated/etcdserverpb/ResponseHeader.ts';
import { toGrpcError } from './grpc-status.ts';

/** A response that carries an etcd ResponseHeader. */
export interface WithHeader {
  header?: ResponseHeader | null;
}

/**
 * How a method's response header is filled, as etcd 3.4 does it: most fill cluster, member, term and the
 * current revision; the Cluster service leaves the revision out; Alarm and Defragment send no header.
 */
export type HeaderMode = 'full' | 'withoutRevision' | 'none';

/** Fills the header fields the server leaves to the edge. */
export function fillHeader(server: ServerApi, response: WithHeader, mode: HeaderMode = 'full'): void {
  if (mode === 'none') {
    delete response.header;
    return;
  }
  const revision = Number(response.header?.revision ?? 0);
  response.header = server.header(revision);
  if (mode === 'withoutRevision') response.header.revision = 0;
}

/** Wraps `handle` as a unary call handler. */
export function unary<Request, Response extends WithHeader>(
  server: ServerApi,
  handle: (request: Request, caller: Caller) => Promise<Response>,
  mode: HeaderMode = 'full',
): (call: ServerUnaryCall<Request, Response>, callback: sendUnaryData<Response>) => void {
  return (call, callback) => {
    let caller: Caller;
    try {
      caller = grpcCaller(call);
    } catch (error) {
      callback(toGrpcError(error));
      return;
    }
    handle(call.request, caller).then(
      (response) => {
        fillHeader(server, response, mode);
        callback(null, response);
      },
      (error: unknown) => callback(toGrpcError(error)),
    );
  };
}
