// Original file: /work/main/engine/proto/etcd/rpc.proto


export interface HashRequest {
}

export interface HashRequest__Output {
}
