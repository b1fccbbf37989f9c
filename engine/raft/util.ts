// Small helpers shared by the core: entry sizes, message construction and classification.
import { type ConfState, type Entry, type Message, MessageType, NONE, type Snapshot } from './types.ts';

/** "No byte limit" for entry slices. */
export const noLimit = Number.POSITIVE_INFINITY;

/** Bytes an entry's term, index and type add to its payload on the wire (an estimate of the protobuf framing). */
const entryFramingBytes = 16;

/** The size an entry counts for in message and Ready byte limits. */
export function entrySizeBytes(entry: Entry): number {
  return entry.data.byteLength + entryFramingBytes;
}

/** The payload size an entry counts for in the uncommitted-size limit (etcd: PayloadSize). */
export function payloadSizeBytes(entry: Entry): number {
  return entry.data.byteLength;
}

/** Sum of payloadSizeBytes over entries. */
export function payloadBytes(entries: readonly Entry[]): number {
  let total = 0;
  for (const entry of entries) total += payloadSizeBytes(entry);
  return total;
}

/** Sum of entrySizeBytes over entries. */
export function entriesSizeBytes(entries: readonly Entry[]): number {
  let total = 0;
  for (const entry of entries) total += entrySizeBytes(entry);
  return total;
}

/**
 * The longest prefix of `entries` within `maxBytes`, but always at least one entry so that progress is made
 * even with an entry larger than the limit. Returns the same array when everything fits.
 */
export function limitSize(entries: Entry[], maxBytes: number): Entry[] {
  if (entries.length === 0 || maxBytes === noLimit) return entries;
  let size = entrySizeBytes(entries[0]);
  let count = 1;
  while (count < entries.length) {
    size += entrySizeBytes(entries[count]);
    if (size > maxBytes) break;
    count++;
  }
  return count === entries.length ? entries : entries.slice(0, count);
}

/** A message with every field defaulted, then overridden by `fields`. */
export function makeMessage(fields: Partial<Message> & Pick<Message, 'type'>): Message {
  return {
    to: NONE,
    from: NONE,
    term: 0,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    ...fields,
  };
}

/** A message type's name as etcd prints it (MsgApp, MsgVoteResp, ...). */
export function messageName(type: MessageType): string {
  return `Msg${MessageType[type]}`;
}

/** Messages the core sends to itself; they are never valid on the wire. */
export function isLocalMessage(type: MessageType): boolean {
  return (
    type === MessageType.Hup ||
    type === MessageType.Beat ||
    type === MessageType.Unreachable ||
    type === MessageType.SnapStatus ||
    type === MessageType.CheckQuorum
  );
}

/** Messages that answer a request; they need the sender to be a known peer. */
export function isResponseMessage(type: MessageType): boolean {
  return (
    type === MessageType.AppResp ||
    type === MessageType.VoteResp ||
    type === MessageType.HeartbeatResp ||
    type === MessageType.Unreachable ||
    type === MessageType.PreVoteResp
  );
}

/** The response type for a (pre-)vote request. */
export function voteResponseType(type: MessageType): MessageType {
  if (type === MessageType.Vote) return MessageType.VoteResp;
  if (type === MessageType.PreVote) return MessageType.PreVoteResp;
  throw new Error(`not a vote message: ${MessageType[type]}`);
}

/** A Map/Set key for opaque bytes (read request contexts). */
export function bytesKey(bytes: Uint8Array): string {
  let key = '';
  for (let i = 0; i < bytes.length; i++) key += String.fromCharCode(bytes[i]);
  return key;
}

/** Whether two byte arrays hold the same bytes. */
export function bytesEqual(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  const left = a ?? emptyBytes;
  const right = b ?? emptyBytes;
  if (left.length !== right.length) return false;
  for (let i = 0; i < left.length; i++) if (left[i] !== right[i]) return false;
  return true;
}

/** A shared empty payload (entries are never mutated, so sharing is safe). */
export const emptyBytes = new Uint8Array(0);

/** A configuration with no members. */
export function emptyConfState(): ConfState {
  return { voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
}

/** The "no snapshot" value storages return before their first snapshot. */
export function emptySnapshot(): Snapshot {
  return { data: emptyBytes, metadata: { index: 0, term: 0, confState: emptyConfState() } };
}

/** Whether a snapshot is the empty placeholder. */
export function isEmptySnapshot(snapshot: Snapshot | undefined): boolean {
  return snapshot === undefined || snapshot.metadata.index === 0;
}

/** Sorts node IDs ascending (bigints do not sort numerically by default). */
export function sortIds(ids: Iterable<bigint>): bigint[] {
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
