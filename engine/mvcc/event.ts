// A change seen by a watcher (mvccpb.Event). A deletion's `kv` carries only the key and the revision of the
// deletion in `modRevision`, as etcd sends it.
import type { KeyValue } from './key-value.ts';

/** The kind of change (mvccpb.Event_EventType; PUT = 0, DELETE = 1 on the wire). */
export const EventType = { Put: 'put', Delete: 'delete' } as const;

/** 'put' or 'delete'. */
export type EventType = (typeof EventType)[keyof typeof EventType];

/** One change to one key. Events are shared between watchers: never modify one. */
export interface Event {
  type: EventType;
  kv: KeyValue;
  /** The key's previous version, for watchers that asked for it (absent for a creation or when compacted). */
  prevKv?: KeyValue;
}

/** The events of one committed write transaction at revision `revision` (etcd's watchableStoreTxnWrite.End). */
export function eventsOfChanges(revision: number, changes: readonly KeyValue[]): Event[] {
  return changes.map((kv) =>
    kv.createRevision === 0 ? { type: EventType.Delete, kv: { ...kv, modRevision: revision } } : { type: EventType.Put, kv },
  );
}
