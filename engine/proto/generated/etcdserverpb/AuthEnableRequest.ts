// Original file: /work/main/engine/proto/etcd/rpc.proto


export interface AuthEnableRequest {
}

export interface AuthEnableRequest__Output {
}
