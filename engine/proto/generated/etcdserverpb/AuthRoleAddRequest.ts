// Original file: /work/main/engine/proto/etcd/rpc.proto


export interface AuthRoleAddRequest {
  'name'?: (string);
}

export interface AuthRoleAddRequest__Output {
  'name': (string);
}
