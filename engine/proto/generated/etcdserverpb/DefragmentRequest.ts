// Original file: /work/main/engine/proto/etcd/rpc.proto


export interface DefragmentRequest {
}

export interface DefragmentRequest__Output {
}
