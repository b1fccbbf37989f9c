// Original file: /work/main/engine/proto/cairn/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface ConfChange {
  'id'?: (number | string | Long);
  'type'?: (number);
  'node_id'?: (number | string | Long);
  'context'?: (Buffer | Uint8Array | string);
}

export interface ConfChange__Output {
  'id'?: (string);
  'type'?: (number);
  'node_id'?: (string);
  'context'?: (Buffer);
}
