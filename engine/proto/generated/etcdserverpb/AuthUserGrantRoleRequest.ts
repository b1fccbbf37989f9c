// Original file: /work/main/engine/proto/etcd/rpc.proto


export interface AuthUserGrantRoleRequest {
  'user'?: (string);
  'role'?: (string);
}

export interface AuthUserGrantRoleRequest__Output {
  'user': (string);
  'role': (string);
}
