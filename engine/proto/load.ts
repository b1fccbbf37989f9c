// Loads Cairn's .proto files once: as gRPC service definitions for grpc-js, and as a protobufjs root for
// encoding our own payloads (replicated-log entries, gateway JSON). The options match the generated types in
// ./generated: original field names, int64 as decimal strings, enums as numbers, bytes as Buffers.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';
import { loadPackageDefinition, type GrpcObject } from '@grpc/grpc-js';
import protobuf from 'protobufjs';

const moduleDirectory = path.dirname(fileURLToPath(import.meta.url));
/** This folder, or engine/proto seen from engine/dist when the engine runs as a bundle (engine/bin/entry.mjs). */
const protoDirectory = existsSync(path.join(moduleDirectory, 'etcd')) ? moduleDirectory : path.join(moduleDirectory, '..', 'proto');
const protoFiles = ['rpc.proto', 'internal.proto'];

/** The folders that .proto imports are resolved against. */
export const protoIncludeDirs = [path.join(protoDirectory, 'etcd'), path.join(protoDirectory, 'cairn')];

/** Conversion options shared by grpc-js and our own decoding, so every layer sees the same shapes. */
export const protoConversionOptions = {
  keepCase: true,
  longs: String,
  enums: Number,
  bytes: Buffer,
  defaults: true,
  arrays: true,
  oneofs: true,
} as const;

let packageDefinition: protoLoader.PackageDefinition | undefined;
let grpcObject: GrpcObject | undefined;
let root: protobuf.Root | undefined;

/** The etcd API as a proto-loader package definition. */
export function etcdPackageDefinition(): protoLoader.PackageDefinition {
  packageDefinition ??= protoLoader.loadSync(protoFiles, { ...protoConversionOptions, includeDirs: protoIncludeDirs });
  return packageDefinition;
}

/** The etcd API as a grpc-js object tree (`etcdserverpb.KV.service`, client constructors, ...). */
export function etcdGrpcObject(): GrpcObject {
  grpcObject ??= loadPackageDefinition(etcdPackageDefinition());
  return grpcObject;
}

/** A protobufjs root holding every Cairn message type, for encoding and decoding outside gRPC. */
export function protoRoot(): protobuf.Root {
  if (root) return root;
  const loaded = new protobuf.Root();
  loaded.resolvePath = (_origin, target) => {
    const found = protoIncludeDirs.map((directory) => path.join(directory, path.basename(target))).find(existsSync);
    return found ?? target;
  };
  loaded.loadSync(protoFiles, { keepCase: true });
  loaded.resolveAll();
  root = loaded;
  return root;
}

const messageTypes = new Map<string, protobuf.Type>();

/** A message type by its full name, e.g. `etcdserverpb.RangeRequest` (looked up once: callers sit on hot paths). */
export function messageType(fullName: string): protobuf.Type {
  let type = messageTypes.get(fullName);
  if (type === undefined) {
    type = protoRoot().lookupType(fullName);
    messageTypes.set(fullName, type);
  }
  return type;
}
