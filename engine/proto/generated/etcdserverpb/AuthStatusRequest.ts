// Original file: /work/main/engine/proto/etcd/rpc.proto


export interface AuthStatusRequest {
}

export interface AuthStatusRequest__Output {
}
