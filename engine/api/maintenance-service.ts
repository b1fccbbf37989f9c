// The Maintenance service: status, hashes, alarms, defragment, and the streamed snapshot. A snapshot ends
// with the sha256 of everything sent before it, which etcdctl verifies before it keeps the file.
import { createHash } from 'node:crypto';
import type { ServerWritableStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Caller, ServerApi } from '../server/server-api.ts';
import { grpcCaller } from './call-credentials.ts';
import { snapshotChunkBytes } from '../common/limits.ts';
import { toGrpcError } from './grpc-status.ts';
import { unary } from './unary.ts';
import type { AlarmRequest__Output } from '../proto/generated/etcdserverpb/AlarmRequest.ts';
import type { MoveLeaderRequest__Output } from '../proto/generated/etcdserverpb/MoveLeaderRequest.ts';
import type { DowngradeRequest__Output } from '../proto/generated/etcdserverpb/DowngradeRequest.ts';
import type { HashKVRequest__Output } from '../proto/generated/etcdserverpb/HashKVRequest.ts';
import type { SnapshotResponse } from '../proto/generated/etcdserverpb/SnapshotResponse.ts';

/** Unary request handlers for etcdserverpb.Maintenance, shared by gRPC and the JSON gateway. */
export function maintenanceHandlers(server: ServerApi) {
  return {
    Alarm: (request: AlarmRequest__Output) => server.alarm(request),
    Status: () => server.status(),
    // etcd's authMaintenanceServer: defragment, hashes and snapshots need the root role; status and alarms do not.
    Defragment: async (_request: unknown, caller?: Caller) => {
      await server.authorizeAdmin(caller);
      await server.defragment();
      return { header: {} };
    },
    Hash: async (_request: unknown, caller?: Caller) => {
      await server.authorizeAdmin(caller);
      return server.hash();
    },
    HashKV: async (request: HashKVRequest__Output, caller?: Caller) => {
      await server.authorizeAdmin(caller);
      return server.hashKV(Number(request.revision));
    },
    MoveLeader: async (request: MoveLeaderRequest__Output) => {
      await server.moveLeader(BigInt(request.targetID));
      return { header: {} };
    },
    // Root only once auth is enabled, as the other cluster-wide maintenance operations.
    Downgrade: async (request: DowngradeRequest__Output, caller?: Caller) => {
      await server.authorizeAdmin(caller);
      return server.downgrade(request.action, request.version);
    },
  };
}

/**
 * The responses of a snapshot stream: the backend copy in chunks, then the sha256 of everything sent before
 * it (etcd's trailer, which etcdctl verifies). Shared by gRPC and the gateway.
 */
export async function* snapshotResponses(server: ServerApi, caller?: Caller): AsyncGenerator<SnapshotResponse> {
  await server.authorizeAdmin(caller);
  const snapshot = await server.snapshot();
  try {
    const digest = createHash('sha256');
    let remaining = snapshot.sizeBytes;
    for await (const chunk of snapshot.chunks()) {
      for (let offset = 0; offset < chunk.length; offset += snapshotChunkBytes) {
        const blob = Buffer.from(chunk.subarray(offset, offset + snapshotChunkBytes));
        digest.update(blob);
        remaining -= blob.length;
        yield { header: server.header(), remaining_bytes: remaining, blob };
      }
    }
    yield { header: server.header(), remaining_bytes: 0, blob: digest.digest() };
  } finally {
    await snapshot.release();
  }
}

async function streamSnapshot(server: ServerApi, call: ServerWritableStream<unknown, SnapshotResponse>): Promise<void> {
  for await (const response of snapshotResponses(server, grpcCaller(call))) {
    if (call.cancelled) return;
    if (!call.write(response)) await new Promise((resolve) => call.once('drain', resolve));
  }
  call.end();
}

/** The grpc-js implementation of etcdserverpb.Maintenance. */
export function maintenanceService(server: ServerApi): UntypedServiceImplementation {
  const handlers = maintenanceHandlers(server);
  return {
    Alarm: unary(server, handlers.Alarm, 'none'),
    Status: unary(server, handlers.Status),
    Defragment: unary(server, handlers.Defragment, 'none'),
    Hash: unary(server, handlers.Hash),
    HashKV: unary(server, handlers.HashKV),
    MoveLeader: unary(server, handlers.MoveLeader),
    Downgrade: unary(server, handlers.Downgrade),
    Snapshot: (call: ServerWritableStream<unknown, SnapshotResponse>) => {
      streamSnapshot(server, call).catch((error: unknown) => call.destroy(toGrpcError(error)));
    },
  };
}
