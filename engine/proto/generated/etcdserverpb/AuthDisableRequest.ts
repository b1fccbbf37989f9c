// Original file: /work/main/engine/proto/etcd/rpc.proto


export interface AuthDisableRequest {
}

export interface AuthDisableRequest__Output {
}
