// Original file: /work/main/engine/proto/etcd/rpc.proto


export interface LeaseLeasesRequest {
}

export interface LeaseLeasesRequest__Output {
}
