// Original file: /work/main/engine/proto/etcd/rpc.proto


export interface MemberListRequest {
  'linearizable'?: (boolean);
}

export interface MemberListRequest__Output {
  'linearizable': (boolean);
}
