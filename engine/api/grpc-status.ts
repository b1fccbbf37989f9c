// Maps errors to gRPC statuses at the API edge. etcd's own errors keep their code and exact message (clients
// match on the message text); anything else is a bug or an I/O failure and is reported as Unknown with its
// message, after being logged by the caller, rather than being swallowed.
import { Metadata, status as GrpcStatus, type ServerErrorResponse } from '@grpc/grpc-js';
import { EtcdError } from '../common/errors.ts';

/** The gRPC status for an error thrown by the server or a handler. */
export function toGrpcError(error: unknown): ServerErrorResponse {
  if (error instanceof EtcdError) {
    return Object.assign(new Error(error.message), { code: error.code as number, details: error.message, metadata: new Metadata() });
  }
  const message = error instanceof Error ? error.message : String(error);
  return Object.assign(new Error(message), { code: GrpcStatus.UNKNOWN, details: message, metadata: new Metadata() });
}
