import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ConfChange as _cairnraft_ConfChange, ConfChange__Output as _cairnraft_ConfChange__Output } from './cairnraft/ConfChange.ts';
import type { ConfChangeSingle as _cairnraft_ConfChangeSingle, ConfChangeSingle__Output as _cairnraft_ConfChangeSingle__Output } from './cairnraft/ConfChangeSingle.ts';
import type { ConfChangeV2 as _cairnraft_ConfChangeV2, ConfChangeV2__Output as _cairnraft_ConfChangeV2__Output } from './cairnraft/ConfChangeV2.ts';
import type { ConfState as _cairnraft_ConfState, ConfState__Output as _cairnraft_ConfState__Output } from './cairnraft/ConfState.ts';
import type { Entry as _cairnraft_Entry, Entry__Output as _cairnraft_Entry__Output } from './cairnraft/Entry.ts';
import type { Message as _cairnraft_Message, Message__Output as _cairnraft_Message__Output } from './cairnraft/Message.ts';
import type { Snapshot as _cairnraft_Snapshot, Snapshot__Output as _cairnraft_Snapshot__Output } from './cairnraft/Snapshot.ts';
import type { SnapshotMetadata as _cairnraft_SnapshotMetadata, SnapshotMetadata__Output as _cairnraft_SnapshotMetadata__Output } from './cairnraft/SnapshotMetadata.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  cairnraft: {
    ConfChange: MessageTypeDefinition<_cairnraft_ConfChange, _cairnraft_ConfChange__Output>
    ConfChangeSingle: MessageTypeDefinition<_cairnraft_ConfChangeSingle, _cairnraft_ConfChangeSingle__Output>
    ConfChangeV2: MessageTypeDefinition<_cairnraft_ConfChangeV2, _cairnraft_ConfChangeV2__Output>
    ConfState: MessageTypeDefinition<_cairnraft_ConfState, _cairnraft_ConfState__Output>
    Entry: MessageTypeDefinition<_cairnraft_Entry, _cairnraft_Entry__Output>
    Message: MessageTypeDefinition<_cairnraft_Message, _cairnraft_Message__Output>
    Snapshot: MessageTypeDefinition<_cairnraft_Snapshot, _cairnraft_Snapshot__Output>
    SnapshotMetadata: MessageTypeDefinition<_cairnraft_SnapshotMetadata, _cairnraft_SnapshotMetadata__Output>
  }
}

