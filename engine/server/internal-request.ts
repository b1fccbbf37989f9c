// The payload of every normal log entry: one InternalRaftRequest (see engine/proto/cairn/internal.proto).
//
// Requests arrive from gRPC already in protobufjs's object shape (proto-loader decodes them with the same
// conversion options), so they are encoded directly, without fromObject's copy. The member that proposed an
// entry also remembers the request object for the entry's bytes, so applying its own entries skips decoding:
// Raft hands back the very Uint8Array it was given. Other members' entries are decoded.
import { messageType, protoConversionOptions } from '../proto/load.ts';
import type { InternalRaftRequest, InternalRaftRequest__Output } from '../proto/generated/cairnpb/InternalRaftRequest.ts';

/** Requests proposed by this member, by the bytes of their entry (weak: entries dropped from the log free them). */
const proposedRequests = new WeakMap<Uint8Array, InternalRaftRequest__Output>();

/** Bytes of a request for the log. `request` must have the gRPC layer's shape (decoded with protoConversionOptions). */
export function encodeInternalRequest(request: InternalRaftRequest__Output | InternalRaftRequest): Uint8Array {
  const type = messageType('cairnpb.InternalRaftRequest');
  return type.encode(request as Record<string, unknown>).finish();
}

/** Encodes a request this member proposes, remembering it so that its apply needs no decode. */
export function encodeProposedRequest(request: InternalRaftRequest__Output): Uint8Array {
  const bytes = encodeInternalRequest(request);
  proposedRequests.set(bytes, request);
  return bytes;
}

/** A request read back from the log, in the same shape the gRPC layer uses. */
export function decodeInternalRequest(bytes: Uint8Array): InternalRaftRequest__Output {
  const proposed = proposedRequests.get(bytes);
  if (proposed !== undefined) return proposed;
  const type = messageType('cairnpb.InternalRaftRequest');
  return type.toObject(type.decode(bytes), protoConversionOptions) as InternalRaftRequest__Output;
}
