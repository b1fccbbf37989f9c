// Original file: /work/main/engine/proto/cairn/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface Entry {
  'type'?: (number);
  'term'?: (number | string | Long);
  'index'?: (number | string | Long);
  'data'?: (Buffer | Uint8Array | string);
}

export interface Entry__Output {
  'type'?: (number);
  'term'?: (string);
  'index'?: (string);
  'data'?: (Buffer);
}
