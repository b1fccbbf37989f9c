// Original file: /work/main/engine/proto/cairn/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface ConfState {
  'voters'?: (number | string | Long)[];
  'learners'?: (number | string | Long)[];
  'voters_outgoing'?: (number | string | Long)[];
  'learners_next'?: (number | string | Long)[];
  'auto_leave'?: (boolean);
}

export interface ConfState__Output {
  'voters'?: (string)[];
  'learners'?: (string)[];
  'voters_outgoing'?: (string)[];
  'learners_next'?: (string)[];
  'auto_leave'?: (boolean);
}
