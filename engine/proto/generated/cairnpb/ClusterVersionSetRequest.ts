// Original file: /work/main/engine/proto/cairn/internal.proto


export interface ClusterVersionSetRequest {
  'ver'?: (string);
}

export interface ClusterVersionSetRequest__Output {
  'ver': (string);
}
