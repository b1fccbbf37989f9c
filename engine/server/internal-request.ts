// The payload of every normal log entry: one InternalRaftRequest (see engine/proto/cairn/internal.proto).
//
// Requests arrive from gRPC already in protobufjs's object shape (proto-loader decodes them with the same
// conversion options), so they are encoded directly, without fromObject's copy. The member that proposed an
// entry also remembers the request object for the entry's bytes, so applying its own entries skips decoding:
// Raft hands back the very Uint8Array it was given. Other members' entries are decoded.
import { messageType, protoConversionOptions } from '../proto/load.ts';
import type { InternalRaftRequest, InternalRaftRequest__Output } from '../proto/generated/cairnpb/InternalRaftRequest.ts';
import { uint64Long } from '../proto/uint64.ts';
import { writeDeleteRangeEntry, writePutEntry, type EntryHeader } from './internal-request-writer.ts';

/** Requests proposed by this member, by the bytes of their entry (weak: entries dropped from the log free them). */
const proposedRequests = new WeakMap<Uint8Array, InternalRaftRequest__Output>();

/** Bytes of a request for the log. `request` must have the gRPC layer's shape (decoded with protoConversionOptions). */
export function encodeInternalRequest(request: InternalRaftRequest__Output | InternalRaftRequest): Uint8Array {
  const type = messageType('cairnpb.InternalRaftRequest');
  return type.encode(request as Record<string, unknown>).finish();
}

/** A client request as the gRPC layer decoded it: exactly one of these, every field of it present. */
export type ClientRequest = Partial<Pick<InternalRaftRequest__Output, 'put' | 'delete_range' | 'txn'>>;

/**
 * Encodes a client request this member proposes, with its header, remembering it so that its apply needs no
 * decode. Puts and deletes, most of the log, are written by hand (internal-request-writer.ts).
 */
export function encodeProposedRequest(request: ClientRequest, header: EntryHeader): Uint8Array {
  const proposed = {
    ...request,
    header: { ID: uint64Long(header.id), username: header.username, auth_revision: header.authRevision },
  } as unknown as InternalRaftRequest__Output;
  const bytes = request.put
    ? writePutEntry(request.put, header)
    : request.delete_range
      ? writeDeleteRangeEntry(request.delete_range, header)
      : encodeInternalRequest(proposed);
  proposedRequests.set(bytes, proposed);
  return bytes;
}

/**
 * A request read back from the log, in the same shape the gRPC layer uses. The applier reads each entry once, so
 * a remembered request is forgotten here: kept until Raft compacts its log, every request of the last snapshot
 * interval would stay alive (and be promoted to the old generation, for every major GC to mark again).
 */
export function decodeInternalRequest(bytes: Uint8Array): InternalRaftRequest__Output {
  const proposed = proposedRequests.get(bytes);
  if (proposed !== undefined) {
    proposedRequests.delete(bytes);
    return proposed;
  }
  const type = messageType('cairnpb.InternalRaftRequest');
  return type.toObject(type.decode(bytes), protoConversionOptions) as InternalRaftRequest__Output;
}
