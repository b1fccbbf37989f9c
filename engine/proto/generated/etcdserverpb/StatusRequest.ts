// Original file: /work/main/engine/proto/etcd/rpc.proto


export interface StatusRequest {
}

export interface StatusRequest__Output {
}
