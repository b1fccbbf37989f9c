// Original file: /work/main/engine/proto/etcd/rpc.proto


export interface AuthRoleListRequest {
}

export interface AuthRoleListRequest__Output {
}
