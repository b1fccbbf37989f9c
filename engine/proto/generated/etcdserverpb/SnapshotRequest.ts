// Original file: /work/main/engine/proto/etcd/rpc.proto


export interface SnapshotRequest {
}

export interface SnapshotRequest__Output {
}
