// Original file: /work/main/engine/proto/etcd/rpc.proto


export interface AuthUserListRequest {
}

export interface AuthUserListRequest__Output {
}
