// Encodes Raft membership changes for log entries (and, with replication, peer messages) using the
// cairnraft protobuf messages; the Raft core itself only sees TypeScript objects.
import { messageType } from '../proto/load.ts';
import type { ConfChange, ConfChangeV2, ConfState } from '../raft/types.ts';

const longsAsStrings = { longs: String, defaults: true, arrays: true, bytes: Buffer } as const;

/** Bytes of a single-step membership change. */
export function encodeConfChange(change: ConfChange): Uint8Array {
  const type = messageType('cairnraft.ConfChange');
  return type.encode(type.fromObject({ id: change.id.toString(), type: change.type, node_id: change.nodeId.toString(), context: change.context ?? Buffer.alloc(0) })).finish();
}

/** A single-step membership change from its bytes. */
export function decodeConfChange(bytes: Uint8Array): ConfChange {
  const type = messageType('cairnraft.ConfChange');
  const object = type.toObject(type.decode(bytes), longsAsStrings) as { id: string; type: number; node_id: string; context: Buffer };
  return { id: BigInt(object.id), type: object.type, nodeId: BigInt(object.node_id), context: object.context };
}

/** Bytes of a joint-consensus membership change. */
export function encodeConfChangeV2(change: ConfChangeV2): Uint8Array {
  const type = messageType('cairnraft.ConfChangeV2');
  return type
    .encode(
      type.fromObject({
        transition: change.transition,
        changes: change.changes.map((single) => ({ type: single.type, node_id: single.nodeId.toString() })),
        context: change.context ?? Buffer.alloc(0),
      }),
    )
    .finish();
}

/** A joint-consensus membership change from its bytes. */
export function decodeConfChangeV2(bytes: Uint8Array): ConfChangeV2 {
  const type = messageType('cairnraft.ConfChangeV2');
  const object = type.toObject(type.decode(bytes), longsAsStrings) as {
    transition: number;
    changes: Array<{ type: number; node_id: string }>;
    context: Buffer;
  };
  return {
    transition: object.transition,
    changes: object.changes.map((single) => ({ type: single.type, nodeId: BigInt(single.node_id) })),
    context: object.context,
  };
}

/** Bytes of a configuration (stored with snapshots). */
export function encodeConfState(state: ConfState): Uint8Array {
  const type = messageType('cairnraft.ConfState');
  const ids = (list: bigint[]) => list.map(String);
  return type
    .encode(
      type.fromObject({
        voters: ids(state.voters),
        learners: ids(state.learners),
        voters_outgoing: ids(state.votersOutgoing),
        learners_next: ids(state.learnersNext),
        auto_leave: state.autoLeave,
      }),
    )
    .finish();
}

/** A configuration from its bytes. */
export function decodeConfState(bytes: Uint8Array): ConfState {
  const type = messageType('cairnraft.ConfState');
  const object = type.toObject(type.decode(bytes), longsAsStrings) as Record<string, string[] | boolean>;
  const ids = (list: unknown) => (list as string[]).map((id) => BigInt(id));
  return {
    voters: ids(object['voters']),
    learners: ids(object['learners']),
    votersOutgoing: ids(object['voters_outgoing']),
    learnersNext: ids(object['learners_next']),
    autoLeave: Boolean(object['auto_leave']),
  };
}
