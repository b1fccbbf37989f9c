// Original file: /work/main/engine/proto/cairn/raft.proto

import type { Entry as _cairnraft_Entry, Entry__Output as _cairnraft_Entry__Output } from '../cairnraft/Entry.ts';
import type { Snapshot as _cairnraft_Snapshot, Snapshot__Output as _cairnraft_Snapshot__Output } from '../cairnraft/Snapshot.ts';
import type { Long } from '@grpc/proto-loader';

export interface Message {
  'type'?: (number);
  'to'?: (number | string | Long);
  'from'?: (number | string | Long);
  'term'?: (number | string | Long);
  'log_term'?: (number | string | Long);
  'index'?: (number | string | Long);
  'entries'?: (_cairnraft_Entry)[];
  'commit'?: (number | string | Long);
  'snapshot'?: (_cairnraft_Snapshot | null);
  'reject'?: (boolean);
  'reject_hint'?: (number | string | Long);
  'context'?: (Buffer | Uint8Array | string);
}

export interface Message__Output {
  'type'?: (number);
  'to'?: (string);
  'from'?: (string);
  'term'?: (string);
  'log_term'?: (string);
  'index'?: (string);
  'entries'?: (_cairnraft_Entry__Output)[];
  'commit'?: (string);
  'snapshot'?: (_cairnraft_Snapshot__Output);
  'reject'?: (boolean);
  'reject_hint'?: (string);
  'context'?: (Buffer);
}
