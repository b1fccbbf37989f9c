// Adapts an async handler to a grpc-js unary handler: errors become etcd's statuses, successes get the
// member's response header (etcd fills cluster ID, member ID and term at the edge; revision if unset).
import type { sendUnaryData } from '@grpc/grpc-js';
import type { Caller, ServerApi } from '../server/server-api.ts';
import { grpcCaller, type CallMetadata } from './call-credentials.ts';
import type { CallWithAuthContext } from './request-context.ts';
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

/** What a unary handler reads of its call: grpc-js's ServerUnaryCall, or the fast path's (unary-fast-path.ts). */
export interface UnaryCallView<Request> extends CallWithAuthContext {
  request: Request;
  metadata: CallMetadata;
}

/** A unary call handler made by unary(): it reads nothing of the call but UnaryCallView. */
export type LeanUnaryHandler = (call: UnaryCallView<unknown>, callback: sendUnaryData<unknown>) => void;

const leanHandlers = new WeakSet<object>();

/** Declares that `handler` reads only UnaryCallView of its call (unary() does this for its handlers). */
export function markLeanUnaryHandler<Handler extends LeanUnaryHandler>(handler: Handler): Handler {
  leanHandlers.add(handler);
  return handler;
}

/** Whether `handler` was declared lean (made by unary()), so the fast path may call it with its own call view. */
export function isLeanUnaryHandler(handler: unknown): handler is LeanUnaryHandler {
  return typeof handler === 'function' && leanHandlers.has(handler);
}

/** Wraps `handle` as a unary call handler (for grpc-js and the unary fast path). */
export function unary<Request, Response extends WithHeader>(
  server: ServerApi,
  handle: (request: Request, caller: Caller) => Promise<Response>,
  mode: HeaderMode = 'full',
): (call: UnaryCallView<Request>, callback: sendUnaryData<Response>) => void {
  const handler = (call: UnaryCallView<Request>, callback: sendUnaryData<Response>): void => {
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
  return markLeanUnaryHandler(handler as LeanUnaryHandler) as typeof handler;
}
