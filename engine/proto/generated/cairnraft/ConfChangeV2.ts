// Original file: /work/main/engine/proto/cairn/raft.proto

import type { ConfChangeSingle as _cairnraft_ConfChangeSingle, ConfChangeSingle__Output as _cairnraft_ConfChangeSingle__Output } from '../cairnraft/ConfChangeSingle.ts';

export interface ConfChangeV2 {
  'transition'?: (number);
  'changes'?: (_cairnraft_ConfChangeSingle)[];
  'context'?: (Buffer | Uint8Array | string);
}

export interface ConfChangeV2__Output {
  'transition'?: (number);
  'changes'?: (_cairnraft_ConfChangeSingle__Output)[];
  'context'?: (Buffer);
}
