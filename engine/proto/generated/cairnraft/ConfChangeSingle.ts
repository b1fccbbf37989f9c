// Original file: /work/main/engine/proto/cairn/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface ConfChangeSingle {
  'type'?: (number);
  'node_id'?: (number | string | Long);
}

export interface ConfChangeSingle__Output {
  'type'?: (number);
  'node_id'?: (string);
}
