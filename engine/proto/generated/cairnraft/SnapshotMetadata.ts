// Original file: /work/main/engine/proto/cairn/raft.proto

import type { ConfState as _cairnraft_ConfState, ConfState__Output as _cairnraft_ConfState__Output } from '../cairnraft/ConfState.ts';
import type { Long } from '@grpc/proto-loader';

export interface SnapshotMetadata {
  'conf_state'?: (_cairnraft_ConfState | null);
  'index'?: (number | string | Long);
  'term'?: (number | string | Long);
}

export interface SnapshotMetadata__Output {
  'conf_state'?: (_cairnraft_ConfState__Output);
  'index'?: (string);
  'term'?: (string);
}
