// The KV service: validation at the edge (etcd's v3rpc/key.go), then the server.
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Caller, ServerApi } from '../server/server-api.ts';
import { unary } from './unary.ts';
import { checkDeleteRequest, checkIntervals, checkPutRequest, checkRangeRequest, checkTxnRequest } from './validate-kv.ts';
import type { RangeRequest__Output } from '../proto/generated/etcdserverpb/RangeRequest.ts';
import type { PutRequest__Output } from '../proto/generated/etcdserverpb/PutRequest.ts';
import type { DeleteRangeRequest__Output } from '../proto/generated/etcdserverpb/DeleteRangeRequest.ts';
import type { TxnRequest__Output } from '../proto/generated/etcdserverpb/TxnRequest.ts';
import type { CompactionRequest__Output } from '../proto/generated/etcdserverpb/CompactionRequest.ts';

/** Request handlers for etcdserverpb.KV, shared by gRPC and the JSON gateway. */
export function kvHandlers(server: ServerApi) {
  return {
    Range: async (request: RangeRequest__Output, caller?: Caller) => {
      checkRangeRequest(request);
      return server.range(request, caller);
    },
    Put: async (request: PutRequest__Output, caller?: Caller) => {
      checkPutRequest(request);
      return server.put(request, caller);
    },
    DeleteRange: async (request: DeleteRangeRequest__Output, caller?: Caller) => {
      checkDeleteRequest(request);
      return server.deleteRange(request, caller);
    },
    Txn: async (request: TxnRequest__Output, caller?: Caller) => {
      checkTxnRequest(request, server.limits.txnOpsMax);
      // Overlap checks come after the size check so a huge txn cannot make them quadratic.
      checkIntervals(request.success);
      checkIntervals(request.failure);
      return server.txn(request, caller);
    },
    Compact: async (request: CompactionRequest__Output) => server.compact(request),
  };
}

/** The grpc-js implementation of etcdserverpb.KV. */
export function kvService(server: ServerApi): UntypedServiceImplementation {
  const handlers = kvHandlers(server);
  return {
    Range: unary(server, handlers.Range),
    Put: unary(server, handlers.Put),
    DeleteRange: unary(server, handlers.DeleteRange),
    Txn: unary(server, handlers.Txn),
    Compact: unary(server, handlers.Compact),
  };
}
