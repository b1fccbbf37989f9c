// Original file: /work/main/engine/proto/cairn/raft.proto

import type { SnapshotMetadata as _cairnraft_SnapshotMetadata, SnapshotMetadata__Output as _cairnraft_SnapshotMetadata__Output } from '../cairnraft/SnapshotMetadata.ts';

export interface Snapshot {
  'data'?: (Buffer | Uint8Array | string);
  'metadata'?: (_cairnraft_SnapshotMetadata | null);
}

export interface Snapshot__Output {
  'data'?: (Buffer);
  'metadata'?: (_cairnraft_SnapshotMetadata__Output);
}
