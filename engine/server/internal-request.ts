// The payload of every normal log entry: one InternalRaftRequest (see engine/proto/cairn/internal.proto).
import { messageType, protoConversionOptions } from '../proto/load.ts';
import type { InternalRaftRequest, InternalRaftRequest__Output } from '../proto/generated/cairnpb/InternalRaftRequest.ts';

/** Bytes of a request for the log. */
export function encodeInternalRequest(request: InternalRaftRequest): Uint8Array {
  const type = messageType('cairnpb.InternalRaftRequest');
  return type.encode(type.fromObject(request as Record<string, unknown>)).finish();
}

/** A request read back from the log, in the same shape the gRPC layer uses. */
export function decodeInternalRequest(bytes: Uint8Array): InternalRaftRequest__Output {
  const type = messageType('cairnpb.InternalRaftRequest');
  return type.toObject(type.decode(bytes), protoConversionOptions) as InternalRaftRequest__Output;
}
