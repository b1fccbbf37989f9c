// Original file: /work/main/engine/proto/etcd/rpc.proto


export interface WatchProgressRequest {
}

export interface WatchProgressRequest__Output {
}
